"""The one door into the model: :func:`simulate` and :func:`simulate_ensemble`.

Used alike by the CLI, the experiment runner, the dashboard and the tests.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .config import ConfigError, CopConfig, validate
from .model import CopModel
from .streams import replicate_seeds

#: called as progress(done, total) — weeks of one run, or runs of an ensemble
Progress = Callable[[int, int], None]


@dataclass
class RunResult:
    """One run: weekly ``timeseries`` (week 0..horizon), ``summary`` outcomes, ``config``, ``seed``."""

    timeseries: pd.DataFrame
    summary: dict
    config: CopConfig
    seed: int


@dataclass
class EnsembleResult:
    """Replicates of one configuration: long ``timeseries`` and one ``summary`` row per replicate."""

    timeseries: pd.DataFrame
    summary: pd.DataFrame
    config: CopConfig
    seeds: list[int]


def _check_count(name: str, value: object) -> None:
    """A count argument must be a whole number of 1 or more (not 2.5, not True)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{name}: {value!r} is not allowed; a whole number of 1 or more")


def simulate(config: CopConfig, progress: Progress | None = None, progress_every: int = 52) -> RunResult:
    """Run the model once for ``config.horizon_weeks`` weeks from ``config.seed``.

    ``progress(week, horizon)`` is called every ``progress_every`` weeks (a whole number, 1 or
    more) and at the end.
    """
    _check_count("progress_every", progress_every)
    validate(config)
    model = CopModel(config)
    horizon = config.horizon_weeks
    for week in range(0, horizon, progress_every):
        model.run_for(min(progress_every, horizon - week))  # Mesa steps the model once a week
        if progress is not None:
            progress(min(week + progress_every, horizon), horizon)
    result = RunResult(model.recorder.frame(horizon), model.summary(), config, config.seed)
    model.remove_all_agents()
    return result


def simulate_ensemble(config: CopConfig, replicates: int, progress: Progress | None = None) -> EnsembleResult:
    """Run ``replicates`` replicates with seeds spawned from ``config.seed``.

    Replicate *r* gets the same seed in every scenario and condition (common random numbers),
    so differences between two ensembles of the same root seed are paired.
    """
    _check_count("replicates", replicates)
    validate(config)
    seeds = replicate_seeds(config.seed, replicates)
    series, rows = [], []
    for r, seed in enumerate(seeds):
        run = simulate(dataclasses.replace(config, seed=seed))
        series.append(run.timeseries.assign(replicate=r))
        rows.append({"replicate": r, "seed": seed, **run.summary})
        if progress is not None:
            progress(r + 1, replicates)
    timeseries = pd.concat(series, ignore_index=True)
    timeseries.insert(0, "replicate", timeseries.pop("replicate"))
    return EnsembleResult(timeseries, pd.DataFrame(rows), config, seeds)
