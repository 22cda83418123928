"""Per-condition and per-week statistics computed from a sweep's tables.

Figures use these; the report quotes the condition table (``conditions.parquet``) directly so
that its numbers are the stored ones. Censored outcomes (t50, t90, time-to-talent never reached
within the horizon) are NaN in ``runs.parquet``: here they are counted, never averaged in as a
number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .sweep import CENSORED_OUTCOMES, Sweep


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float = 0.95):
    """Lower and upper ends of the t-interval of a mean (collapsed to the mean where n < 2)."""
    n = np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * np.asarray(sd, float) / np.sqrt(n)
    half = np.where(n >= 2, half, 0.0)
    return mean - half, mean + half


def per_condition(sweep: Sweep, outcome: str) -> pd.DataFrame:
    """Mean, 95 % interval, runs and censored runs of ``outcome`` for every condition.

    Columns: the condition keys, ``label``, ``baseline``, ``condition_id``, ``mean``, ``lo``,
    ``hi`` (over the runs that reached it), ``n`` (runs), ``censored`` (runs that did not reach
    it within the horizon) and ``censored_share``.
    """
    table = sweep.condition_table()
    rows = []
    for _, cond in table.iterrows():
        runs = sweep.select(sweep.runs, cond)
        values = runs[outcome].to_numpy(float) if outcome in runs else np.full(len(runs), np.nan)
        flag = CENSORED_OUTCOMES.get(outcome)
        censored = (
            runs[flag].astype(bool).to_numpy() if flag and flag in runs else np.isnan(values)
        ) & np.isnan(values)
        reached = values[~np.isnan(values)]
        sd = reached.std(ddof=1) if reached.size > 1 else 0.0
        mean = reached.mean() if reached.size else np.nan
        lo, hi = t_interval(mean, sd, reached.size)
        rows.append(
            {
                "mean": mean,
                "lo": float(lo),
                "hi": float(hi),
                "n": len(values),
                "censored": int(censored.sum()),
            }
        )
    out = pd.concat([table, pd.DataFrame(rows)], axis=1)
    out["censored_share"] = out["censored"] / out["n"].clip(lower=1)
    return out


def weekly_band(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean and 95 % interval (clipped at 0) across replicates of a weekly ``column``; index ``week``."""
    grouped = frame.groupby("week")[column]
    out = pd.DataFrame({"mean": grouped.mean(), "sd": grouped.std(ddof=1).fillna(0.0), "n": grouped.count()})
    lo, hi = t_interval(out["mean"].to_numpy(), out["sd"].to_numpy(), out["n"].to_numpy())
    out["lo"], out["hi"] = np.maximum(lo, 0.0), hi  # every weekly outcome is a count, share or level >= 0
    out["years"] = out.index.to_numpy() / 52.0
    return out
