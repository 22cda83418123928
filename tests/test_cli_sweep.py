"""``copsim-run -m``: sweeps end to end — results store, resume after SIGKILL, failures, launchers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import copsim_run
from copsim.experiments import runner
from copsim.experiments.cli import collect
from copsim.model.streams import replicate_seeds

COPSIM_RUN = shutil.which("copsim-run", path=str(Path(sys.executable).parent))
TINY = ["horizon_weeks=20", "world.n_practitioners=60", "world.n_organizations=10", "replicates=2"]
#: 2 FTE x 2 sponsorship levels in safecities, plus its baseline: 5 conditions x 2 replicates
SWEEP = [
    "+experiment=coordinator_sponsorship",
    "scenario=safecities",
    "coordinator.fte=0,0.5",
    "sponsor.level=0,1",
]
AGGREGATES = ("runs.parquet", "timeseries.parquet", "conditions.csv", "failures.csv")


def sweep(*args: str) -> int:
    """Run ``copsim-run -m ARGS`` in this process (basic launcher runs jobs here); the exit status."""
    return copsim_run("-m", *args)


def same_aggregates(a: Path, b: Path) -> None:
    for name in AGGREGATES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """An uninterrupted sweep with the basic launcher."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 0
    return out


def test_a_sweep_writes_one_row_per_replicate_with_paired_seeds(reference):
    runs = pd.read_parquet(reference / "runs.parquet")
    assert len(runs) == 5 * 2
    head = ["condition_id", "condition", "scenario", "community.enabled", "coordinator.fte", "sponsor.level"]
    assert list(runs.columns[: len(head) + 2]) == [*head, "replicate", "seed"]
    assert {"t50_weeks", "t50_censored", "final_adoption_share", "knowledge_retained"} <= set(runs.columns)
    # common random numbers: replicate r has the same seed in every condition, spawned from the root
    seeds = runs.groupby("replicate")["seed"].unique()
    assert [list(s) for s in seeds] == [[s] for s in replicate_seeds(0, 2)]
    assert runs["community.enabled"].sum() == 8  # one baseline condition
    assert sorted(runs.loc[runs["community.enabled"], "coordinator.fte"].unique()) == [0.0, 0.5]

    series = pd.read_parquet(reference / "timeseries.parquet")
    assert len(series) == 5 * 2 * 21 and series["week"].max() == 20
    assert {"condition_id", "coordinator.fte", "replicate", "adoption_share"} <= set(series.columns)

    conditions = pd.read_parquet(reference / "conditions.parquet")
    assert len(conditions) == 5 and set(conditions["status"]) == {"complete"}
    base = conditions.loc[~conditions["community.enabled"], "condition_id"].item()
    assert set(conditions.loc[conditions["community.enabled"], "baseline_id"]) == {base}
    assert {"final_adoption_share_mean", "final_adoption_share_diff_lo", "t50_weeks_censored_share"} <= set(
        conditions.columns
    )
    # the baseline shows the levers that applied: none (no coordinator without a community)
    assert (
        conditions.loc[~conditions["community.enabled"], ["coordinator.fte", "sponsor.level"]]
        .isna()
        .all(axis=None)
    )
    assert runs.loc[~runs["community.enabled"], "coordinator.fte"].isna().all()
    # conditions.csv is narrow: one row per condition and outcome, statistics side by side
    long = pd.read_csv(reference / "conditions.csv")
    assert len(long.columns) < 25 and set(long["condition_id"]) == set(conditions["condition_id"])
    row = long[(long["condition_id"] == base) & (long["outcome"] == "final_adoption_share")].iloc[0]
    assert (
        row["mean"] == conditions.loc[conditions["condition_id"] == base, "final_adoption_share_mean"].item()
    )
    assert row["unit"] == "share of adopting units"
    assert pd.read_csv(reference / "failures.csv").empty

    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["root_seed"] == 0
    assert manifest["experiment"] == "coordinator_sponsorship"
    assert {"copsim", "mesa", "numpy", "python"} <= set(manifest["versions"])
    assert all(
        c["status"] == "complete" and c["config"]["horizon_weeks"] == 20 for c in manifest["conditions"]
    )
    assert manifest["started"] <= manifest["finished"]
    # each condition's own files, and no numbered Hydra job folders
    assert len(list((reference / "conditions").glob("*/condition.json"))) == 5
    assert not (reference / "0").exists()


def test_running_the_same_sweep_again_skips_what_is_complete(reference, tmp_path, capsys):
    again = tmp_path / "again"
    shutil.copytree(reference, again)
    stamps = {p: p.stat().st_mtime_ns for p in again.glob("conditions/*/condition.json")}
    assert sweep(*SWEEP, *TINY, f"sweep_dir={again}") == 0
    assert "5 already complete, skipped" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    same_aggregates(reference, again)
    assert sweep(*SWEEP, *TINY, f"sweep_dir={again}", "force=true") == 0  # force reruns all
    assert all(p.stat().st_mtime_ns > stamps[p] for p in stamps)
    same_aggregates(reference, again)


