"""Regression baseline: small fixed-seed runs of every scenario reproduce tests/baseline.json.

A failure prints a table of every summary value that changed. If the change is intended,
regenerate the file with ``scripts/regenerate_baseline.py --note "why"`` and commit both.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from regenerate_baseline import CASES, run_case  # noqa: E402

BASELINE = json.loads((ROOT / "tests" / "baseline.json").read_text())
REL, ABS = BASELINE["tolerance"]["relative"], BASELINE["tolerance"]["absolute"]


def same(expected, actual) -> bool:
    """Equal within the tolerance; None (NaN, censored) only equals None; bools exactly."""
    if expected is None or actual is None or isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=REL, abs_tol=ABS)
    return expected == actual


def diff_table(name: str, expected: dict, actual: dict) -> list[str]:
    """Rows ``case | key | baseline | now | relative change`` for every value that differs."""
    rows = []
    for key in sorted(set(expected) | set(actual)):
        e, a = expected.get(key, "<missing>"), actual.get(key, "<missing>")
        if not same(e, a):
            rel = ""
            if isinstance(e, int | float) and isinstance(a, int | float) and not isinstance(e, bool) and e:
                rel = f"{(a - e) / abs(e):+.3g}"
            rows.append(f"| {name} | {key} | {e} | {a} | {rel} |")
    return rows


def test_baseline_covers_every_case_and_every_scenario():
    import copsim

    assert set(BASELINE["cases"]) == set(CASES)
    assert {c["scenario"] for c in BASELINE["cases"].values()} == set(copsim.scenario_names())
    assert all(entry["note"] for entry in BASELINE["history"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_scenario_summary_matches_the_baseline(name):
    case = BASELINE["cases"][name]
    assert (case["scenario"], tuple(case["overrides"])) == CASES[name]
    rows = diff_table(name, case["summary"], run_case(case["scenario"], case["overrides"]))
    header = ["| case | key | baseline | now | relative change |", "|---|---|---|---|---|"]
    assert not rows, (
        f"{len(rows)} summary value(s) of {name!r} differ from tests/baseline.json:\n"
        + "\n".join(header + rows)
        + "\nIf intended: .venv/bin/python scripts/regenerate_baseline.py --note 'why'"
    )


def test_the_diff_table_names_what_changed():
    rows = diff_table(
        "x", {"a": 1.0, "b": None, "c": True, "d": 2}, {"a": 1.0 + 1e-6, "b": None, "c": False, "d": 2}
    )
    assert rows == ["| x | a | 1.0 | 1.000001 | +1e-06 |", "| x | c | True | False |  |"]
