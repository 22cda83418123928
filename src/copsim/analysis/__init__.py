"""Analysis: sweep tables, ensemble statistics, figures, reports, sensitivity and discovery.

For notebooks::

    import copsim.analysis as ca
    sweep = ca.load("results/reference_runs/sweep")   # runs, timeseries, conditions, manifest
    sweep.runs.groupby("coordinator.fte")["t50_years"].mean()
    ca.per_condition(sweep, "t50_years")              # mean, 95 % interval, censored runs
    ca.plot_t50_heatmap(sweep, Path("figs"))          # any figure function, or all that fit:
    ca.plot_sweep(sweep, Path("figs"))
    ca.write_report(sweep)                            # DIR/report.html

Names are imported on first use, so ``copsim.analysis.stats`` (used by the experiment runner)
stays cheap to import. Sensitivity analysis (:mod:`.sensitivity`) and scenario discovery
(:mod:`.discovery`) are modules of their own (they pull in SALib and the EMA workbench).
"""

from __future__ import annotations

import importlib

#: public name -> submodule that defines it
_EXPORTS = {
    "Sweep": "sweep",
    "SweepError": "sweep",
    "load": "sweep",
    "mean_ci": "stats",
    "per_condition": "summaries",
    "weekly_band": "summaries",
    "findings": "report",
    "write_report": "report",
    "plot_network": "network_figure",
    "plot_adoption_curves": "figures",
    "plot_condition_bars": "figures",
    "plot_dose_response": "figures",
    "plot_network_outcomes": "figures",
    "plot_participation": "figures",
    "plot_retirement_wave": "figures",
    "plot_sweep": "figures",
    "plot_t50_heatmap": "figures",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
