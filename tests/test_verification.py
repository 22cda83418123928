"""Verification: what the rules guarantee by construction, checked on whole runs.

These are not validation (they cannot disagree with the world, only with the rules as written),
so they live here and not in the validation suite: docs/VALIDATION.md explains the difference.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import copsim
from conftest import small_config
from copsim.model.mechanisms import coordination


def test_coordination_hours_never_do_more_than_the_work_there_is():
    hours = np.linspace(0.0, 200.0, 21)
    needed = np.full(hours.size, 20.0)
    useful = coordination.useful_hours(hours, needed)
    assert (useful <= hours + 1e-12).all() and (useful <= needed).all()
    assert (np.diff(useful) > 0).all() and (np.diff(np.diff(useful)) < 0).all()  # saturating


def test_an_uncoordinated_community_decays_geometrically():
    cfg = small_config("rumble_strips", "coordinator.fte=0", "horizon_weeks=100")
    vitality = copsim.simulate(cfg).timeseries["vitality"].to_numpy()
    decay = cfg.community.vitality_decay
    expected = cfg.community.initial_vitality * (1 - decay) ** np.arange(vitality.size)
    assert vitality == pytest.approx(expected, rel=1e-12)


def test_a_mandate_makes_every_aware_practitioner_a_member_at_least_peripheral():
    run = copsim.simulate(small_config("safecities", "sponsor.mandate=true", "horizon_weeks=20"))
    ts = run.timeseries
    assert (ts["non_members"].iloc[1:] == 0).all()  # everyone is told and enrolled from week 1
    assert (ts["participation_rate"].iloc[1:] == 1.0).all()


def test_the_mandates_crowding_out_shows_in_sharing_at_about_its_configured_size():
    """Sharing is logistic in motivation (1 logit per SD), so shifting members' motivation by
    -0.35 SD must lower the sharing odds by about 0.35 logit (diluted a little by non-members
    and by trust)."""
    common = ("horizon_weeks=104", "motivation.recognition_sd=0.0")
    voluntary = copsim.simulate_ensemble(copsim.load_config("rumble_strips", list(common)), 4).summary
    mandated = copsim.simulate_ensemble(
        copsim.load_config("rumble_strips", [*common, "sponsor.mandate=true"]), 4
    ).summary
    s0, s1 = voluntary["sharing_rate"].mean(), mandated["sharing_rate"].mean()
    log_odds = math.log(s1 / (1 - s1)) - math.log(s0 / (1 - s0))
    assert -0.45 <= log_odds <= -0.15  # (the average probability's log odds shift less than each logit)


def test_a_sponsor_board_is_never_worse_than_no_board_on_the_same_draws():
    common = ("sponsor.departure_week=30", "horizon_weeks=120")
    without = copsim.simulate(small_config("rumble_strips", *common)).timeseries
    with_board = copsim.simulate(small_config("rumble_strips", *common, "sponsor.board=true")).timeseries
    assert (with_board["sponsor_level"] >= without["sponsor_level"]).all()
    assert (with_board["sponsor_level"] > without["sponsor_level"]).any()


def test_endorsement_lifts_the_baseline_too():
    """The sponsor's endorsement of the practice is its own lever: the dissemination-only
    baseline gets it unless it is switched off (issue #18). At level 0.6 and legitimacy 0.8 it
    multiplies p by 1.48; with p raised to 0.3 a year (so that p, not imitation, drives the
    first years) adoption must be clearly faster, by at least 10 % in adopter-years."""
    base = (
        "community.enabled=false",
        "horizon_weeks=156",
        "world.n_organizations=100",
        "world.n_practitioners=600",
        "adoption.p=0.3",
        "adoption.initial_adopters=0",
    )
    endorsed = copsim.simulate_ensemble(copsim.load_config("rumble_strips", list(base)), 4).summary
    plain = copsim.simulate_ensemble(
        copsim.load_config("rumble_strips", [*base, "sponsor.endorses=false"]), 4
    ).summary
    assert endorsed["adopter_years"].sum() > 1.1 * plain["adopter_years"].sum()
