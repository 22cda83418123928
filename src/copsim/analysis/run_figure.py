"""The figure and table ``copsim-run`` writes for one configuration (and its baseline)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .stats import mean_ci, middle_ranks
from .sweep import CENSORED_OUTCOMES
from .times import median_rank, ranked_curve, summarize_times

CONDITION_COLOURS = {"community": "#1b6ca8", "baseline": "#9a9a9a"}
CONDITION_LABELS = {"community": "with the community", "baseline": "dissemination only"}


def arms(frame: pd.DataFrame) -> pd.Series:
    """Each row's arm, ``community`` or ``baseline`` (from ``community.enabled``)."""
    return pd.Series(
        np.where(frame["community.enabled"].astype(bool), "community", "baseline"), index=frame.index
    )


def plot_adoption(series: pd.DataFrame, path: Path, title: str) -> None:
    """Adoption share per condition over years, as the dashboard draws it: the middle run at each
    week (it crosses 50 % at the printed time to 50 %) and the band of the middle runs."""
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for condition, frame in series.groupby(arms(series), sort=False):
        wide = frame.pivot(index="week", columns="replicate", values="adoption_share")
        curves = wide.to_numpy(float)
        n = curves.shape[1]
        first, last = middle_ranks(n)
        years = wide.index.to_numpy() / 52.0
        colour = CONDITION_COLOURS.get(condition)
        label = CONDITION_LABELS.get(condition, condition)
        ax.plot(years, ranked_curve(curves, median_rank(n)), color=colour, label=label)
        low, high = ranked_curve(curves, last), ranked_curve(curves, first)
        ax.fill_between(years, low, high, color=colour, alpha=0.25, linewidth=0)
    ax.axhline(0.5, color="black", linewidth=0.6, linestyle=":")
    ax.set(
        xlabel="years since launch", ylabel="share of adopting units that adopted", ylim=(0, 1), title=title
    )
    band = f"middle run; band: middle {last - first + 1} of {n} runs"
    ax.legend(loc="upper left", frameon=False, title=band, title_fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


#: outcomes ``copsim-run`` prints, with their labels; the first three are times to a threshold
SUMMARY_OUTCOMES = {
    "t50_years": "years to 50 % adoption",
    "t90_years": "years to 90 % adoption",
    "time_to_talent_weeks": "time-to-talent (weeks)",
    "final_adoption_share": "adoption share at the end",
    "final_members": "members at the end",
    "cross_boundary_trust": "cross-boundary trust",
    "coordinator_fte_years": "coordinator FTE-years",
    "cost_total_usd": "total cost (US dollars)",
}


def _number(value: float) -> str:
    """Two decimals, or whole numbers with thousands separators from 10,000 up (dollars)."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.2f}"


def _ends(lo: float, hi: float) -> str:
    if math.isinf(lo):
        return "not reached"
    return f"{_number(lo)} to " + ("not reached" if math.isinf(hi) else _number(hi))


def summary_table(summary: pd.DataFrame) -> str:
    """The headline outcomes per condition as aligned text, said as the dashboard says them.

    A time to a threshold is the time by which at least half of all runs got there
    (:func:`copsim.analysis.times.summarize_times`; "not reached" when fewer did), with its
    order-statistic 95 % interval; other outcomes are means with 95 % t-intervals kept within 0
    and up. Beside each, the range of the middle runs (how much runs differ).
    """
    rows = [
        f"  {'condition':20s} {'outcome':28s} {'value':>8s}   {'95 % interval':22s} middle runs",
    ]
    for condition, frame in summary.groupby(arms(summary), sort=False):
        for key, label in SUMMARY_OUTCOMES.items():
            if key not in frame:
                continue
            values = frame[key].to_numpy(float)
            first, last = middle_ranks(values.size)
            middle = f"{last - first + 1} of {values.size}: "
            if key in CENSORED_OUTCOMES:
                t = summarize_times(values)
                text = f"{t.median:8.2f}" if t.reached else "not reached".rjust(8)
                ci = _ends(t.lo, t.hi) if t.sure else f"({t.n} runs: too few)"
                middle += _ends(t.runs_lo, t.runs_hi)
                if t.n_not_reached:
                    middle += f"  [{t.n_not_reached} of {t.n} runs not reached]"
            else:
                mean, lo, hi = mean_ci(values, bounds=(0.0, math.inf))
                ordered = np.sort(values)
                text, ci = f"{_number(mean):>8s}", _ends(lo, hi)
                middle += _ends(ordered[first - 1], ordered[last - 1])
            rows.append(
                f"  {CONDITION_LABELS.get(condition, condition):20s} {label:28s} {text}   {ci:22s} {middle}"
            )
    return "\n".join(rows)
