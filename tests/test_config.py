"""The configuration schema: scenarios load, and bad input is refused with one clear line."""

from __future__ import annotations

import pytest

import copsim
from copsim.model.config import describe_parameters, scenario_names


@pytest.mark.parametrize(
    "scenario", ["rumble_strips", "e_regulation", "safecities", "company_command", "bass"]
)
def test_every_scenario_loads_with_the_contract_keys(scenario):
    cfg = copsim.load_config(scenario)
    assert cfg.scenario == scenario
    for value in (
        cfg.seed,
        cfg.horizon_weeks,
        cfg.world.n_organizations,
        cfg.world.n_practitioners,
        cfg.community.enabled,
        cfg.coordinator.fte,
        cfg.sponsor.level,
        cfg.sponsor.mandate,
        cfg.adoption.p,
        cfg.adoption.q,
    ):
        assert value is not None


def test_bass_population_follows_n_organizations():
    cfg = copsim.load_config("bass", ["world.n_organizations=321"])
    assert cfg.world.n_practitioners == 321
    assert cfg.community.enabled is False
    assert cfg.world.topology == "complete"


def test_overrides_are_typed():
    cfg = copsim.load_config("safecities", ["coordinator.fte=0.25", "sponsor.mandate=true", "seed=7"])
    assert cfg.coordinator.fte == 0.25 and cfg.sponsor.mandate is True and cfg.seed == 7


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        (["coordinator.fte=1.5"], ["coordinator.fte", "1.5", "0.0 to 1.0"]),
        (["sponsor.level=-0.1"], ["sponsor.level", "-0.1"]),
        (["coordinator.ftee=0.5"], ["coordinator.ftee", "unknown key"]),
        (["nonsense=1"], ["nonsense", "unknown key"]),
        (["coordinator.fte=abc"], ["coordinator.fte", "abc"]),
        (["sponsor.mandate=maybe"], ["sponsor.mandate", "maybe"]),
        (["world.topology=torus"], ["world.topology", "torus", "organizational"]),
        (["coordinator.share_brokering=0.9"], ["coordinator.share_*", "sum to 1"]),
        (["world.n_practitioners=5"], ["world.n_practitioners", "5"]),
    ],
)
def test_bad_input_names_key_value_and_what_is_allowed(overrides, names):
    with pytest.raises(copsim.ConfigError) as err:
        copsim.load_config("rumble_strips", overrides)
    message = str(err.value)
    assert "\n" not in message
    for name in names:
        assert name in message


def test_unknown_scenario_lists_the_known_ones():
    with pytest.raises(copsim.ConfigError, match="'atlantis' is unknown; choose one of bass"):
        copsim.load_config("atlantis")


def test_config_error_is_a_value_error():
    assert issubclass(copsim.ConfigError, ValueError)


def test_every_parameter_documents_unit_or_choices_and_source():
    rows = describe_parameters()
    assert len(rows) > 80
    numeric = [
        r for r in rows if isinstance(r["default"], (int, float)) and not isinstance(r["default"], bool)
    ]
    for row in numeric:
        if row["key"] in ("seed",):
            continue
        assert row["unit"], row["key"]
        assert row["lo"] is not None and row["lo"] <= row["default"] <= row["hi"], row["key"]
    assert all(r["source"] for r in rows)


def test_scenario_files_are_found():
    assert set(scenario_names()) >= {"rumble_strips", "e_regulation", "safecities", "company_command", "bass"}
