"""What does it take? The least coordinator time that meets a target, in most runs.

A target is a time and a share of runs: "half of the units adopt within 5 years in at least 8
of 10 runs" (for CompanyCommand: "half of the new commanders are competent within 40 weeks ...").
Each candidate setting is an ensemble on the common seeds (:func:`copsim.simulate_ensemble`);
the search bisects a grid of coordinator hours per week (0 to 40 in steps of 2), assuming more
coordinator time never makes the target less likely (it checks both ends first, and says so
plainly when even 40 hours a week do not meet the target, or when none is needed). Every
setting it ran is kept, so the answer comes with the curve of "runs meeting the target" against
coordinator time.

Command line (writes ``search.csv`` and ``search.png`` into ``--out``; one progress line per
setting tried)::

    copsim-target --scenario e_regulation --within 5 --runs 10 --at-least 8 --out results/what-it-takes

The dashboard runs the same search (:class:`Target`, :func:`search`) in its queue.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: coordinator hours per week the search may choose among
HOURS = tuple(range(0, 41, 2))
HOURS_PER_FTE = 40.0
PROG = "copsim-target"


@dataclass(frozen=True)
class Target:
    """``outcome`` within ``within`` (its own unit) in at least ``at_least`` of ``runs`` runs."""

    outcome: str  # t50_years or time_to_talent_weeks
    within: float
    runs: int
    at_least: int

    def check(self) -> Target:
        if self.outcome not in ("t50_years", "t90_years", "time_to_talent_weeks"):
            raise ValueError(f"outcome: {self.outcome!r} is not a time to a threshold")
        if not (math.isfinite(self.within) and self.within > 0):
            raise ValueError(f"within: {self.within!r} is out of range; a time above 0")
        if not 2 <= self.runs <= 100:
            raise ValueError(f"runs: {self.runs!r} is out of range; allowed 2 to 100")
        if not 1 <= self.at_least <= self.runs:
            raise ValueError(f"at_least: {self.at_least!r} is out of range; allowed 1 to {self.runs}")
        return self

    def met_in(self, times) -> int:
        """How many runs get there within the target time (runs that never get there do not)."""
        values = np.asarray(times, float)
        return int(np.sum(~np.isnan(values) & (values <= self.within + 1e-9)))


@dataclass
class SearchResult:
    """The settings tried (hours a week, runs meeting the target) and the answer."""

    target: Target
    tried: dict[float, int]  # coordinator hours per week -> runs meeting the target
    answer: float | None  # the least hours that meet it; None when none within range does

    def table(self) -> pd.DataFrame:
        rows = sorted(self.tried.items())
        return pd.DataFrame(
            {
                "coordinator_hours_per_week": [h for h, _ in rows],
                "coordinator_fte": [h / HOURS_PER_FTE for h, _ in rows],
                "runs_meeting_target": [k for _, k in rows],
                "runs": self.target.runs,
                "meets_target": [k >= self.target.at_least for _, k in rows],
            }
        )


def search(target: Target, evaluate: Callable[[float], np.ndarray], hours=HOURS) -> SearchResult:
    """Bisect ``hours`` for the least coordinator time whose runs meet ``target``.

    ``evaluate(h)`` returns the per-run times (NaN: not reached) with ``h`` hours a week.
    """
    target.check()
    hours = sorted(hours)
    tried: dict[float, int] = {}

    def meets(i: int) -> bool:
        h = hours[i]
        if h not in tried:
            tried[h] = target.met_in(evaluate(h))
        return tried[h] >= target.at_least

    if not meets(len(hours) - 1):
        return SearchResult(target, tried, None)
    if meets(0):
        return SearchResult(target, tried, hours[0])
    lo, hi = 0, len(hours) - 1  # lo fails, hi meets
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return SearchResult(target, tried, hours[hi])


def check_within_horizon(target: Target, horizon_weeks: int) -> None:
    """ValueError when the target time lies beyond the simulated horizon (no run could show it)."""
    per_week = 1.0 if target.outcome.endswith("weeks") else 1 / 52
    if target.within > horizon_weeks * per_week + 1e-9:
        limit = horizon_weeks * per_week
        raise ValueError(f"within: {target.within:g} is out of range; allowed up to the horizon, {limit:g}")


def sentence(result: SearchResult, subject: str, unit: str) -> str:
    """The answer in one sentence, e.g. "The least coordinator time with which ... is 24 hours a week"."""
    t = result.target
    goal = f"{subject} within {t.within:g} {unit} in at least {t.at_least} of {t.runs} runs"
    if result.answer is None:
        best = max(result.tried.values())
        return (
            f"No coordinator time from 0 to 40 hours a week makes {goal}: at 40 hours a week it happens in "
            f"{result.tried[max(result.tried)]} of {t.runs} runs (at best {best} among the settings tried)."
        )
    if result.answer == 0:
        return (
            f"No coordinator time is needed: with 0 hours a week {subject} within {t.within:g} {unit} in "
            f"{result.tried[0]} of {t.runs} runs."
        )
    below = max((h for h in result.tried if h < result.answer), default=None)
    text = (
        f"The least coordinator time with which {goal} is {result.answer:g} hours a week "
        f"({result.answer / HOURS_PER_FTE:.2f} FTE): {result.tried[result.answer]} of {t.runs} runs"
    )
    if below is not None:
        text += f", against {result.tried[below]} at {below:g} hours"
    return text + "."


def plot(result: SearchResult, path: Path, title: str) -> Path:
    """Runs meeting the target against coordinator time, for the settings tried."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = result.table()
    fig, ax = plt.subplots(figsize=(6, 3.4), dpi=110)
    ax.plot(table["coordinator_hours_per_week"], table["runs_meeting_target"], marker="o", color="#1b6ca8")
    ax.axhline(result.target.at_least, color="black", linestyle=":", linewidth=0.8,
               label=f"target: {result.target.at_least} of {result.target.runs} runs")  # fmt: skip
    if result.answer is not None:
        ax.axvline(
            result.answer, color="#d95f02", linestyle="--", linewidth=0.8, label=f"least: {result.answer:g} h"
        )
    ax.set(xlabel="coordinator hours per week", ylabel="runs meeting the target", xlim=(-1, 41),
           ylim=(-0.3, result.target.runs + 0.3), title=title)  # fmt: skip
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def ensemble_times(config, outcome: str, runs: int) -> Callable[[float], np.ndarray]:
    """``evaluate`` for :func:`search`: the config with ``h`` hours a week, ``runs`` replicates."""
    from ..api import simulate_ensemble

    def evaluate(hours: float) -> np.ndarray:
        changed = dataclasses.replace(
            config, coordinator=dataclasses.replace(config.coordinator, fte=round(hours / HOURS_PER_FTE, 4))
        )
        return simulate_ensemble(changed, runs).summary[outcome].to_numpy(float)

    return evaluate


