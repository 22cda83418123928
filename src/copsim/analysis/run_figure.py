"""The figure and table ``copsim-run`` writes for one configuration (and its baseline)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .stats import mean_ci

CONDITION_COLOURS = {"community": "#1b6ca8", "baseline": "#9a9a9a"}
CONDITION_LABELS = {"community": "with the community", "baseline": "dissemination only"}


def arms(frame: pd.DataFrame) -> pd.Series:
    """Each row's arm, ``community`` or ``baseline`` (from ``community.enabled``)."""
    return pd.Series(
        np.where(frame["community.enabled"].astype(bool), "community", "baseline"), index=frame.index
    )


def plot_adoption(series: pd.DataFrame, path: Path, title: str) -> None:
    """Mean adoption share per condition with a 95 % band across replicates, in years."""
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for condition, frame in series.groupby(arms(series), sort=False):
        wide = frame.pivot(index="week", columns="replicate", values="adoption_share")
        mean, lo, hi = mean_ci(wide.to_numpy(), axis=1)
        years = wide.index.to_numpy() / 52.0
        colour = CONDITION_COLOURS.get(condition)
        ax.plot(years, mean, color=colour, label=CONDITION_LABELS.get(condition, condition))
        ax.fill_between(years, lo, hi, color=colour, alpha=0.25, linewidth=0)
    ax.axhline(0.5, color="black", linewidth=0.6, linestyle=":")
    ax.set(
        xlabel="years since launch", ylabel="share of adopting units that adopted", ylim=(0, 1), title=title
    )
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def summary_table(summary: pd.DataFrame) -> str:
    """Mean and 95 % interval of the headline outcomes per condition, as aligned text."""
    outcomes = {
        "t50_years": "years to 50 % adoption",
        "final_adoption_share": "adoption share at the end",
        "final_members": "members at the end",
        "cross_boundary_trust": "cross-boundary trust",
        "time_to_talent_weeks": "time-to-talent (weeks)",
        "coordinator_fte_years": "coordinator FTE-years",
    }
    rows = []
    for condition, frame in summary.groupby(arms(summary), sort=False):
        for key, label in outcomes.items():
            values = frame[key].to_numpy(float)
            censored = int(np.isnan(values).sum())
            if censored:
                # a mean over the runs that got there would be biased: give the median, with
                # runs that never got there counted as later than any that did
                median = float(np.median(np.where(np.isnan(values), np.inf, values)))
                text = "not reached" if np.isinf(median) else f"{median:8.2f}  (median)"
                note = f"  [{censored} of {values.size} runs not reached]"
            else:
                mean, lo, hi = mean_ci(values)
                text, note = f"{mean:8.2f}  ({lo:.2f} to {hi:.2f})", ""
            rows.append(f"  {CONDITION_LABELS.get(condition, condition):20s} {label:28s} {text}{note}")
    return "\n".join(["  condition            outcome                      mean     (95 % interval)", *rows])
