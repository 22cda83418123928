"""Analysis: sweep tables, ensemble statistics, figures, reports, sensitivity and discovery.

For notebooks::

    import copsim.analysis as ca
    sweep = ca.load("results/reference_runs/sweep")   # runs, timeseries, conditions, manifest
    sweep.runs.groupby("coordinator.fte")["t50_years"].mean()
    ca.per_condition(sweep, "t50_years")              # mean, 95 % interval, censored runs
    ca.plot_t50_heatmap(sweep, Path("figs"))          # any figure function, or all that fit:
    ca.plot_sweep(sweep, Path("figs"))
    ca.write_report(sweep)                            # DIR/report.html

Sensitivity analysis (:mod:`.sensitivity`) and scenario discovery (:mod:`.discovery`) are
imported on use (they pull in SALib and the EMA workbench).
"""

from .figures import (
    plot_adoption_curves,
    plot_condition_bars,
    plot_dose_response,
    plot_network_outcomes,
    plot_participation,
    plot_retirement_wave,
    plot_sweep,
    plot_t50_heatmap,
)
from .network_figure import plot_network
from .report import findings, write_report
from .stats import mean_ci
from .summaries import per_condition, weekly_band
from .sweep import Sweep, SweepError, load

__all__ = [
    "Sweep",
    "SweepError",
    "findings",
    "load",
    "mean_ci",
    "per_condition",
    "plot_adoption_curves",
    "plot_condition_bars",
    "plot_dose_response",
    "plot_network",
    "plot_network_outcomes",
    "plot_participation",
    "plot_retirement_wave",
    "plot_sweep",
    "plot_t50_heatmap",
    "weekly_band",
    "write_report",
]