def main(argv: list[str] | None = None) -> None:
    """Command line: the search for one scenario, its table and figure written to ``--out``."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="rumble_strips", help="a scenario name or a YAML file")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="config override (repeatable)"
    )
    parser.add_argument("--outcome", default=None, help="t50_years (default) or time_to_talent_weeks")
    parser.add_argument("--within", type=float, required=True, help="the target time, in the outcome's unit")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--at-least", type=int, default=8, help="runs that must meet the target")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from ..model.config import ConfigError, load_config

    outcome = args.outcome or ("time_to_talent_weeks" if args.scenario == "company_command" else "t50_years")
    try:
        config = load_config(args.scenario, args.set)
        target = Target(outcome, args.within, args.runs, args.at_least).check()
        check_within_horizon(target, config.horizon_weeks)
        args.out.mkdir(parents=True, exist_ok=True)
    except (ConfigError, ValueError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        sys.exit(2)
    evaluate = ensemble_times(config, outcome, args.runs)

    def evaluate_and_say(hours: float) -> np.ndarray:
        times = evaluate(hours)
        met = target.met_in(times)
        print(f"{PROG}: {hours:g} hours a week: {met} of {target.runs} runs meet the target", file=sys.stderr)
        return times

    result = search(target, evaluate_and_say)
    result.table().to_csv(args.out / "search.csv", index=False)
    unit = "weeks" if outcome.endswith("weeks") else "years"
    subject = (
        "half of the new hires are competent"
        if outcome == "time_to_talent_weeks"
        else "half of the units adopt"
    )
    plot(result, args.out / "search.png", f"{args.scenario}: {subject} within {args.within:g} {unit}")
    print(sentence(result, subject, unit))
    print(f"{PROG}: wrote {args.out}/search.csv, search.png")


if __name__ == "__main__":
    main()
