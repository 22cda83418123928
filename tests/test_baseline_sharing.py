"""A dissemination-only baseline does not read the community's own levers, so the page shares it.

The dashboard runs one baseline per case for every setting of the coordinator, the support team
and the mandate (:func:`copsim.app.levers.baseline_of`). That is only right while a run with the
community off gives the same numbers whatever those levers say; this checks it for every case.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import copsim
from conftest import SMALL
from copsim.app import levers

#: the community's own levers, changed from every case's values
COMMUNITY_LEVERS = [
    "coordinator.fte=0.1",
    "coordinator.team_size=3",
    "coordinator.technical_competence=0.2",
    "coordinator.interpersonal_competence=0.95",
    "coordinator.connections=0.1",
    "support_team.enabled=true",
    "support_team.staff=7.0",
    "sponsor.mandate=true",
]


def community_off(config: copsim.CopConfig) -> copsim.CopConfig:
    return dataclasses.replace(config, community=dataclasses.replace(config.community, enabled=False))


@pytest.mark.parametrize("scenario", ["rumble_strips", "e_regulation", "safecities", "company_command"])
def test_a_run_without_the_community_ignores_the_communitys_own_levers(scenario):
    plain = copsim.simulate_ensemble(community_off(copsim.load_config(scenario, SMALL)), 2)
    changed = community_off(copsim.load_config(scenario, [*SMALL, *COMMUNITY_LEVERS]))
    other = copsim.simulate_ensemble(changed, 2)
    pd.testing.assert_frame_equal(other.summary, plain.summary)
    pd.testing.assert_frame_equal(other.timeseries, plain.timeseries)


def test_the_page_runs_one_baseline_per_case_for_any_community_lever():
    defaults = levers.scenario_defaults("safecities")
    changed = copsim.load_config("safecities", COMMUNITY_LEVERS)
    assert levers.baseline_of(changed) == levers.baseline_of(defaults)
    assert not levers.baseline_of(changed).community.enabled
    sponsor = copsim.load_config("safecities", ["sponsor.level=0.2"])  # the sponsor's level is not one
    assert levers.baseline_of(sponsor) != levers.baseline_of(defaults)
    assert levers.baseline_of(sponsor).sponsor.level == 0.2
