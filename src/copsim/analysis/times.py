"""Times to a threshold over all runs, censored runs included: one definition for every face.

A run's time to a threshold (half of the adopting units adopted, nine in ten, a new hire
competent) is *censored* when the run ends before it gets there: the time is only known to be
later than the horizon. Per-run tables hold it as NaN with a ``*_censored`` flag.

**Definition.** The time to a threshold of an ensemble of runs is the time by which at least
half of all runs have reached it: the median over *all* runs, a run that never got there
counting as later than any run that did (it sorts last). Every run is censored at the same
horizon, so this is exactly the Kaplan–Meier median. When fewer than half of the runs get
there within the horizon, the time is *not reached* (``inf`` here), said with the number of
runs that did. The page's card and headline, ``copsim-report`` and ``copsim-run``'s printed
summary all use :func:`summarize_times`, and the page's chart draws the curve that crosses the
threshold at exactly that time (:func:`ranked_curve`).

Around it, two ranges, named differently because they answer different questions:

* *how much runs differ*: the middle runs (all but the lowest and highest tenth, see
  :func:`copsim.analysis.stats.middle_ranks`) lie between ``runs_lo`` and ``runs_hi``;
* *how sure the time is*: a 95 % interval of the median, ``lo`` to ``hi``, from order
  statistics (distribution-free; it needs at least 6 runs, and its upper end may be "not
  reached").

**Paired comparison** (:func:`compare_paired`). Replicate *r* of two conditions shares its seed
(common random numbers), so the difference of their times is taken run by run. A pair where only
one run got there has a known winner (its difference is ``±inf``); a pair where neither got
there tells nothing and is counted apart. The median of the differences and its order-statistic
interval say by how much; a condition is *sooner* than another only when that interval excludes
zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .stats import median_ci_ranks, middle_ranks

NOT_REACHED = math.inf


def _sorted_times(times) -> np.ndarray:
    """Per-run times as floats, NaN (not reached) as +inf, sorted."""
    values = np.asarray(times, float).ravel()
    return np.sort(np.where(np.isnan(values), np.inf, values))


@dataclass(frozen=True)
class TimeSummary:
    """An ensemble's time to a threshold (see the module docstring); ``inf`` means not reached.

    ``median``: the time by which at least half of the runs got there. ``lo``, ``hi``: its
    95 % interval (NaN when there are too few runs for one; ``confidence`` is the level the
    order statistics actually achieve). ``runs_lo``, ``runs_hi``: the range of the middle
    ``n_middle`` runs. ``n_reached`` of ``n`` runs got there within the horizon.
    """

    median: float
    lo: float
    hi: float
    confidence: float
    runs_lo: float
    runs_hi: float
    n_middle: int
    n_reached: int
    n: int

    @property
    def reached(self) -> bool:
        """At least half of the runs got there: the time is a number."""
        return math.isfinite(self.median)

    @property
    def sure(self) -> bool:
        """There are enough runs for a 95 % interval of the time."""
        return not math.isnan(self.lo)

    @property
    def n_not_reached(self) -> int:
        return self.n - self.n_reached

    def scaled(self, factor: float) -> TimeSummary:
        """The same summary in other units (``factor`` = new units per old unit, e.g. 1/52)."""
        return TimeSummary(
            self.median * factor,
            self.lo * factor,
            self.hi * factor,
            self.confidence,
            self.runs_lo * factor,
            self.runs_hi * factor,
            self.n_middle,
            self.n_reached,
            self.n,
        )


def summarize_times(times, level: float = 0.95) -> TimeSummary:
    """The time to a threshold over all runs (NaN or inf: not reached), with its two ranges."""
    ordered = _sorted_times(times)
    n = ordered.size
    if n == 0:
        raise ValueError("times: empty; at least one run is needed")
    median = float(ordered[median_rank(n) - 1])
    ranks = median_ci_ranks(n, level)
    if ranks is None:
        lo = hi = math.nan
        confidence = math.nan
    else:
        lo, hi = float(ordered[ranks[0] - 1]), float(ordered[ranks[1] - 1])
        confidence = ranks[2]
    first, last = middle_ranks(n)
    return TimeSummary(
        median=median,
        lo=lo,
        hi=hi,
        confidence=confidence,
        runs_lo=float(ordered[first - 1]),
        runs_hi=float(ordered[last - 1]),
        n_middle=last - first + 1,
        n_reached=int(np.isfinite(ordered).sum()),
        n=n,
    )


def median_rank(n: int) -> int:
    """1-based rank of the median among ``n`` sorted times: the ``ceil(n/2)``-th (Kaplan–Meier)."""
    return (n + 1) // 2


def ranked_curve(curves: np.ndarray, rank: int) -> np.ndarray:
    """Per row (week), the ``rank``-th largest value across columns (runs).

    For curves that only rise (the adoption share), the ``rank``-th largest share is at or above a
    threshold exactly from the ``rank``-th smallest time to that threshold on. So with
    ``rank = median_rank(n)`` the curve crosses every threshold at the ensemble's time
    (:func:`summarize_times`), and with the ranks of the middle runs it bounds a band whose edges
    cross it at ``runs_lo`` and ``runs_hi``: the chart and the numbers agree by construction.
    """
    curves = np.asarray(curves, float)
    n = curves.shape[1]
    if not 1 <= rank <= n:
        raise ValueError(f"rank: {rank!r} is out of range; allowed 1 to {n}")
    return np.sort(curves, axis=1)[:, n - rank]


@dataclass(frozen=True)
class PairedTimes:
    """Run-by-run comparison of two conditions' times: ``second - first`` (positive: first sooner).

    ``median``, ``lo``, ``hi``: median of the paired differences and its 95 % interval over the
    pairs where at least one run got there (``±inf`` where only one did; NaN when too few pairs).
    Counts: pairs where the first got there sooner, later, in the same week, and where neither
    got there within the horizon. ``differences``: the sorted differences of the pairs where at
    least one run got there.
    """

    median: float
    lo: float
    hi: float
    confidence: float
    first_sooner: int
    first_later: int
    same: int
    neither: int
    differences: tuple[float, ...] = field(default=(), repr=False)

    @property
    def n(self) -> int:
        return self.first_sooner + self.first_later + self.same + self.neither

    @property
    def n_informative(self) -> int:
        """Pairs where at least one run got there."""
        return self.n - self.neither

    @property
    def first_surely_sooner(self) -> bool:
        """The interval lies above zero: the first condition is sooner, beyond chance."""
        return self.lo > 0

    @property
    def first_surely_later(self) -> bool:
        return self.hi < 0

    @property
    def told_apart(self) -> bool:
        """The 95 % interval of the paired difference excludes zero."""
        return self.first_surely_sooner or self.first_surely_later

    def sooner_by_at_least(self, amount: float) -> int:
        """Pairs in which the first got there at least ``amount`` sooner."""
        return sum(d >= amount for d in self.differences)


def compare_paired(first, second, level: float = 0.95) -> PairedTimes:
    """Compare two conditions' times run by run (same replicate, same seed); NaN: not reached."""
    a = np.asarray(first, float).ravel()
    b = np.asarray(second, float).ravel()
    if a.size != b.size:
        raise ValueError(f"first, second: {a.size} and {b.size} runs; pairs need the same number")
    a_missing, b_missing = np.isnan(a), np.isnan(b)
    neither = a_missing & b_missing
    with np.errstate(invalid="ignore"):
        diff = np.where(a_missing, -np.inf, np.where(b_missing, np.inf, b - a))
    diff = np.sort(diff[~neither])
    m = diff.size
    ranks = median_ci_ranks(m, level) if m else None
    if m == 0:
        median = math.nan
    else:
        low, high = diff[(m - 1) // 2], diff[m // 2]
        median = float(low if low == high else (low + high) / 2)
    if ranks is None:
        lo = hi = confidence = math.nan
    else:
        lo, hi, confidence = float(diff[ranks[0] - 1]), float(diff[ranks[1] - 1]), ranks[2]
    return PairedTimes(
        median=median,
        lo=lo,
        hi=hi,
        confidence=confidence,
        first_sooner=int((diff > 0).sum()),
        first_later=int((diff < 0).sum()),
        same=int((diff == 0).sum()),
        neither=int(neither.sum()),
        differences=tuple(float(d) for d in diff),
    )
