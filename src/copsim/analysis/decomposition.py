"""Where a community's gain comes from: its channels switched on one at a time, on the same seeds.

A community reaches adoption through several channels. Starting from dissemination alone without
the sponsor's endorsement, each step below switches one more on, and the change it makes (paired
replicate by replicate, so on common random numbers) is that channel's share of the gain:

1. **endorsement**: the sponsor endorses the practice (``sponsor.endorses``); no community yet.
   This step is the scenario's dissemination-only baseline, so it is *not* part of the
   community's gain (issue #18: the baseline gets the same endorsement).
2. **taking part**: the community runs, but neither teaches (``adoption.community_teaches``) nor
   exposes units through its ties (``adoption.community_ties_expose``): what remains is the time
   members spend (less implementation capacity) and what it does to motivation (recognition or
   a mandate's crowding-out, reaching the willingness to apply). This step can be negative.
3. **learning**: the community's meetings, questions, library and onboarding teach, lifting the
   units' know-how.
4. **tie exposure**: the community's new cross-boundary ties expose units to adopters.

The community's gain is the sum of steps 2-4 (the full community against the endorsed baseline).
The order is a choice: a channel's share can depend on which are already on, which the
sequential decomposition does not hide (the steps add up exactly to the total).

    copsim-decompose rumble_strips --replicates 20
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..api import simulate_ensemble
from ..model.config import ConfigError, CopConfig, load_config, with_values
from .stats import mean_ci

#: the conditions, in order; each switches one more channel on
STEPS: tuple[tuple[str, dict], ...] = (
    ("dissemination alone", {"community.enabled": False, "sponsor.endorses": False}),
    ("endorsement", {"community.enabled": False, "sponsor.endorses": True}),
    ("taking part", {"adoption.community_teaches": False, "adoption.community_ties_expose": False}),
    ("learning", {"adoption.community_teaches": True, "adoption.community_ties_expose": False}),
    ("tie exposure", {"adoption.community_teaches": True, "adoption.community_ties_expose": True}),
)
#: the steps that make up the community's gain over its (endorsed) baseline
COMMUNITY_CHANNELS = ("taking part", "learning", "tie exposure")
OUTCOMES = ("adopter_years", "final_adoption_share")


def conditions(config: CopConfig) -> dict[str, CopConfig]:
    """The decomposition's conditions for ``config`` (its levers kept, channels switched)."""
    return {name: with_values(config, values) for name, values in STEPS}


def decompose(config: CopConfig, replicates: int, outcomes: tuple[str, ...] = OUTCOMES) -> pd.DataFrame:
    """Each step's paired change of each outcome: mean, 95 % interval and the runs it helped in.

    Returns one row per step and outcome, plus a row "community (total)" per outcome: the full
    community against the endorsed baseline.
    """
    summaries = {name: simulate_ensemble(c, replicates).summary for name, c in conditions(config).items()}
    names = [name for name, _ in STEPS]
    rows = []
    for outcome in outcomes:
        values = {name: summaries[name][outcome].to_numpy(float) for name in names}
        steps = [(names[k], values[names[k]] - values[names[k - 1]]) for k in range(1, len(names))]
        steps.append(("community (total)", values[names[-1]] - values["endorsement"]))
        for step, diff in steps:
            mean, lo, hi = mean_ci(diff)
            rows.append(
                {
                    "outcome": outcome,
                    "step": step,
                    "mean": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "runs_up": int(np.sum(diff > 0)),
                    "runs_down": int(np.sum(diff < 0)),
                    "replicates": diff.size,
                }
            )
    return pd.DataFrame(rows)


def table(frame: pd.DataFrame, outcome: str = "adopter_years") -> str:
    """A Markdown table of one outcome's decomposition."""
    digits = 3 if "share" in outcome else 1
    lines = ["| step | change | 95 % interval | runs up / down |", "|---|---:|---|---|"]
    for row in frame[frame["outcome"] == outcome].itertuples():
        lines.append(
            f"| {row.step} | {row.mean:+.{digits}f} | "
            f"{row.ci_low:+.{digits}f} to {row.ci_high:+.{digits}f} | "
            f"{row.runs_up} / {row.runs_down} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``copsim-decompose SCENARIO``: print (and write) a case's decomposition."""
    parser = argparse.ArgumentParser(prog="copsim-decompose", description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="a scenario name (see copsim-run --help)")
    parser.add_argument("--replicates", type=int, default=20, help="paired replicates per condition")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", type=Path, help="write decomposition.csv here")
    args = parser.parse_args(argv)
    try:
        if args.replicates < 2:
            raise ConfigError(f"--replicates: {args.replicates} is out of range; allowed 2 or more")
        config = load_config(args.scenario, args.overrides)
    except ConfigError as exc:
        print(f"copsim-decompose: {exc}", file=sys.stderr)
        return 2
    frame = decompose(config, args.replicates)
    print(f"Where the community's gain comes from: {args.scenario}, {args.replicates} paired replicates\n")
    for outcome in OUTCOMES:
        print(f"{outcome}:\n{table(frame, outcome)}\n")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out / "decomposition.csv", index=False)
        print(f"copsim-decompose: wrote {args.out / 'decomposition.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
