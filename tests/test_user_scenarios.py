"""A user's own scenario files: ``load_config`` takes a path or a name in the user's scenario directory."""

from __future__ import annotations

import pytest

import copsim
from copsim.model.config import USER_SCENARIOS_ENV, conf_dir, scenario_file, user_scenario_dir

TWO_AGENCIES = """# @package _global_
scenario: two_agencies
world:
  n_organizations: 2
  n_practitioners: 40
  org_types:
    agency: {share: 1.0, sector: federal, level: federal, adopting: true, silo: 0.6, size_weight: 1.0}
horizon_weeks: 104
"""


@pytest.fixture
def mine(tmp_path, monkeypatch):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    monkeypatch.setenv(USER_SCENARIOS_ENV, str(folder))
    return folder


def test_a_scenario_file_loads_by_path_with_overrides(tmp_path):
    path = tmp_path / "two_agencies.yaml"
    path.write_text(TWO_AGENCIES)
    config = copsim.load_config(str(path), ["coordinator.fte=0.25"])
    assert config.scenario == "two_agencies" and config.world.n_organizations == 2
    assert list(config.world.org_types) == ["agency"] and config.horizon_weeks == 104
    assert config.coordinator.fte == 0.25


def test_a_users_scenario_loads_by_name_and_built_in_names_come_first(mine):
    (mine / "two_agencies.yaml").write_text(TWO_AGENCIES)
    (mine / "safecities.yaml").write_text(TWO_AGENCIES)
    assert copsim.load_config("two_agencies").world.n_practitioners == 40
    built_in = copsim.load_config(str(conf_dir() / "scenario" / "safecities.yaml"))
    assert copsim.load_config("safecities").world == built_in.world
    assert built_in.world.n_organizations != 2
    assert scenario_file("safecities")[0] == conf_dir() / "scenario" / "safecities.yaml"
    assert user_scenario_dir() == mine


def test_the_default_user_directory_is_outside_the_package(monkeypatch):
    monkeypatch.delenv(USER_SCENARIOS_ENV, raising=False)
    folder = user_scenario_dir()
    assert folder.parts[-3:] == (".config", "copsim", "scenarios")
    assert conf_dir() not in folder.parents


def test_bad_scenarios_stop_with_one_line(mine, tmp_path):
    cases = {
        "nowhere": "scenario: 'nowhere' is unknown; choose one of ",
        str(tmp_path / "missing.yaml"): "is not a file",
    }
    (tmp_path / "broken.yaml").write_text("world: {n_organizations: [1,\n")
    cases[str(tmp_path / "broken.yaml")] = "cannot be read as YAML"
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    cases[str(tmp_path / "list.yaml")] = "is not a scenario file"
    (tmp_path / "unknown_key.yaml").write_text(TWO_AGENCIES + "colour: blue\n")
    cases[str(tmp_path / "unknown_key.yaml")] = "colour: unknown key"
    (tmp_path / "shares.yaml").write_text(TWO_AGENCIES.replace("share: 1.0", "share: 0.5"))
    cases[str(tmp_path / "shares.yaml")] = "shares sum to 0.5"
    for scenario, message in cases.items():
        with pytest.raises(copsim.ConfigError) as exc:
            copsim.load_config(scenario)
        assert message in str(exc.value) and "\n" not in str(exc.value), (scenario, exc.value)