def test_copsim_collect_rebuilds_the_aggregates_from_the_condition_files(reference, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(reference, copy)
    for name in (*AGGREGATES, "manifest.json"):
        (copy / name).unlink()
    with pytest.raises(SystemExit) as done:
        collect([str(copy)])
    assert done.value.code == 0
    same_aggregates(reference, copy)
    (copy / "sweep.json").unlink()  # copied back from elsewhere without the plan
    with pytest.raises(SystemExit):
        collect([str(copy)])
    pd.testing.assert_frame_equal(
        pd.read_parquet(copy / "runs.parquet"), pd.read_parquet(reference / "runs.parquet")
    )


def test_a_failing_condition_is_recorded_and_the_rest_complete(reference, tmp_path, monkeypatch, capsys):
    real = runner.simulate_ensemble

    def flaky(config, replicates, progress=None):
        if config.community.enabled and config.coordinator.fte == 0.5:
            raise RuntimeError("injected failure for the test")
        return real(config, replicates, progress)

    out = tmp_path / "sweep"
    monkeypatch.setattr(runner, "simulate_ensemble", flaky)
    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 1
    err = capsys.readouterr().err
    assert f"2 of 5 conditions failed or did not finish; see {out / 'failures.csv'}" in err
    failures = pd.read_csv(out / "failures.csv")
    assert len(failures) == 2 and set(failures["coordinator.fte"]) == {0.5}
    assert set(failures["error"]) == {"RuntimeError: injected failure for the test"}
    assert failures["traceback"].str.contains("flaky").all()
    assert len(pd.read_parquet(out / "runs.parquet")) == 3 * 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"total": 5, "complete": 3, "failed": 2, "not run": 0}
    assert sum("injected" in (c["traceback"] or "") for c in manifest["conditions"]) == 2

    monkeypatch.setattr(runner, "simulate_ensemble", real)  # fixed: a rerun runs only the two
    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 0
    assert "3 already complete, skipped" in capsys.readouterr().err
    same_aggregates(reference, out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["+experiment=no_such_experiment"], "experiment: 'no_such_experiment' is unknown"),
        (
            ["scenario=safecities", "coordinator.fte=0,0.5", "coordinator.ftee=1"],
            "coordinator.ftee: unknown key",
        ),
        (
            ["scenario=safecities", "coordinator.fte=0,0.5", "sponsor.level=0,2"],
            "sponsor.level: 2.0 is out of range",
        ),
        (
            ["coordinator.fte=0,1", "hydra/launcher=no_such_launcher"],
            "hydra/launcher: 'no_such_launcher' is unknown",
        ),
    ],
)
def test_bad_input_stops_before_any_job_with_one_line_and_writes_nothing(
    tmp_path, monkeypatch, capsys, args, message
):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "sweep"
    assert sweep(*args, *TINY, f"sweep_dir={out}") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"copsim-run: error: {message}")
    assert list(tmp_path.iterdir()) == []


def test_sigkill_mid_sweep_then_resume_gives_identical_aggregates(reference, tmp_path):
    out = tmp_path / "sweep"
    proc = subprocess.Popen(
        [COPSIM_RUN, "-m", *SWEEP, *TINY, f"sweep_dir={out}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if list(out.glob("conditions/*/condition.json")):
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    done = len(list(out.glob("conditions/*/condition.json")))
    assert 1 <= done < 5
    assert not (out / "manifest.json").exists()

    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 0
    same_aggregates(reference, out)


def test_the_joblib_launcher_gives_the_same_runs_as_the_basic_launcher(reference, tmp_path):
    out = tmp_path / "sweep"
    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2") == 0
    same_aggregates(reference, out)
    pids = {json.loads(p.read_text())["pid"] for p in out.glob("conditions/*/condition.json")}
    assert os.getpid() not in pids  # the jobs really ran in worker processes


@pytest.mark.slow
def test_the_ray_launcher_gives_the_same_runs_as_the_basic_launcher(reference, tmp_path):
    ray = pytest.importorskip("ray")
    pytest.importorskip("hydra_plugins.hydra_ray_launcher")
    out = tmp_path / "sweep"
    args = [f"sweep_dir={out}", "hydra/launcher=ray", "+hydra.launcher.ray.init.num_cpus=2"]
    try:
        assert sweep(*SWEEP, *TINY, *args) == 0  # starts a local Ray instance (a few seconds)
    finally:
        ray.shutdown()
    same_aggregates(reference, out)
    pids = {json.loads(p.read_text())["pid"] for p in out.glob("conditions/*/condition.json")}
    assert os.getpid() not in pids
