"""Describe your own community (issue #20 item 1): a user's scenario built from a case, validated, saved."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import copsim
from copsim.app import levers, own_scenario
from copsim.app.levers import Request
from copsim.model.config import USER_SCENARIOS_ENV


@pytest.fixture
def folder(tmp_path, monkeypatch):
    path = tmp_path / "scenarios"
    monkeypatch.setenv(USER_SCENARIOS_ENV, str(path))
    return path


def two_agencies(name: str = "two_agencies") -> own_scenario.Community:
    base = own_scenario.from_config(copsim.load_config("e_regulation"), name)
    return dataclasses.replace(base, n_organizations=2, n_practitioners=40, horizon_years=3)


def test_a_described_community_is_saved_as_a_complete_scenario_and_runs_like_one(folder):
    path = own_scenario.save(two_agencies())
    assert path == folder / "two_agencies.yaml" and path.read_text().startswith("# @package _global_")
    config = copsim.load_config("two_agencies")
    base = copsim.load_config("e_regulation")
    assert (config.scenario, config.world.n_organizations, config.world.n_practitioners) == (
        "two_agencies",
        2,
        40,
    )
    assert config.horizon_weeks == 156 and list(config.world.org_types) == ["agency"]
    assert (
        config.adoption == base.adoption and config.coordinator == base.coordinator
    )  # the rest is the case's
    by_name = copsim.simulate_ensemble(config, 2).summary
    by_path = copsim.simulate_ensemble(copsim.load_config(str(path)), 2).summary
    pd.testing.assert_frame_equal(by_name, by_path)
    # and the page offers it: the levers, a request, a link
    assert own_scenario.user_scenarios() == ["two_agencies"]
    levers.check_case("two_agencies")
    assert Request("two_agencies", ("coordinator.fte=0.5",), 2).config().coordinator.fte == 0.5


def test_kinds_channels_and_silo_are_written_as_described(folder):
    community = dataclasses.replace(
        two_agencies("mixed"),
        kinds=(
            own_scenario.OrgKind("agency", 0.5, "federal", "federal", True, 0.8),
            own_scenario.OrgKind("city", 0.5, "local", "local", False, 0.2),
        ),
        channels=(
            ("face_to_face", 0.0),
            ("online_library", 1.0),
            ("qa_referral", 0.5),
            ("teleconference", 0.0),
            ("conference", 0.0),
            ("joint_project", 0.0),
        ),
    )
    own_scenario.save(community)
    config = copsim.load_config("mixed")
    assert config.world.org_types["city"].level == "local" and not config.world.org_types["city"].adopting
    assert config.world.org_types["agency"].silo == 0.8
    assert config.community.channels.online_library == 1.0 and config.community.channels.joint_project == 0.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Two Agencies"}, "name: 'Two Agencies' is not allowed"),
        ({"name": "safecities"}, "is a built-in case"),
        ({"n_practitioners": 100_000}, "world.n_practitioners: 100000 is out of range"),
        ({"horizon_years": 0}, "horizon: 0 years is out of range"),
        ({"initial_adoption": 1.5}, "adoption.initial_adopters: 1.5 is out of range"),
        (
            {"kinds": (own_scenario.OrgKind("agency", 0.4, "federal", "federal", True, 0.6),)},
            "shares sum to 0.4",
        ),
        ({"kinds": (own_scenario.OrgKind("agency", 1.0, "federal", "federal", False, 0.6),)}, "none is true"),
    ],
)
def test_a_bad_description_stops_with_one_line_and_nothing_is_saved(folder, change, message):
    with pytest.raises(copsim.ConfigError) as exc:
        own_scenario.save(dataclasses.replace(two_agencies(), **change))
    assert message in str(exc.value) and "\n" not in str(exc.value)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_the_starting_adoption_is_written_and_the_run_starts_there(folder):
    community = dataclasses.replace(two_agencies(), n_organizations=20, initial_adoption=0.25)
    config = copsim.load_config(str(own_scenario.save(community)))
    assert config.adoption.initial_adopters == 0.25
    first_week = copsim.simulate(config).timeseries.iloc[0]
    assert first_week["adoption_share"] == pytest.approx(0.25, abs=0.05)  # 5 of the 20 agencies
    assert own_scenario.from_config(config).initial_adoption == 0.25  # the page starts from it


def test_an_existing_scenario_is_never_overwritten(folder):
    own_scenario.save(two_agencies())
    before = (folder / "two_agencies.yaml").read_text()
    with pytest.raises(copsim.ConfigError, match="exists already"):
        own_scenario.save(dataclasses.replace(two_agencies(), n_practitioners=50))
    assert (folder / "two_agencies.yaml").read_text() == before
    assert sorted(p.name for p in folder.iterdir()) == ["two_agencies.yaml"]  # no temporary file left
