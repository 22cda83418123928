"""Ensemble statistics: means with 95 % t-intervals, the middle runs, order-statistic intervals.

Two different questions get two different answers, and the faces (page, report, CLI) name both:

* **how much runs differ** — the range the middle runs fall in (:func:`middle_ranks`: all runs
  but the lowest and the highest tenth, e.g. 8 of 10);
* **how sure an estimate is** — a 95 % interval of the mean (:func:`mean_ci`, a t-interval) or
  of the median (:func:`median_ci_ranks`, distribution-free, from order statistics).

Times to a threshold, which runs may never reach, are in :mod:`copsim.analysis.times`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(
    values: np.ndarray,
    axis: int | None = None,
    level: float = 0.95,
    bounds: tuple[float, float] | None = None,
):
    """Mean and the ``level`` t-interval of the mean along ``axis`` (NaN where n < 1).

    With one value the interval collapses to the value itself. ``bounds`` (low, high) clips the
    interval to the values the outcome can take (a count is never below 0, a share never
    above 1): the mean always lies within them, so clipping never excludes it and an interval
    that covered the true mean still does.
    """
    values = np.asarray(values, float)
    n = values.shape[axis] if axis is not None else values.size
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = values.mean(axis=axis)
    if n < 2:
        return mean, mean, mean
    sem = values.std(axis=axis, ddof=1) / np.sqrt(n)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sem
    lo, hi = mean - half, mean + half
    if bounds is not None:
        lo, hi = np.clip(lo, *bounds), np.clip(hi, *bounds)
    return mean, lo, hi


def middle_ranks(n: int) -> tuple[int, int]:
    """1-based ranks of the lowest and highest of the *middle runs* among ``n`` sorted values.

    The middle runs are all but the lowest and the highest ``floor(n / 10)``: 8 of 10, 24 of 30,
    all of 2 to 9. Said as "in 8 of 10 runs between a and b".
    """
    if n < 1:
        raise ValueError(f"n: {n!r} is out of range; allowed 1 or more")
    cut = n // 10
    return cut + 1, n - cut


def median_ci_ranks(n: int, level: float = 0.95) -> tuple[int, int, float] | None:
    """Ranks (1-based, in ``n`` sorted values) of a distribution-free interval of the median.

    The interval from the ``j``-th to the ``(n - j + 1)``-th smallest value covers the median
    with probability ``1 - 2 P(B < j)``, ``B ~ Binomial(n, 1/2)`` (the sign test inverted). ``j``
    is the largest rank for which that is at least ``level``. Returns ``(j, n - j + 1,
    confidence)`` with the confidence actually achieved (at least ``level``), or None when even
    the smallest and largest value do not reach ``level`` (fewer than 6 runs at 95 %).

    It needs no assumption about the shape of the distribution and works for times that were
    not reached: they are the largest values, so they only ever make the upper end "not reached".
    """
    if not 0 < level < 1:
        raise ValueError(f"level: {level!r} is out of range; allowed strictly between 0 and 1")
    tail = (1 - level) / 2
    j = 0
    while j + 1 <= n / 2 and stats.binom.cdf(j, n, 0.5) <= tail + 1e-12:
        j += 1
    if j == 0:
        return None
    return j, n - j + 1, float(1 - 2 * stats.binom.cdf(j - 1, n, 0.5))


def quantile_rank(n: int, share: float) -> int:
    """1-based rank of the smallest value with at least ``share`` of the ``n`` values at or below it."""
    return max(1, math.ceil(share * n - 1e-9))
