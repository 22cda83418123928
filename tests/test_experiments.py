"""Sweep expansion, baseline pairing and per-condition statistics (no simulation runs here)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import copsim
from copsim.experiments import condition_table, expand, find_baselines, paired_differences
from copsim.experiments.aggregate import censor_flag, outcome_columns
from copsim.experiments.plan import baseline_overrides
from copsim.experiments.runner import ProgressMonitor


@pytest.mark.parametrize(
    ("name", "n_conditions", "replicates"),
    [
        ("coordinator_sponsorship", 6 * 5 * 4 + 4, 30),
        ("mandate_vs_voluntary", 2 * 4 * 4 + 4, 30),
        ("sponsor_turnover", 2 * 2 * 4 + 4, 30),
        ("support_team_capacity", 7 * 4 + 4, 30),
        ("retirement_wave", 2 * 4, 30),
    ],
)
def test_each_named_experiment_expands_to_its_grid_plus_one_baseline_per_scenario(
    name, n_conditions, replicates
):
    plan = expand([f"+experiment={name}"])
    assert len(plan.conditions) == n_conditions
    assert plan.options["replicates"] == replicates
    assert plan.question, "every experiment says what question it answers"
    baselines = [c for c in plan.conditions if not c.config.community.enabled]
    assert sorted(c.scenario for c in baselines) == sorted(
        ["rumble_strips", "e_regulation", "safecities", "company_command"]
    )
    assert len({c.id for c in plan.conditions}) == n_conditions
    # the fast config builder gives exactly what load_config gives (a sample of conditions)
    for cond in plan.conditions[:: max(1, n_conditions // 4)]:
        assert copsim.load_config(cond.scenario, cond.overrides) == cond.config


def test_command_line_overrides_beat_the_experiment_file():
    plan = expand(
        ["+experiment=coordinator_sponsorship", "scenario=safecities", "coordinator.fte=0,1", "replicates=2"]
    )
    assert {c.scenario for c in plan.conditions} == {"safecities"}
    assert len(plan.conditions) == 2 * 5 + 1
    assert plan.options["replicates"] == 2
    assert plan.condition_keys == ["scenario", "community.enabled", "coordinator.fte", "sponsor.level"]


def test_retirement_wave_keeps_the_wave_in_its_baseline():
    plan = expand(["+experiment=retirement_wave", "scenario=company_command"])
    assert len(plan.conditions) == 2
    assert all(c.config.demography.wave for c in plan.conditions)
    assert [c.config.community.enabled for c in plan.conditions] == [True, False]


def test_a_baseline_resets_swept_levers_and_keeps_other_swept_keys():
    got = baseline_overrides(
        ["coordinator.fte=0.5", "demography.wave=true", "horizon_weeks=20", "sponsor.board=true"],
        swept={"coordinator.fte", "demography.wave"},
    )
    assert got == [
        "demography.wave=true",
        "horizon_weeks=20",
        "sponsor.board=true",
        "community.enabled=false",
    ]


def test_a_swept_root_seed_is_a_root_seed_column_and_gets_its_own_baseline():
    plan = expand(["seed=0,1", "coordinator.fte=0,1"])
    assert plan.condition_keys == ["scenario", "community.enabled", "root_seed", "coordinator.fte"]
    assert [c.label for c in plan.conditions[-2:]] == [
        "rumble_strips baseline root_seed=0",
        "rumble_strips baseline root_seed=1",
    ]


def test_sweep_syntax_choice_range_and_glob():
    plan = expand(
        ["scenario=glob(*s*,exclude=bass)", "coordinator.fte=choice(0,1)", "coordinator.team_size=range(1,3)"]
    )
    assert {c.scenario for c in plan.conditions} == {"rumble_strips", "safecities"}
    assert len(plan.conditions) == 2 * 2 * 2 + 2
    assert plan.conditions[1].keys["coordinator.team_size"] == 2  # the last key varies fastest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["+experiment=no_such_experiment"], "experiment: 'no_such_experiment' is unknown"),
        (["coordinator.fte=0,0.5", "coordinator.fte_typo=1"], "coordinator.fte_typo: unknown key"),
        (["coordinator.fte=0,0.5,1.5"], "coordinator.fte: 1.5 is out of range"),
        (["scenario=safecities,atlantis"], "scenario: 'atlantis' is unknown"),
        (["replicates=0"], "replicates: 0 is out of range"),
        (["replicates=2,3"], "replicates: '2,3' is a sweep"),
        (["force=maybe"], "force: 'maybe' is not allowed"),
    ],
)
def test_bad_input_anywhere_in_a_sweep_raises_one_line(args, message):
    with pytest.raises(copsim.ConfigError) as err:
        expand(args)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_an_experiment_file_of_another_kind_is_refused_with_one_line(tmp_path):
    design = tmp_path / "screening.yaml"
    design.write_text("kind: sensitivity\nscenario: rumble_strips\n")
    with pytest.raises(copsim.ConfigError, match=r"^experiment: '.*screening.yaml' is a sensitivity design"):
        expand([f"+experiment={design}"])


def test_an_experiment_file_may_use_yaml_lists_and_hydras_scenario_override(tmp_path):
    grid = tmp_path / "lists.yaml"
    grid.write_text(
        "# @package _global_\ndefaults:\n  - override /scenario: safecities\n  - _self_\n"
        "hydra:\n  sweeper:\n    params:\n      sponsor.board: [false, true]\n"
    )
    plan = expand([f"+experiment={grid}"])
    assert [c.label for c in plan.conditions] == [
        "safecities sponsor.board=false",
        "safecities sponsor.board=true",
        "safecities baseline",
    ]


def test_an_experiment_file_given_by_path_runs_its_grid(tmp_path):
    grid = tmp_path / "mine.yaml"
    grid.write_text(
        "# @package _global_\nreplicates: 3\nhydra:\n  sweeper:\n    params:\n      coordinator.fte: 0,1\n"
    )
    plan = expand([f"+experiment={grid}", "scenario=e_regulation"])
    assert plan.experiment == "mine" and plan.options["replicates"] == 3
    assert [c.label for c in plan.conditions] == [
        "e_regulation coordinator.fte=0",
        "e_regulation coordinator.fte=1",
        "e_regulation baseline",
    ]


# --------------------------------------------------------------------------------------------
# Pure aggregation
# --------------------------------------------------------------------------------------------
def _runs() -> pd.DataFrame:
    """Two scenarios x (two lever settings + a baseline) x 3 replicates, known values."""
    rows = []
    seeds = [11, 22, 33]
    for scenario, shift in (("a", 0.0), ("b", 100.0)):
        for cid, enabled, fte, base_value in (
            (f"{scenario}-lo", True, 0.0, 10.0),
            (f"{scenario}-hi", True, 1.0, 20.0),
            (f"{scenario}-base", False, 0.5, 5.0),
        ):
            for r, seed in enumerate(seeds):
                t50 = np.nan if (cid.endswith("lo") and r == 0) else base_value + shift + r
                rows.append(
                    {
                        "condition_id": cid,
                        "scenario": scenario,
                        "community.enabled": enabled,
                        "coordinator.fte": fte,
                        "replicate": r,
                        "seed": seed,
                        "t50_weeks": t50,
                        "t50_censored": bool(np.isnan(t50)),
                        "final_adoption_share": base_value / 100 + r / 10,
                    }
                )
    return pd.DataFrame(rows)


def test_each_condition_pairs_with_its_own_scenarios_baseline():
    runs = _runs()
    table = runs[["condition_id", "scenario", "community.enabled", "coordinator.fte"]].drop_duplicates()
    got = find_baselines(table)
    assert got == {
        "a-lo": "a-base",
        "a-hi": "a-base",
        "a-base": None,
        "b-lo": "b-base",
        "b-hi": "b-base",
        "b-base": None,
    }


def test_the_exact_same_condition_with_the_community_off_is_preferred_as_baseline():
    table = pd.DataFrame(
        {
            "condition_id": ["on0", "on1", "off0", "off1"],
            "scenario": ["s"] * 4,
            "community.enabled": [True, True, False, False],
            "coordinator.fte": [0.0, 1.0, 0.0, 1.0],
            "demography.wave": [True] * 4,
        }
    )
    assert find_baselines(table) == {"on0": "off0", "on1": "off1", "off0": None, "off1": None}
    table.loc[table.condition_id == "off1", "demography.wave"] = False  # a non-lever key must match
    assert find_baselines(table)["on1"] == "off0"
    table.loc[table.condition_id == "off0", "demography.wave"] = False
    assert find_baselines(table)["on1"] is None


def test_paired_differences_are_per_replicate_and_keep_censoring_missing():
    diffs = paired_differences(_runs())
    a_hi = diffs[diffs.condition_id == "a-hi"].set_index("replicate")
    assert list(a_hi["t50_weeks"]) == [15.0, 15.0, 15.0]
    assert set(a_hi["baseline_id"]) == {"a-base"}
    a_lo = diffs[diffs.condition_id == "a-lo"].set_index("replicate")
    assert np.isnan(a_lo.loc[0, "t50_weeks"]) and a_lo.loc[1, "t50_weeks"] == 5.0


def test_pairs_with_different_seeds_are_not_compared():
    runs = _runs()
    runs.loc[(runs.condition_id == "a-hi") & (runs.replicate == 2), "seed"] = 99
    diffs = paired_differences(runs).set_index(["condition_id", "replicate"])
    assert np.isnan(diffs.loc[("a-hi", 2), "final_adoption_share"])
    assert not np.isnan(diffs.loc[("a-hi", 1), "final_adoption_share"])


def test_condition_table_reports_mean_interval_censoring_and_paired_difference():
    table = condition_table(_runs()).set_index("condition_id")
    assert list(table.index) == ["a-lo", "a-hi", "a-base", "b-lo", "b-hi", "b-base"]
    row = table.loc["a-lo"]
    assert row["n_replicates"] == 3 and row["baseline_id"] == "a-base"
    assert row["t50_weeks_n"] == 2 and row["t50_weeks_censored_share"] == pytest.approx(1 / 3)
    assert row["t50_weeks_mean"] == pytest.approx(11.5)
    assert row["t50_weeks_diff_mean"] == pytest.approx(5.0) and row["t50_weeks_diff_n"] == 2
    hi = table.loc["b-hi"]
    assert hi["final_adoption_share_mean"] == pytest.approx(0.3)
    assert hi["final_adoption_share_lo"] < 0.3 < hi["final_adoption_share_hi"]
    assert hi["final_adoption_share_diff_mean"] == pytest.approx(0.15)
    # identical paired differences have a zero-width interval
    assert hi["final_adoption_share_diff_lo"] == pytest.approx(hi["final_adoption_share_diff_hi"])
    assert np.isnan(table.loc["a-base", "t50_weeks_diff_mean"])


def test_outcomes_and_censor_flags_are_found_by_name():
    runs = _runs()
    assert outcome_columns(runs) == ["t50_weeks", "final_adoption_share"]
    assert censor_flag("t50_weeks", runs.columns) == "t50_censored"
    assert censor_flag("t50_years", ["t50_censored"]) == "t50_censored"
    assert censor_flag("time_to_talent_weeks", ["time_to_talent_censored"]) == "time_to_talent_censored"
    assert censor_flag("final_adoption_share", runs.columns) is None


def test_sweep_progress_counts_conditions_finished_in_this_session(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COPSIM_PROGRESS", "always")
    todo = [{"id": f"c{i}"} for i in range(4)]
    monitor = ProgressMonitor(tmp_path, todo, total=6)

    def finish(cid: str, status: str = "complete") -> None:
        path = tmp_path / "conditions" / cid / "condition.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"status": status}))

    finish("c0")
    monitor.report()
    finish("c1", "failed")
    monitor.report()
    monitor.stop()
    assert monitor.done == {"c0": "complete", "c1": "failed"} and monitor.failed == 1
    err = capsys.readouterr().err
    assert "4/6" in err and "1 failed" in err and "condition" in err
