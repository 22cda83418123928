"""Regenerate tests/baseline.json, the regression baseline, when a change of results is intended.

    .venv/bin/python scripts/regenerate_baseline.py --note "why the results changed"

The baseline holds the summary of one small fixed-seed run of every scenario (the cases below:
scenario + overrides that shrink it to well under a second). ``tests/test_baseline.py`` reruns
each case and diffs every summary value against the file (relative tolerance 1e-9), printing a
table of what changed. Regenerate only when the change is intended, and say why in ``--note``;
the notes accumulate in the file's ``history`` so the reasons stay with the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

import copsim

BASELINE = Path(__file__).resolve().parents[1] / "tests" / "baseline.json"
SMALL = ("world.n_organizations=12", "world.n_practitioners=90", "horizon_weeks=104", "seed=7")

#: name -> (scenario, overrides); small worlds, two years, a fixed seed
CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "rumble_strips": ("rumble_strips", SMALL),
    "rumble_strips_baseline": ("rumble_strips", (*SMALL, "community.enabled=false")),
    "e_regulation": ("e_regulation", SMALL),
    "safecities": ("safecities", SMALL),
    "company_command": ("company_command", (*SMALL, "demography.wave=true")),
    "bass": ("bass", ("world.n_organizations=300", "horizon_weeks=260", "seed=7")),
}


def jsonable(value):
    """Summary value as JSON: NaN -> None, numpy scalars -> Python numbers."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) or hasattr(value, "item"):
        value = value.item() if hasattr(value, "item") else value
        if isinstance(value, float) and math.isnan(value):
            return None
        return value
    return value


def run_case(scenario: str, overrides: tuple[str, ...] | list[str]) -> dict:
    """Summary of one run of ``scenario`` with ``overrides``, JSON-ready."""
    result = copsim.simulate(copsim.load_config(scenario, list(overrides)))
    return {k: jsonable(v) for k, v in result.summary.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--note", required=True, help="why the results changed (kept in the file's history)")
    args = ap.parse_args(argv)
    if not args.note.strip():
        print("regenerate_baseline: --note must say why the baseline changes", file=sys.stderr)
        return 2
    history = json.loads(BASELINE.read_text()).get("history", []) if BASELINE.exists() else []
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    history.append({"date": stamp, "copsim": copsim.__version__, "note": args.note.strip()})
    cases = {
        name: {"scenario": scenario, "overrides": list(overrides), "summary": run_case(scenario, overrides)}
        for name, (scenario, overrides) in CASES.items()
    }
    data = {"tolerance": {"relative": 1e-9, "absolute": 1e-12}, "history": history, "cases": cases}
    BASELINE.write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {BASELINE} ({len(cases)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
