"""Scenario discovery: PRIM finds a box planted in synthetic data, the target language is strict,
and ``copsim-discover`` runs a Latin-hypercube sample of the model end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from copsim.analysis import cli, discovery, load, plot_sweep
from copsim.analysis.sweep import Sweep

pytest.importorskip("ema_workbench")
REPO = Path(__file__).resolve().parents[1]


def planted(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Runs where half of the states adopt within 4 years exactly when FTE >= 0.4 and sponsorship
    >= 0.5 (plus noise); the imitation coefficient and the mandate play no part."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "coordinator.fte": rng.random(n),
            "sponsor.level": rng.random(n),
            "adoption.q": rng.uniform(0.2, 0.5, n),
            "sponsor.mandate": rng.random(n) < 0.5,
        }
    )
    inside = (x["coordinator.fte"] >= 0.4) & (x["sponsor.level"] >= 0.5)
    t50 = np.where(inside, 3.0, 6.0) + rng.normal(0, 0.3, n)
    t50[~inside & (rng.random(n) < 0.3)] = np.nan  # some runs never reach 50 % (censored)
    return x.assign(scenario="rumble_strips", replicate=0, seed=1, t50_years=t50, t50_censored=np.isnan(t50))


def test_prim_finds_the_planted_box():
    runs = planted()
    sweep = Sweep(Path("synthetic"), runs, None, None, {}, ["scenario", *runs.columns[:4]])
    result = discovery.discover(sweep, "t50_years < 4")
    box = result["boxes"][0]
    assert set(box["limits"]) == {"coordinator.fte", "sponsor.level"}
    assert box["limits"]["coordinator.fte"][0] == pytest.approx(0.4, abs=0.05)
    assert box["limits"]["sponsor.level"][0] == pytest.approx(0.5, abs=0.05)
    assert box["density"] >= 0.9 and box["coverage"] >= 0.9
    sentence = result["sentences"][1]
    fte = re.search(r"a coordinator of at least ([\d.]+) FTE", sentence)
    sponsor = re.search(r"sponsorship of at least ([\d.]+)", sentence)
    assert float(fte.group(1)) == pytest.approx(0.4, abs=0.05), sentence
    assert float(sponsor.group(1)) == pytest.approx(0.5, abs=0.05), sentence
    assert re.match(r"In \d+ % of runs with", sentence)
    assert "half of the states adopt within 4 years" in sentence


def test_censored_runs_fail_a_deadline_and_meet_a_delay():
    runs = pd.DataFrame({"t50_years": [3.0, np.nan, 5.0], "t50_censored": [False, True, False]})
    assert discovery.target_met(runs, "t50_years < 4").tolist() == [True, False, False]
    assert discovery.target_met(runs, "t50_years > 4").tolist() == [False, True, True]


@pytest.mark.parametrize(
    ("target", "words"), [("t50_years = 4", "not understood"), ("speed < 4", "not an outcome")]
)
def test_bad_targets_are_refused(tmp_path, capsys, target, words):
    planted(50).to_parquet(tmp_path / "runs.parquet")
    with pytest.raises(SystemExit) as exc:
        cli.discover([str(tmp_path), "--target", target])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and words in err and "Traceback" not in err


def test_cli_writes_boxes_and_a_sentence(tmp_path, capsys):
    planted().to_parquet(tmp_path / "runs.parquet")
    cli.discover([str(tmp_path), "--target", "t50_years < 4"])
    out = capsys.readouterr().out
    assert "half of the states adopt within 4 years" in out
    written = json.loads((tmp_path / "discovery" / "discovery.json").read_text())
    assert written["boxes"] and (tmp_path / "discovery" / "discovery.png").is_file()
    assert pd.read_csv(tmp_path / "discovery" / "boxes.csv")["input"].tolist() == [
        "coordinator.fte",
        "sponsor.level",
    ]


def test_lever_space_spec_is_valid_and_the_sample_is_latin():
    import copsim.ema

    spec = discovery.read_spec(REPO / "experiments" / "lever_space.yaml")
    model = copsim.ema.model_from_spec(spec)
    scenarios, policies = copsim.ema.lhs_design(model, 40, root_seed=5)
    levers = pd.DataFrame([dict(point) for point in policies])
    uncertain = pd.DataFrame([dict(point) for point in scenarios])
    for column, (low, high) in (("coordinator_fte", (0, 1)), ("support_team_staff", (0, 6))):
        strata = np.floor((levers[column] - low) / (high - low) * 40).astype(int)
        assert sorted(strata) == list(range(40)), column  # one point per stratum: a Latin hypercube
    strata = np.floor((uncertain["adoption_q"] - 0.2) / 0.3 * 40).astype(int)
    assert sorted(strata) == list(range(40))
    assert sorted(levers["sponsor_mandate"]) == [False] * 20 + [True] * 20
    again, _ = copsim.ema.lhs_design(model, 40, root_seed=5)
    other, _ = copsim.ema.lhs_design(model, 40, root_seed=6)
    assert (again.samples == scenarios.samples).all() and not (other.samples == scenarios.samples).all()


def small_spec(tmp_path: Path, **extra) -> Path:
    spec = {
        "scenario": "rumble_strips",
        "samples": 4,
        "root_seed": 4,
        "fixed": ["horizon_weeks=26", "world.n_practitioners=40", "world.n_organizations=8"],
        "levers": {"coordinator.fte": {"low": 0.0, "high": 1.0}},
        "uncertain": {"adoption.p": {"low": 0.05, "high": 3.0}},
        **extra,
    }
    path = tmp_path / "space.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_run_samples_the_model_and_discovers(tmp_path, capsys):
    path = small_spec(tmp_path)
    cli.discover(["--run", str(path), "--out", str(tmp_path / "lhs"), "--target", "t50_years < 0.5"])
    runs = pd.read_parquet(tmp_path / "lhs" / "runs.parquet")
    assert len(runs) == 4 and runs["adoption.p"].between(0.05, 3.0).all()
    assert (tmp_path / "lhs" / "discovery" / "discovery.json").is_file()
    manifest = json.loads((tmp_path / "lhs" / "manifest.json").read_text())
    assert manifest["kind"] == "sample" and "EMA workbench" in manifest["design"]["sampler"]
    assert manifest["design"]["levers"] == ["coordinator.fte"] and manifest["versions"]["ema-workbench"]
    figures = plot_sweep(load(tmp_path / "lhs"), network=False)  # a sample gets its own figure
    assert [p.stem for p in figures] == ["sample_scatter"]
    assert "sampled runs" in capsys.readouterr().out


def test_the_same_seed_gives_the_same_runs_with_one_and_two_workers(tmp_path):
    spec = discovery.read_spec(small_spec(tmp_path, samples=6, replicates=2))
    one = discovery.run_lever_space(spec, tmp_path / "one", workers=1)
    two = discovery.run_lever_space(spec, tmp_path / "two", workers=2)
    assert (tmp_path / "one" / "runs.parquet").read_bytes() == (
        tmp_path / "two" / "runs.parquet"
    ).read_bytes()
    assert len(one) == 12 and one["replicate"].tolist() == [0, 1] * 6
    assert one.groupby("sample")["seed"].apply(list).map(tuple).nunique() == 1  # paired seeds
    assert one.groupby("sample")["adoption.p"].nunique().eq(1).all()  # replicates share their point
    assert not one["final_adoption_share"].isna().any()
    pd.testing.assert_frame_equal(one, two)
    other = discovery.run_lever_space({**spec, "root_seed": 5}, tmp_path / "other")
    assert not np.allclose(other["coordinator.fte"], one["coordinator.fte"])


@pytest.mark.timeout(120)  # EMA's own pool evaluator would wait for a failed run forever
@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_run_is_reported_in_one_line_and_nothing_is_written(tmp_path, monkeypatch, capsys, workers):
    import copsim.ema

    def broken(self, seed, **values):
        raise RuntimeError("the model broke")

    monkeypatch.setattr(copsim.ema.Simulation, "__call__", broken)
    with pytest.raises(SystemExit) as stop:
        cli.discover(
            ["--run", str(small_spec(tmp_path)), "--out", str(tmp_path / "lhs"), "--workers", str(workers)]
        )
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # after the traceback EMA logs
    assert stop.value.code == 2
    assert (
        last == "copsim-discover: error: a model run failed (RuntimeError: the model broke); nothing written"
    )
    assert not (tmp_path / "lhs").exists()
