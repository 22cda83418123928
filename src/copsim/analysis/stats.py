"""Ensemble statistics: means with 95 % t-intervals, paired differences."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(values: np.ndarray, axis: int | None = None, level: float = 0.95):
    """Mean and the ``level`` t-interval of the mean along ``axis`` (NaN where n < 1).

    With one value the interval collapses to the value itself.
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
    return mean, mean - half, mean + half
