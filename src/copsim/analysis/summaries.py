"""Per-condition and per-week statistics computed from a sweep's tables.

Figures use these; the report quotes the condition table (``conditions.parquet``) directly so
that its numbers are the stored ones. Censored outcomes (t50, t90, time-to-talent never reached
within the horizon) are NaN in ``runs.parquet``: here they are counted, never averaged in as a
number. A time is summarized over all runs as the page and ``copsim-run`` do it
(:func:`copsim.analysis.times.summarize_times`): the time by which at least half of the runs got
there, with a distribution-free 95 % interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .stats import mean_ci
from .sweep import CENSORED_OUTCOMES, Sweep
from .times import summarize_times


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float = 0.95):
    """Lower and upper ends of the t-interval of a mean (collapsed to the mean where n < 2)."""
    n = np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * np.asarray(sd, float) / np.sqrt(n)
    half = np.where(n >= 2, half, 0.0)
    return mean - half, mean + half


def per_condition(sweep: Sweep, outcome: str) -> pd.DataFrame:
    """``outcome``'s value, 95 % interval, runs and censored runs for every condition.

    Columns: the condition keys, ``label``, ``baseline``, ``condition_id``, ``value``, ``lo``,
    ``hi``, ``n`` (runs), ``censored`` (runs that did not reach it within the horizon),
    ``censored_share`` and ``reached`` (the value is a number).

    For a time to a threshold (:data:`~copsim.analysis.sweep.CENSORED_OUTCOMES`) ``value`` is the
    time over all runs (:func:`~copsim.analysis.times.summarize_times`; NaN when fewer than half
    of the runs got there) and ``lo``/``hi`` its order-statistic interval (NaN with fewer than 6
    runs; ``hi`` is inf when it reaches past the horizon). For any other outcome ``value`` is
    the mean over runs and ``lo``/``hi`` its t-interval, never below 0 (every such outcome is a
    count, share, level or ratio of them).
    """
    table = sweep.condition_table()
    rows = []
    for _, cond in table.iterrows():
        runs = sweep.select(sweep.runs, cond)
        values = runs[outcome].to_numpy(float) if outcome in runs else np.full(len(runs), np.nan)
        if outcome in CENSORED_OUTCOMES:
            time = summarize_times(values)
            value = time.median if time.reached else np.nan
            lo, hi = time.lo, time.hi
        else:
            known = values[~np.isnan(values)]
            value, lo, hi = mean_ci(known, bounds=(0.0, np.inf)) if known.size else (np.nan,) * 3
        rows.append(
            {
                "value": float(value),
                "lo": float(lo),
                "hi": float(hi),
                "n": len(values),
                "censored": int(np.isnan(values).sum()),
            }
        )
    out = pd.concat([table, pd.DataFrame(rows)], axis=1)
    out["censored_share"] = out["censored"] / out["n"].clip(lower=1)
    out["reached"] = out["value"].notna()
    return out


def weekly_band(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean and 95 % interval (clipped at 0) across replicates of a weekly ``column``; index ``week``."""
    grouped = frame.groupby("week")[column]
    out = pd.DataFrame({"mean": grouped.mean(), "sd": grouped.std(ddof=1).fillna(0.0), "n": grouped.count()})
    lo, hi = t_interval(out["mean"].to_numpy(), out["sd"].to_numpy(), out["n"].to_numpy())
    out["lo"], out["hi"] = np.maximum(lo, 0.0), hi  # every weekly outcome is a count, share or level >= 0
    out["years"] = out.index.to_numpy() / 52.0
    return out
