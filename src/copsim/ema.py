"""copsim as an EMA workbench model: levers, uncertain parameters and the run summary's outcomes.

The EMA workbench (Kwakkel 2017; ``pip install "copsim[discovery]"``) is what exploratory
modellers use to sample, run and analyse a model under deep uncertainty. This module hands it a
ready model, so a user needs no wrapper of their own::

    import copsim.ema
    from ema_workbench import perform_experiments

    model = copsim.ema.model_from_spec("experiments/lever_space.yaml")
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=50, combine="sample")

* **Levers** (what a director chooses) and **uncertainties** (what nobody knows well) come from
  a spec's ``levers``/``uncertain`` mappings (``experiments/lever_space.yaml``) or, for a
  sensitivity spec (``experiments/sensitivity.yaml``), its ``parameters`` as uncertainties. An
  entry with ``low``/``high`` becomes a ``RealParameter`` (``IntegerParameter`` with
  ``integer: true``), one with ``values: [false, true]`` a ``BooleanParameter``, any other
  ``values`` list a ``CategoricalParameter``. EMA names must be Python identifiers, so
  ``coordinator.fte`` is named ``coordinator_fte``; its ``variable_name`` keeps the dotted key,
  which is what the model receives.
* **Outcomes** are every outcome of the run summary (:func:`copsim.simulate`), each a
  ``ScalarOutcome``. Censored times (``t50_years``, ``t90_years``, ``time_to_talent_weeks``
  and their weeks) are NaN when not reached within the horizon, each with its companion flag
  (``t50_censored``, ``t90_censored``, ``time_to_talent_censored``).
* **Seeds and replicates.** Replicate *r* runs from the seed copsim gives replicate *r* of
  ``root_seed`` everywhere (:func:`copsim.simulate_ensemble`), so every experiment is paired
  with every other (common random numbers). One replicate gives an ``ema_workbench.Model``
  (the seed is a ``Constant``). Several give a ``ReplicatorModel`` whose outcomes are over its
  replicates (:func:`replicate_mean`: a censored time's mean where it was reached, a flag's
  share), or, with :func:`replicate_models`, one ``Model`` per replicate to keep every run.

Every run goes through :func:`copsim.load_config` and :func:`copsim.simulate`, nothing deeper.
:func:`lhs_design` and :func:`run_lhs` draw and run the Latin hypercube scenario discovery uses
(seeded, identical with any number of worker processes); :func:`runs_frame` turns EMA's results
into copsim's one-row-per-run table.
"""

from __future__ import annotations

import functools
import logging
import math
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import copsim

from .analysis.sample_runs import format_override
from .analysis.spec_file import read_yaml_mapping
from .model.streams import replicate_seeds

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ipyparallel not installed" and the like
        import ema_workbench as ema
        from ema_workbench.em_framework import futures_multiprocessing
        from ema_workbench.em_framework.model import AbstractModel
        from ema_workbench.em_framework.parameters import Parameter
        from ema_workbench.em_framework.points import SampleCollection
        from ema_workbench.em_framework.samplers import LHSSampler
except ImportError:
    raise ModuleNotFoundError(
        'copsim.ema needs the EMA workbench; install it with pip install "copsim[discovery]"',
        name="ema_workbench",
    ) from None

ConfigError = copsim.ConfigError
EMAError = ema.EMAError

#: spawn key that keeps the design's random numbers apart from the replicates' seeds
DESIGN_STREAM = 0x4C4853  # "LHS"


# ------------------------------------------------------------------------------------ the model
@dataclass(frozen=True)
class Simulation:
    """The function EMA calls: one copsim run for one experiment (picklable, for worker processes).

    Called with ``seed`` and the experiment's values under their dotted keys
    (``**{"coordinator.fte": 0.4}``); returns the chosen summary outcomes.
    """

    scenario: str
    fixed: tuple[str, ...]
    outcomes: tuple[str, ...]

    def __call__(self, seed: int, **values: Any) -> dict[str, Any]:
        logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
        overrides = [*self.fixed, *(format_override(k, v) for k, v in values.items()), f"seed={int(seed)}"]
        summary = copsim.simulate(copsim.load_config(self.scenario, overrides)).summary
        return {name: _plain(summary[name]) for name in self.outcomes}


