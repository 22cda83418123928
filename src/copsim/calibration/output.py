"""Write a calibration's results: override file, trial table, spread of good fits, fit figure.

Files in the output directory:

- ``best.yaml``: the best parameters as a scenario override (``# @package _global_``, nested
  keys, the same form as ``conf/scenario/*.yaml``), with the equivalent ``key=value`` overrides
  for ``copsim-run`` in its header;
- ``trials.csv``: every trial's parameters and loss;
- ``good_fits.csv``: the best tenth of trials (the spread of parameter values that fit about as
  well: a rough, posterior-like picture of what the data pin down);
- ``calibration.json``: scenario, data, settings, best values and loss, and each parameter's
  min / median / max over the good fits;
- ``fit.png``: the data, the best fit (replicate mean and min-max band) and the good fits.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from omegaconf import OmegaConf

from .fit import WEEKS_PER_YEAR, Calibration, _with, model_series


def _nested(values: dict[str, float]) -> dict:
    out: dict = {}
    for key, value in values.items():
        node = out
        *groups, name = key.split(".")
        for g in groups:
            node = node.setdefault(g, {})
        node[name] = float(value) if isinstance(value, float) else value
    return out


def overrides_of(values: dict[str, float]) -> list[str]:
    """``key=value`` overrides for copsim-run / load_config."""
    return [f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()]


def write_results(cal: Calibration, out: Path, data_path: str, scenario: str, top: float = 0.1) -> dict:
    """Write every output file into ``out`` (created); return the calibration.json content."""
    out.mkdir(parents=True, exist_ok=True)
    good = cal.good_fits(top)
    keys = list(cal.best)
    header = (
        f"# Calibrated by copsim-calibrate: scenario {scenario}, data {data_path}, loss (RMSE) "
        f"{cal.best_loss:.6g}\n# Equivalent overrides: copsim-run scenario={scenario} "
        + " ".join(overrides_of(cal.best))
        + "\n# @package _global_\n"
    )
    (out / "best.yaml").write_text(header + OmegaConf.to_yaml(OmegaConf.create(_nested(cal.best))))
    cal.trials.to_csv(out / "trials.csv", index=False)
    good.to_csv(out / "good_fits.csv", index=False)
    spread = {
        k: {"min": float(good[k].min()), "median": float(good[k].median()), "max": float(good[k].max())}
        for k in keys
    }
    report = {
        "scenario": scenario,
        "data": str(data_path),
        "outcome": cal.observations.kind,
        "year_offset": cal.observations.year_offset,
        "trials": len(cal.trials),
        "replicates": cal.replicates,
        "loss": "RMSE between the data and the replicate-averaged model series",
        "best": cal.best,
        "best_loss": cal.best_loss,
        "overrides": overrides_of(cal.best),
        "good_fits": {"share_of_trials": top, "count": len(good), "spread": spread},
    }
    (out / "calibration.json").write_text(json.dumps(report, indent=2))
    _figure(cal, good, out / "fit.png", scenario)
    return report


def _figure(cal: Calibration, good, path: Path, scenario: str) -> None:
    obs = cal.observations
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for _, row in good.iloc[1:].iterrows():  # other good fits, thin
        values = {k: row[k] for k in cal.best}
        series = model_series(_with(cal.config, values), obs, cal.replicates)
        mean = series.groupby("week")["value"].mean()
        ax.plot(mean.index / WEEKS_PER_YEAR, mean.to_numpy(), color="C0", lw=0.6, alpha=0.4)
    wide = cal.fitted.pivot(index="week", columns="replicate", values="value")
    t = wide.index.to_numpy() / WEEKS_PER_YEAR
    ax.fill_between(t, wide.min(axis=1), wide.max(axis=1), color="C1", alpha=0.25, lw=0)
    label = ", ".join(f"{k}={v:.3g}" for k, v in cal.best.items())
    ax.plot(t, wide.mean(axis=1), color="C1", lw=2, label=f"best fit ({label})")
    ax.plot([], [], color="C0", lw=0.6, label=f"other good fits (best {len(good)} trials)")
    ax.scatter(obs.years, obs.values, color="black", zorder=3, label="observed")
    ax.set(
        xlabel="years since start" + (f" ({obs.year_offset:.0f})" if obs.year_offset else ""),
        ylabel=obs.kind.replace("_", " "),
        title=f"copsim-calibrate: {scenario}, RMSE {cal.best_loss:.3g}",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
