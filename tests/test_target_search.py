"""What does it take? The least coordinator time that meets a target (copsim.analysis.target_search)."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from copsim.analysis.target_search import HOURS, Target, check_within_horizon, search, sentence

NAN = math.nan
COPSIM_TARGET = shutil.which("copsim-target", path=str(Path(sys.executable).parent))


def fake_evaluate(threshold_hours: float, runs: int = 10):
    """Runs reach 50 % in 3 years with at least ``threshold_hours`` a week, else never; counts calls."""
    calls = []

    def evaluate(hours: float) -> np.ndarray:
        calls.append(hours)
        return np.array([3.0 if hours >= threshold_hours else NAN] * runs)

    return evaluate, calls


@pytest.mark.parametrize("threshold", [2, 14, 24, 38, 40])
def test_bisection_finds_the_least_hours_that_meet_the_target_in_few_steps(threshold):
    evaluate, calls = fake_evaluate(threshold)
    result = search(Target("t50_years", 5.0, 10, 8), evaluate)
    assert result.answer == threshold
    assert len(calls) == len(set(calls)) <= 2 + math.ceil(math.log2(len(HOURS) - 1))
    assert result.tried[threshold] == 10 and all(k == 0 for h, k in result.tried.items() if h < threshold)


def test_no_setting_within_range_is_said_plainly():
    evaluate, calls = fake_evaluate(60)
    result = search(Target("t50_years", 5.0, 10, 8), evaluate)
    assert result.answer is None and calls == [40]
    text = sentence(result, "half of the states adopt the practice", "years")
    assert text.startswith("No coordinator time from 0 to 40 hours a week makes half of the states adopt")
    assert "in 0 of 10 runs" in text


def test_none_needed_and_a_partial_count_in_the_sentence():
    evaluate, _ = fake_evaluate(0)
    assert search(Target("t50_years", 5.0, 10, 8), evaluate).answer == 0

    def graded(hours):  # more hours: more runs within 5 years
        k = min(10, int(hours // 4))
        return np.array([4.0] * k + [7.0] * (10 - k))

    result = search(Target("t50_years", 5.0, 10, 8), graded)
    assert result.answer == 32
    text = sentence(result, "half of the states adopt the practice", "years")
    assert "is 32 hours a week (0.80 FTE): 8 of 10 runs, against 7 at 30 hours." in text
    table = result.table()
    assert list(table.columns) == [
        "coordinator_hours_per_week", "coordinator_fte", "runs_meeting_target", "runs", "meets_target",
    ]  # fmt: skip
    assert table["meets_target"].tolist() == [k >= 8 for k in table["runs_meeting_target"]]


def test_targets_are_checked_before_any_run():
    for bad, match in [
        (Target("members", 5, 10, 8), "outcome"),
        (Target("t50_years", 0, 10, 8), "within"),
        (Target("t50_years", 5, 10, 11), "at_least"),
        (Target("t50_years", 5, 1, 1), "runs"),
    ]:
        with pytest.raises(ValueError, match=match):
            bad.check()
    with pytest.raises(ValueError, match="within: 12 is out of range; allowed up to the horizon, 10"):
        check_within_horizon(Target("t50_years", 12, 10, 8), 520)


def test_the_command_line_writes_its_table_and_figure(tmp_path):
    out = tmp_path / "search"
    done = subprocess.run(
        [COPSIM_TARGET, "--scenario", "e_regulation",
         "--set", "world.n_practitioners=60", "--set", "horizon_weeks=156", "--within", "2",
         "--runs", "3", "--at-least", "2", "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out / "search.csv")
    assert (out / "search.png").stat().st_size > 5_000
    assert set(table["coordinator_hours_per_week"]) <= set(HOURS) and 40 in set(
        table["coordinator_hours_per_week"]
    )
    progress = done.stderr.splitlines()
    assert progress[0].startswith("copsim-target: 40 hours a week: ") and len(progress) == len(table)
    first = done.stdout.splitlines()[0]
    assert first.startswith(("The least coordinator time", "No coordinator time")), done.stdout
    bad = subprocess.run(
        [COPSIM_TARGET, "--within", "99", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "copsim-target: error: within: 99 is out of range; allowed up to the horizon, 10"
    ]
