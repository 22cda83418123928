"""copsim as an EMA workbench model: an EMA user runs it with ``perform_experiments`` and gets
copsim's own numbers, censored times as NaN with their flags, and one line when the extra is
missing."""

from __future__ import annotations

import importlib
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import copsim
from copsim.analysis.sweep import CENSORED_OUTCOMES
from copsim.model.streams import replicate_seeds

ema_workbench = pytest.importorskip("ema_workbench")
import copsim.ema  # noqa: E402  (after the skip: needs the workbench)

REPO = Path(__file__).resolve().parents[1]

#: a small world and two years: a run takes a few hundredths of a second
TINY = ("horizon_weeks=104", "world.n_practitioners=40", "world.n_organizations=8")
LEVERS = {
    "coordinator.fte": {"low": 0.0, "high": 1.0},
    "sponsor.mandate": {"values": [False, True]},
    "coordinator.team_size": {"values": [1, 3]},
}
UNCERTAIN = {"adoption.p": {"low": 0.05, "high": 3.0}}  # per year: half adopt in 2 years or not


def same(a, b) -> bool:
    """Equal, with NaN equal to NaN (censored times)."""
    return (isinstance(a, float) and math.isnan(a) and math.isnan(b)) or a == b


@pytest.fixture(scope="module")
def eight():
    """Eight experiments through EMA's own perform_experiments, seeded as an EMA user would."""
    model = copsim.ema.model_for(
        "rumble_strips", levers=LEVERS, uncertainties=UNCERTAIN, fixed=TINY, root_seed=11
    )
    experiments, outcomes = ema_workbench.perform_experiments(
        model,
        scenarios=8,
        policies=8,
        combine="sample",
        uncertainty_sampling_kwargs={"rng": 1},
        lever_sampling_kwargs={"rng": 2},
        log_progress=True,
    )
    return model, experiments, outcomes


def test_eight_experiments_give_every_summary_outcome_of_copsim(eight):
    model, experiments, outcomes = eight
    assert len(experiments) == 8
    assert [p.name for p in model.levers] == ["coordinator_fte", "sponsor_mandate", "coordinator_team_size"]
    assert [p.variable_name[0] for p in model.uncertainties] == ["adoption.p"]
    summary = copsim.simulate(copsim.load_config("rumble_strips", list(TINY))).summary
    assert list(outcomes) == list(summary)
    assert all(len(values) == 8 for values in outcomes.values())
    assert (
        experiments["coordinator_fte"].between(0, 1).all() and experiments["coordinator_fte"].nunique() == 8
    )
    assert sorted(experiments["sponsor_mandate"]) == [False] * 4 + [True] * 4  # Latin: 4 per stratum
    assert set(experiments["coordinator_team_size"].astype(int)) == {1, 3}


def test_an_experiment_is_the_run_copsim_gives_for_its_values_and_seed(eight):
    _, experiments, outcomes = eight
    for i in (0, 5):
        row = experiments.iloc[i]
        overrides = [
            *TINY,
            f"coordinator.fte={float(row['coordinator_fte'])!r}",
            f"sponsor.mandate={str(bool(row['sponsor_mandate'])).lower()}",
            f"coordinator.team_size={int(row['coordinator_team_size'])}",
            f"adoption.p={float(row['adoption_p'])!r}",
            f"seed={replicate_seeds(11, 1)[0]}",  # replicate 0 of root seed 11, as in simulate_ensemble
        ]
        direct = copsim.simulate(copsim.load_config("rumble_strips", overrides)).summary
        assert all(same(direct[k], outcomes[k][i]) for k in direct), i


def test_censored_times_are_nan_exactly_when_their_flag_is_set(eight):
    _, experiments, outcomes = eight
    for time, flag in CENSORED_OUTCOMES.items():
        assert outcomes[flag].dtype == bool
        assert (np.isnan(outcomes[time]) == outcomes[flag]).all(), time
    censored = outcomes["t50_censored"]
    assert censored.any() and not censored.all()  # the sample holds both kinds
    # a larger innovation coefficient is what makes half adopt within the horizon
    assert experiments["adoption_p"][~censored].min() > experiments["adoption_p"][censored].min()


