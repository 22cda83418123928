"""Check that a change to the model leaves every number bit for bit as it was.

    .venv/bin/python scripts/bit_identity.py save before.pkl    # on the code before the change
    .venv/bin/python scripts/bit_identity.py check before.pkl   # after it: exit 1 on any difference

Runs nine configurations (the four cases, the Bass scenario, the dissemination-only baseline, a
mandate with a retirement wave, a Watts-Strogatz world, and 4,200 practitioners) to the end and
compares the whole weekly series, the summary and the end state (every practitioner array, tie
trust and ends, adoption weeks) exactly, not within a tolerance. ``tests/baseline.json`` checks
summaries within 1e-9; this is the stricter check for optimisations that claim to change nothing.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

from copsim.config import load_config
from copsim.model import CopModel

CONFIGS = {
    "rumble_strips": ("rumble_strips", ["coordinator.fte=0.5", "sponsor.level=0.5"]),
    "rumble_strips_baseline": ("rumble_strips", ["community.enabled=false"]),
    "e_regulation": ("e_regulation", []),
    "safecities": ("safecities", []),
    "company_command_wave": ("company_command", ["demography.wave=true", "world.n_organizations=40"]),
    "bass": ("bass", ["world.n_organizations=300", "horizon_weeks=260"]),
    "mandate_wave": ("safecities", ["sponsor.mandate=true", "sponsor.level=0.8", "demography.wave=true"]),
    "watts_strogatz": ("rumble_strips", ["world.topology=watts_strogatz"]),
    "larger": (
        "rumble_strips",
        ["world.n_organizations=600", "world.n_practitioners=4200", "horizon_weeks=156", "seed=3"],
    ),
}


def run(scenario: str, overrides: list[str]) -> dict:
    """Weekly series, summary and end state of one run."""
    config = load_config(scenario, overrides)
    model = CopModel(config)
    for _ in range(config.horizon_weeks):
        model.step()
    people = model.people
    state = {name: getattr(people, name).copy() for name in people.__dataclass_fields__}
    for name in ("a", "b", "trust"):
        state[f"tie_{name}"] = model.ties.view(name).copy()
    state["adopted_week"] = model.adopted_week.copy()
    return {"series": model.recorder.data.copy(), "summary": model.summary(), "state": state}


def differences(before: dict, after: dict) -> list[str]:
    """Names of the parts of one run that are not bit for bit equal."""
    found = []
    if not np.array_equal(before["series"], after["series"]):
        found.append("weekly series")
    for key, value in before["summary"].items():
        other = after["summary"].get(key)
        both_nan = isinstance(value, float) and value != value and other != other
        if not both_nan and value != other:
            found.append(f"summary.{key}")
    for key, value in before["state"].items():
        if not np.array_equal(value, after["state"][key]):
            found.append(f"state.{key}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["save", "check"])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    results = {name: run(*config) for name, config in CONFIGS.items()}
    if args.mode == "save":
        args.file.write_bytes(pickle.dumps(results))
        print(f"saved {len(results)} runs to {args.file}")
        return
    saved = pickle.loads(args.file.read_bytes())
    changed = {name: differences(saved[name], results[name]) for name in results}
    changed = {name: parts for name, parts in changed.items() if parts}
    for name, parts in changed.items():
        print(f"{name}: {', '.join(parts)}")
    print("bit for bit identical" if not changed else f"{len(changed)} of {len(results)} runs differ")
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