def _plain(value: Any) -> bool | int | float:
    """A summary value as a Python bool, int or float (EMA types its result arrays by the first)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return float(value)


def model_for(
    scenario: str = "rumble_strips",
    *,
    levers: Mapping[str, Mapping] | None = None,
    uncertainties: Mapping[str, Mapping] | None = None,
    fixed: Sequence[str] = (),
    replicates: int = 1,
    root_seed: int = 0,
    outcomes: Sequence[str] | None = None,
    name: str | None = None,
) -> ema.Model | ema.ReplicatorModel:
    """An EMA workbench model of ``scenario``.

    Args:
        scenario: a copsim scenario (``copsim.scenario_names()``).
        levers: dotted key -> range, e.g. ``{"coordinator.fte": {"low": 0, "high": 1}}``, or
            ``{"sponsor.mandate": {"values": [False, True]}}``.
        uncertainties: the same for the uncertain parameters.
        fixed: overrides applied to every run (``"horizon_weeks=260"``).
        replicates: runs per experiment. One gives a ``Model`` whose outcomes are the run's;
            more give a ``ReplicatorModel`` whose outcomes are over its replicates
            (:func:`replicate_mean`). Replicate *r* has the same seed in every experiment.
        root_seed: root of the replicates' seeds (as ``seed`` in :func:`copsim.simulate_ensemble`).
        outcomes: summary outcomes to report (default: all of them).
        name: the EMA model's name (default: the scenario's).

    Every range is checked against the model's parameter schema before anything runs (its
    ends, and each listed value); a bad one raises :class:`copsim.ConfigError` naming the key.
    """
    simulation = _simulation(scenario, levers, uncertainties, fixed, outcomes)
    name = name or _name(scenario)
    seeds = _seeds(root_seed, replicates)
    if replicates == 1:
        return _single_run(name, simulation, seeds[0], levers, uncertainties)
    model = ema.ReplicatorModel(name, function=simulation)
    model.replications = [{"seed": seed} for seed in seeds]
    model.outcomes = [ema.ScalarOutcome(o, function=replicate_mean) for o in simulation.outcomes]
    return _vary(model, levers, uncertainties)


def replicate_models(
    scenario: str = "rumble_strips",
    *,
    levers: Mapping[str, Mapping] | None = None,
    uncertainties: Mapping[str, Mapping] | None = None,
    fixed: Sequence[str] = (),
    replicates: int = 1,
    root_seed: int = 0,
    outcomes: Sequence[str] | None = None,
    name: str | None = None,
) -> list[ema.Model]:
    """One single-run ``Model`` per replicate (arguments as :func:`model_for`), named
    ``NAME_r0``, ``NAME_r1``, ...: model *r* runs from replicate *r*'s seed. Run them over one
    design (:func:`run_lhs`) to keep every run rather than replicate means."""
    simulation = _simulation(scenario, levers, uncertainties, fixed, outcomes)
    name = name or _name(scenario)
    seeds = _seeds(root_seed, replicates)
    return [
        _single_run(f"{name}_r{r}", simulation, seed, levers, uncertainties) for r, seed in enumerate(seeds)
    ]


def replicate_mean(values: Sequence) -> float:
    """An outcome over replicates: the mean over those where it is defined (a censored time
    counts only where it was reached; NaN when it never was); for a flag, such as
    ``t50_censored``, the share of replicates where it is set."""
    values = np.asarray(values, dtype=float)
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if defined.size else math.nan


def spec_options(spec: Mapping | str | Path) -> dict[str, Any]:
    """The :func:`model_for` arguments of a lever-space spec (``levers``, ``uncertain``) or a
    sensitivity spec (``parameters``, all uncertain), given as a mapping or a YAML file: with its
    ``scenario``, ``fixed``, ``replicates`` and ``root_seed``."""
    if not isinstance(spec, Mapping):
        spec = read_yaml_mapping(Path(spec), ConfigError, ("levers", "uncertain", "parameters"))
    return {
        "scenario": spec.get("scenario", "rumble_strips"),
        "levers": spec.get("levers") or {},
        "uncertainties": {**(spec.get("uncertain") or {}), **(spec.get("parameters") or {})},
        "fixed": list(spec.get("fixed") or []),
        "replicates": int(spec.get("replicates", 1)),
        "root_seed": int(spec.get("root_seed", 0)),
    }


def model_from_spec(spec: Mapping | str | Path, **options: Any) -> ema.Model | ema.ReplicatorModel:
    """The model of a spec (see :func:`spec_options`); ``options`` override the spec's settings::

    model_from_spec("experiments/sensitivity.yaml", replicates=5, outcomes=["t50_years"])
    """
    return model_for(**{**spec_options(spec), **options})


def _simulation(
    scenario: str,
    levers: Mapping[str, Mapping] | None,
    uncertainties: Mapping[str, Mapping] | None,
    fixed: Sequence[str],
    outcomes: Sequence[str] | None,
) -> Simulation:
    """The checked run function: ranges against the schema, outcomes against the summary."""
    levers, uncertainties, fixed = dict(levers or {}), dict(uncertainties or {}), tuple(fixed)
    if not levers and not uncertainties:
        raise ConfigError("levers/uncertainties: give at least one parameter to vary")
    overlap = sorted(set(levers) & set(uncertainties))
    if overlap:
        raise ConfigError(f"{overlap[0]}: is both a lever and an uncertainty; choose one")
    check_dimensions(scenario, fixed, {**levers, **uncertainties})
    available = summary_outcomes(scenario, fixed)
    chosen = tuple(outcomes) if outcomes is not None else available
    unknown = [o for o in chosen if o not in available]
    if unknown:
        raise ConfigError(
            f"outcomes: {unknown[0]!r} is not a summary outcome; choose from {', '.join(available)}"
        )
    return Simulation(scenario, fixed, chosen)


def _name(scenario: str) -> str:
    return scenario if scenario.isidentifier() else "copsim"


def _seeds(root_seed: int, replicates: int) -> list[int]:
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
        raise ConfigError(f"replicates: {replicates!r} is out of range; allowed 1 or more")
    return replicate_seeds(int(root_seed), replicates)


def _single_run(
    name: str,
    simulation: Simulation,
    seed: int,
    levers: Mapping[str, Mapping] | None,
    uncertainties: Mapping[str, Mapping] | None,
) -> ema.Model:
    model = ema.Model(name, function=simulation)
    model.constants = [ema.Constant("seed", seed)]
    model.outcomes = [ema.ScalarOutcome(o) for o in simulation.outcomes]
    return _vary(model, levers, uncertainties)


def _vary(
    model: AbstractModel,
    levers: Mapping[str, Mapping] | None,
    uncertainties: Mapping[str, Mapping] | None,
) -> AbstractModel:
    """Give ``model`` its levers and uncertainties (EMA names unique)."""
    model.levers = [parameter(k, v) for k, v in (levers or {}).items()]
    model.uncertainties = [parameter(k, v) for k, v in (uncertainties or {}).items()]
    seen: dict[str, str] = {}
    for p in [*model.levers, *model.uncertainties]:
        key = p.variable_name[0]
        if seen.setdefault(p.name, key) != key:
            raise ConfigError(f"{key}: its EMA name {p.name!r} is also that of {seen[p.name]}")
    return model


def parameter(key: str, entry: Mapping) -> Parameter:
    """The EMA parameter of one spec entry, named ``key`` with dots as underscores."""
    name = key.replace(".", "_")
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{key}: {entry!r} is not a range; give low/high or a list of values")
    values = entry.get("values")
    if values:
        if len(values) < 2:
            raise ConfigError(f"{key}: values {list(values)!r} has one value; fix it with 'fixed' instead")
        if all(isinstance(v, bool) for v in values) and set(values) == {False, True}:
            return ema.BooleanParameter(name, variable_name=key)
        return ema.CategoricalParameter(name, list(values), variable_name=key)
    low, high = entry.get("low"), entry.get("high")
    if not (_number(low) and _number(high) and low < high):
        raise ConfigError(f"{key}: needs 'low' < 'high' or a list of 'values' (got {dict(entry)!r})")
    if entry.get("integer"):
        return ema.IntegerParameter(name, int(low), int(high), variable_name=key)
    return ema.RealParameter(name, float(low), float(high), variable_name=key)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_dimensions(scenario: str, fixed: Sequence[str], dimensions: Mapping[str, Mapping]) -> None:
    """Check every range against the parameter schema: all dimensions at their first ends
    together, then at their last, then each inner listed value. Raises ConfigError (one line)."""
    probes: list[list[str]] = [[], []]
    for key, entry in dimensions.items():
        parameter(key, entry)  # checks the entry's form
        values = list(entry["values"]) if entry.get("values") else [entry["low"], entry["high"]]
        for probe, v in zip(probes, (values[0], values[-1]), strict=True):
            probe.append(format_override(key, v))
        probes += [[format_override(key, v)] for v in values[1:-1]]
    for probe in probes:
        copsim.load_config(scenario, [*fixed, *probe])


@functools.cache
def summary_outcomes(scenario: str, fixed: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Names of the run summary's outcomes, read off a one-week run of ``scenario``.

    The summary is defined by the model (``copsim.simulate(...).summary``); asking it keeps this
    list from drifting when an outcome is added. Costs one small run (under a second), once.
    """
    config = copsim.load_config(scenario, [*fixed, "horizon_weeks=1"])
    logging.getLogger("MESA").setLevel(logging.WARNING)
    return tuple(copsim.simulate(config).summary)


