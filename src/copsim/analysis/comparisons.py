"""Which conditions of a sweep can be told apart: paired comparisons of their times.

Replicate *r* of every condition with the same root seed has the same seed (common random
numbers), so two conditions are compared run by run (:func:`copsim.analysis.times.compare_paired`).
A condition is called faster than another only when the 95 % interval of the paired difference
excludes zero; the report and the heatmap use :func:`fastest` to say which conditions cannot be
told apart from the fastest with the runs the sweep has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .sweep import Sweep
from .times import PairedTimes, TimeSummary, compare_paired, summarize_times


def runs_of(sweep: Sweep, condition: pd.Series | dict) -> pd.DataFrame:
    """The condition's runs, one row per replicate, indexed by replicate."""
    return (
        sweep.select(sweep.runs, condition).drop_duplicates("replicate").set_index("replicate").sort_index()
    )


def condition_time(sweep: Sweep, condition: pd.Series | dict, outcome: str = "t50_years") -> TimeSummary:
    """The condition's time to a threshold over all its runs."""
    return summarize_times(runs_of(sweep, condition)[outcome].to_numpy(float))


def paired_between(
    sweep: Sweep, first: pd.Series | dict, second: pd.Series | dict, outcome: str = "t50_years"
) -> PairedTimes | None:
    """``first`` against ``second`` run by run (positive: first sooner); None when no run pairs.

    Runs pair when they share replicate and seed; conditions of different root seeds have none.
    """
    a, b = runs_of(sweep, first), runs_of(sweep, second)
    common = a.index.intersection(b.index)
    if "seed" in a and "seed" in b:
        common = common[(a.loc[common, "seed"].to_numpy() == b.loc[common, "seed"].to_numpy())]
    if len(common) == 0:
        return None
    return compare_paired(a.loc[common, outcome].to_numpy(float), b.loc[common, outcome].to_numpy(float))


@dataclass
class Fastest:
    """The condition with the shortest time, and those that cannot be told apart from it."""

    best: pd.Series
    time: TimeSummary
    peers: list[pd.Series]  # not told apart from the best (paired interval includes zero)
    others: int  # conditions compared with the best

    @property
    def alone(self) -> bool:
        """The best is sooner than every other condition beyond chance."""
        return not self.peers


def fastest(sweep: Sweep, conditions: pd.DataFrame, outcome: str = "t50_years") -> Fastest | None:
    """The fastest of ``conditions`` (rows with the sweep's condition keys) and its indistinct peers.

    None when no condition gets there in at least half of its runs.
    """
    times = [condition_time(sweep, row, outcome) for _, row in conditions.iterrows()]
    medians = np.array([t.median for t in times])
    if not np.isfinite(medians).any():
        return None
    best_at = int(np.argmin(medians))
    best = conditions.iloc[best_at]
    peers = []
    for i, (_, row) in enumerate(conditions.iterrows()):
        if i == best_at:
            continue
        paired = paired_between(sweep, best, row, outcome)
        if paired is None or not paired.first_surely_sooner:
            peers.append(row)
    return Fastest(best, times[best_at], peers, len(conditions) - 1)
