"""Experiments: sweeps of conditions, a results store that loses nothing, and its aggregation.

- :mod:`~copsim.experiments.plan`: expand a named experiment plus overrides into validated
  conditions (with each scenario's dissemination-only baseline);
- :mod:`~copsim.experiments.runner`: run them as Hydra multirun jobs on any launcher, with
  resume, failure records and progress;
- :mod:`~copsim.experiments.store`: per-condition files written atomically and the aggregate
  files (``runs.parquet``, ``timeseries.parquet``, ``conditions.csv``, ``failures.csv``,
  ``manifest.json``) rebuilt from them;
- :mod:`~copsim.experiments.aggregate`: pure functions (baseline pairing, paired differences,
  per-condition statistics) reusable on any runs table.

File schemas are documented in ``docs/EXPERIMENTS.md``.
"""

from .aggregate import condition_keys, condition_table, find_baselines, outcome_columns, paired_differences
from .plan import Condition, SweepPlan, expand, experiment_names
from .store import collect, read_plan

__all__ = [
    "Condition",
    "SweepPlan",
    "collect",
    "condition_keys",
    "condition_table",
    "expand",
    "experiment_names",
    "find_baselines",
    "outcome_columns",
    "paired_differences",
    "read_plan",
]