# ------------------------------------------------------------------------------------ experiments
def lhs_design(
    model: AbstractModel, samples: int, root_seed: int
) -> tuple[SampleCollection | int, SampleCollection | int]:
    """``(scenarios, policies)``: ``samples`` Latin-hypercube points over the uncertainties and
    as many over the levers, from EMA's ``LHSSampler``, each from its own generator spawned from
    ``root_seed`` (apart from the replicates' seeds). Paired point by point (``combine="sample"``)
    they form a Latin hypercube over all dimensions together. A side without parameters is 0."""
    sequences = np.random.SeedSequence(int(root_seed), spawn_key=(DESIGN_STREAM,)).spawn(2)
    sides = []
    for parameters, sequence in zip((model.uncertainties, model.levers), sequences, strict=True):
        if len(parameters):
            rng = np.random.default_rng(sequence)
            sides.append(LHSSampler().generate_samples(list(parameters), int(samples), rng=rng))
        else:
            sides.append(0)
    return sides[0], sides[1]


def run_lhs(
    models: AbstractModel | Sequence[AbstractModel], samples: int, root_seed: int, workers: int = 1
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Run :func:`lhs_design` (drawn over the first model's parameters) through EMA's
    ``perform_experiments`` on each model in turn, typically :func:`replicate_models`: in this
    process for one worker (``SequentialEvaluator``), else in one pool of ``workers`` processes
    (:class:`PoolEvaluator`). Returns EMA's experiments and outcomes, model after model.

    EMA hands back every result in experiment order, so any number of workers gives the same
    tables. Its progress bar is shown on a terminal; elsewhere progress goes to its log. A run
    that raises stops the experiments with :class:`RunFailed`.
    """
    models = [models] if isinstance(models, AbstractModel) else list(models)
    scenarios, policies = lhs_design(models[0], samples, root_seed)
    quiet = not sys.stderr.isatty()
    evaluator = (
        ema.SequentialEvaluator(models) if workers <= 1 else PoolEvaluator(models, n_processes=int(workers))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            with evaluator:
                results = [
                    ema.perform_experiments(
                        model,
                        scenarios=scenarios,
                        policies=policies,
                        combine="sample",
                        evaluator=evaluator,
                        log_progress=quiet,
                    )
                    for model in models
                ]
        except ema.EMAError as exc:  # in this process: EMA's wrapper of the run's exception
            raise RunFailed(_cause(exc)) from exc
    experiments = pd.concat([e for e, _ in results], ignore_index=True)
    outcomes = {name: np.concatenate([o[name] for _, o in results]) for name in results[0][1]}
    return experiments, outcomes


class RunFailed(RuntimeError):
    """A copsim run raised while EMA ran the experiments; the message is its cause."""


class PoolEvaluator(ema.MultiprocessingEvaluator):
    """EMA's multiprocessing evaluator, except that a run that raises stops the experiments.

    EMA 3.0 wraps a run's exception in ``EMAError``, a ``BaseException``, which ends the pool's
    worker process without a reply, so ``MultiprocessingEvaluator`` would wait for it forever.
    Here each experiment runs through EMA's own worker function and its exception comes back
    as :class:`RunFailed`. Results are handed on in experiment order.
    """

    def evaluate_experiments(self, experiments: Iterable, callback: Callable, **kwargs: Any) -> None:
        for experiment, outcomes in self._pool.imap(_run_in_worker, experiments):
            callback(experiment, outcomes)


def _run_in_worker(experiment: Any) -> tuple[Any, dict]:
    try:
        return futures_multiprocessing.worker(experiment)
    except BaseException as exc:  # EMAError is a BaseException; see PoolEvaluator
        raise RunFailed(_cause(exc)) from None


def _cause(exc: BaseException) -> str:
    """EMA's "Exception in run_model / Caused by: ValueError: ..." as "ValueError: ..."."""
    return str(exc).strip().splitlines()[-1].removeprefix("Caused by: ")


def runs_frame(
    models: ema.Model | Sequence[ema.Model], experiments: pd.DataFrame, outcomes: Mapping[str, np.ndarray]
) -> pd.DataFrame:
    """EMA's results of single-run models (:func:`run_lhs` of :func:`replicate_models`) as
    copsim's run table, one row per run ordered by sample then replicate: ``condition_id``, the
    varied keys under their dotted names, ``scenario`` (copsim's), ``sample`` (the design
    point), ``replicate``, ``seed`` and the outcomes."""
    models = [models] if isinstance(models, AbstractModel) else list(models)
    if any(isinstance(m, ema.ReplicatorModel) for m in models):
        raise TypeError("runs_frame takes single-run models (replicate_models); a ReplicatorModel has means")
    replicate = {m.name: r for r, m in enumerate(models)}
    seed = {m.name: int(m.constants["seed"].value) for m in models}
    simulation = models[0].function
    names = experiments["model"].astype(str)
    sample = experiments.groupby(names, sort=False).cumcount().to_numpy()
    columns: dict[str, Any] = {"condition_id": [f"{simulation.scenario}-s{i:05d}" for i in sample]}
    for p in [*models[0].levers, *models[0].uncertainties]:
        columns[p.variable_name[0]] = list(experiments[p.name])  # categories back to their own values
    columns.update(
        scenario=simulation.scenario,
        sample=sample,
        replicate=names.map(replicate).to_numpy(),
        seed=names.map(seed).to_numpy(),
    )
    columns.update({name: outcomes[name] for name in simulation.outcomes})
    runs = pd.DataFrame(columns)
    return runs.sort_values(["sample", "replicate"], kind="stable").reset_index(drop=True)
