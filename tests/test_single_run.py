"""``copsim-run`` for one configuration: results on good input, one line and nothing written on bad."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

COPSIM_RUN = shutil.which("copsim-run", path=str(Path(sys.executable).parent))
TINY = ["world.n_organizations=8", "world.n_practitioners=40", "horizon_weeks=30"]


def _run(args, cwd):
    return subprocess.run(
        [COPSIM_RUN, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HYDRA_FULL_ERROR": "0"},
    )


def test_a_run_writes_summary_series_config_and_figure(tmp_path):
    out = tmp_path / "out"
    result = _run(["scenario=safecities", *TINY, "replicates=2", f"out={out}"], tmp_path)
    assert result.returncode == 0, result.stderr
    summary = pd.read_csv(out / "summary.csv")
    # condition means what it means in a sweep: the index of the condition (the run, its baseline)
    assert len(summary) == 4 and list(summary["condition"].unique()) == [0, 1]
    assert list(summary["label"].unique()) == ["safecities", "safecities baseline"]
    assert list(summary["community.enabled"].unique()) == [True, False]
    # the baseline is paired: the same seeds as the community runs
    seeds = summary.groupby("condition")["seed"].apply(list)
    assert seeds[0] == seeds[1]
    assert (out / "adoption.png").stat().st_size > 10_000
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert ts["week"].max() == 30 and {"replicate", "condition", "adoption_share"} <= set(ts.columns)
    assert "years to 50 % adoption" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # Hydra wrote nothing else


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("coordinator.fte=1.5", "coordinator.fte: 1.5 is out of range"),
        ("coordinator.ftee=0.5", "coordinator.ftee: unknown key"),
        ("sponsor.level=high", "sponsor.level"),
        ("scenario=atlantis", "scenario: 'atlantis' is unknown"),
        ("replicates=0", "replicates: 0 is out of range"),
    ],
)
def test_bad_input_prints_one_line_exits_non_zero_and_writes_nothing(tmp_path, arg, expected):
    result = _run([*TINY, arg], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert list(tmp_path.iterdir()) == []