def test_replicates_are_paired_like_simulate_ensemble_and_averaged_where_defined():
    options = {"uncertainties": UNCERTAIN, "fixed": TINY, "replicates": 3, "root_seed": 3}
    model = copsim.ema.model_for("rumble_strips", **options)
    assert isinstance(model, ema_workbench.ReplicatorModel)
    experiments, outcomes = ema_workbench.perform_experiments(model, scenarios=2, log_progress=True)
    models = copsim.ema.replicate_models("rumble_strips", **options)
    assert [m.name for m in models] == ["rumble_strips_r0", "rumble_strips_r1", "rumble_strips_r2"]
    runs = copsim.ema.runs_frame(models, *copsim.ema.run_lhs(models, 2, root_seed=8))
    assert runs[["sample", "replicate"]].values.tolist() == [[s, r] for s in range(2) for r in range(3)]
    assert runs["seed"].tolist() == replicate_seeds(3, 3) * 2
    for i in range(2):  # each replicated experiment is simulate_ensemble at its point
        p = experiments["adoption_p"].iloc[i]
        config = copsim.load_config("rumble_strips", [*TINY, f"adoption.p={float(p)!r}", "seed=3"])
        ensemble = copsim.simulate_ensemble(config, 3).summary
        assert outcomes["adopter_years"][i] == pytest.approx(ensemble["adopter_years"].mean())
        assert outcomes["t50_censored"][i] == pytest.approx(ensemble["t50_censored"].mean())
        reached = ensemble["t50_years"].dropna()
        assert same(outcomes["t50_years"][i], reached.mean() if len(reached) else math.nan)
    # and the single-run models of run_lhs are the same runs, one row each
    first = runs[runs["sample"] == 0]
    config = copsim.load_config(
        "rumble_strips", [*TINY, f"adoption.p={float(first['adoption.p'].iloc[0])!r}", "seed=3"]
    )
    assert (
        first["adopter_years"].tolist()
        == copsim.simulate_ensemble(config, 3).summary["adopter_years"].tolist()
    )


def test_replicate_mean_counts_censored_times_where_reached_and_flags_as_shares():
    assert copsim.ema.replicate_mean([2.0, math.nan, 4.0]) == 3.0
    assert math.isnan(copsim.ema.replicate_mean([math.nan, math.nan]))
    assert copsim.ema.replicate_mean([True, False, False, False]) == 0.25


def test_the_specs_give_models(tmp_path):
    lever_space = copsim.ema.model_from_spec(str(REPO / "experiments" / "lever_space.yaml"))
    assert [p.variable_name[0] for p in lever_space.levers] == [
        "coordinator.fte",
        "sponsor.level",
        "sponsor.mandate",
        "support_team.staff",
    ]
    assert isinstance(lever_space.levers["sponsor_mandate"], ema_workbench.BooleanParameter)
    assert lever_space.uncertainties["adoption_q"].lower_bound == 0.2
    sensitivity = copsim.ema.model_from_spec(str(REPO / "experiments" / "sensitivity.yaml"))
    assert len(sensitivity.levers) == 0 and len(sensitivity.uncertainties) == 8
    only = copsim.ema.model_from_spec(
        str(REPO / "experiments" / "sensitivity.yaml"), outcomes=["t50_years", "t50_censored"], replicates=3
    )
    assert [o.name for o in only.outcomes] == ["t50_years", "t50_censored"] and only.nreplications == 3


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"levers": {"coordinator.fte": {"low": 0.0, "high": 2.0}}}, "coordinator.fte"),
        ({"levers": {"coordinator.speed": {"low": 0.0, "high": 1.0}}}, "coordinator.speed: unknown key"),
        ({"levers": {"coordinator.fte": {"low": 1.0, "high": 0.0}}}, "needs 'low' < 'high'"),
        ({"levers": {"sponsor.mandate": {"values": [True]}}}, "has one value"),
        ({"levers": UNCERTAIN, "uncertainties": UNCERTAIN}, "both a lever and an uncertainty"),
        ({"levers": LEVERS, "outcomes": ["speed"]}, "'speed' is not a summary outcome"),
        ({"levers": LEVERS, "replicates": 0}, "replicates: 0 is out of range"),
        ({}, "give at least one parameter"),
    ],
)
def test_bad_input_is_refused_in_one_line(options, words):
    with pytest.raises(copsim.ConfigError) as exc:
        copsim.ema.model_for("rumble_strips", fixed=TINY, **options)
    assert words in str(exc.value) and "\n" not in str(exc.value)


def test_without_the_workbench_one_line_names_the_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import ema_workbench now fails
    monkeypatch.delitem(sys.modules, "copsim.ema")
    monkeypatch.delattr(copsim, "ema")
    with pytest.raises(ModuleNotFoundError) as exc:
        importlib.import_module("copsim.ema")
    assert (
        str(exc.value)
        == 'copsim.ema needs the EMA workbench; install it with pip install "copsim[discovery]"'
    )

    from copsim.analysis import cli

    with pytest.raises(SystemExit) as stop:
        cli.discover(
            ["--run", str(REPO / "experiments" / "lever_space.yaml"), "--out", str(tmp_path / "out")]
        )
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and 'pip install "copsim[discovery]"' in err
    assert not (tmp_path / "out").exists()


def test_runs_frame_is_copsims_run_table(eight):
    model, experiments, outcomes = eight
    runs = copsim.ema.runs_frame(model, experiments, outcomes)
    assert list(runs.columns[:8]) == [
        "condition_id",
        "coordinator.fte",
        "sponsor.mandate",
        "coordinator.team_size",
        "adoption.p",
        "scenario",
        "sample",
        "replicate",
    ]
    assert runs["sponsor.mandate"].dtype == bool and runs["coordinator.team_size"].dtype == np.int64
    assert (runs["scenario"] == "rumble_strips").all() and runs["sample"].tolist() == list(range(8))
    pd.testing.assert_series_equal(
        runs["t50_years"], pd.Series(outcomes["t50_years"], name="t50_years"), check_names=True
    )
