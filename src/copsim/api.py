"""The one door into the model: :func:`simulate` and :func:`simulate_ensemble`.

Used alike by the CLI, the experiment runner, the dashboard, calibration, the analysis and the
tests; nothing outside :mod:`copsim.model` builds a :class:`copsim.model.CopModel` itself.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .model.config import ConfigError, CopConfig, validate
from .model.model import CopModel
from .model.streams import replicate_seeds

#: called as progress(done, total) — weeks of the run or of the batch
Progress = Callable[[int, int], None]

#: replicates stepped together at most, and the most practitioner-slots a batch may hold
#: (larger worlds run one replicate at a time; memory stays near that of one large run)
BATCH_REPLICATES = 32
BATCH_PRACTITIONERS = 40_000


@dataclass
class Network:
    """The practitioners and their ties at one week: each practitioner's organization,
    membership level (0-3) and knowledge; each tie's ends, trust and whether it is formal; and
    the organizations' type names (``type_names[org_type[o]]``)."""

    week: int
    org: np.ndarray
    membership: np.ndarray
    knowledge: np.ndarray
    tie_a: np.ndarray
    tie_b: np.ndarray
    tie_trust: np.ndarray
    tie_formal: np.ndarray
    org_type: np.ndarray
    type_names: list[str]

    @classmethod
    def of(cls, model: CopModel, replicate: int = 0) -> Network:
        """Replicate ``replicate``'s network now, numbered as in a run of its own (the
        replicates stepped together never share a tie, and each keeps its ties' order)."""
        ties, world, people, layout = model.ties, model.world, model.people, model.layout
        first, last = layout.person_start[replicate : replicate + 2]
        first_org, last_org = layout.unit_start[replicate : replicate + 2]
        mine = (ties.a >= first) & (ties.a < last)
        return cls(
            week=model.steps,
            org=people.org[first:last] - first_org,
            membership=people.membership[first:last].copy(),
            knowledge=people.knowledge[first:last].copy(),
            tie_a=ties.a[mine] - first,
            tie_b=ties.b[mine] - first,
            tie_trust=ties.trust[mine],
            tie_formal=ties.formal[mine],
            org_type=world.org_type[first_org:last_org].copy(),
            type_names=list(world.type_names),
        )

    @property
    def crossing(self) -> np.ndarray:
        """Whether each tie joins two organizations."""
        return self.org[self.tie_a] != self.org[self.tie_b]


@dataclass
class RunResult:
    """One run: weekly ``timeseries`` (week 0..horizon), ``summary`` outcomes, ``config``, ``seed``,
    and, when asked for, the network at the start and at the end."""

    timeseries: pd.DataFrame
    summary: dict
    config: CopConfig
    seed: int
    networks: tuple[Network, Network] | None = None


@dataclass
class EnsembleResult:
    """Replicates of one configuration: long ``timeseries`` and one ``summary`` row per replicate;
    when asked for, each replicate's network at the end (``networks[i]`` that of ``seeds[i]``)."""

    timeseries: pd.DataFrame
    summary: pd.DataFrame
    config: CopConfig
    seeds: list[int]
    networks: list[Network] | None = None


def _check_progress_every(progress_every: int) -> None:
    if isinstance(progress_every, bool) or not isinstance(progress_every, int) or progress_every < 1:
        raise ConfigError(
            f"progress_every: {progress_every!r} is not allowed; expected a whole number of weeks >= 1"
        )


def _run(model: CopModel, progress: Progress | None, progress_every: int) -> None:
    """Step ``model`` to its horizon, reporting progress every ``progress_every`` weeks."""
    horizon = model.horizon
    while model.running:
        model.run_for(min(progress_every, horizon - model.steps))  # Mesa steps the model once a week
        if progress is not None:
            progress(model.steps, horizon)


def simulate(
    config: CopConfig, progress: Progress | None = None, progress_every: int = 52, network: bool = False
) -> RunResult:
    """Run the model once for ``config.horizon_weeks`` weeks from ``config.seed``.

    ``progress(week, horizon)`` is called every ``progress_every`` weeks and at the end. With
    ``network=True`` the result carries the practitioners' network at week 0 and at the end.
    """
    validate(config)
    _check_progress_every(progress_every)
    model = CopModel(config)
    start = Network.of(model) if network else None
    _run(model, progress, progress_every)
    networks = (start, Network.of(model)) if network else None
    result = RunResult(model.timeseries(), model.summary(), config, config.seed, networks)
    model.remove_all_agents()
    return result


def batch_size(config: CopConfig, replicates: int) -> int:
    """How many replicates of ``config`` to step together: as many as fit in
    :data:`BATCH_PRACTITIONERS` slots, at most :data:`BATCH_REPLICATES`, at least one."""
    fits = BATCH_PRACTITIONERS // max(config.world.n_practitioners, 1)
    return max(1, min(replicates, BATCH_REPLICATES, fits))


def simulate_ensemble(
    config: CopConfig,
    replicates: int,
    progress: Progress | None = None,
    batch: int | None = None,
    only: range | None = None,
    network: bool = False,
) -> EnsembleResult:
    """Run ``replicates`` replicates with seeds spawned from ``config.seed``.

    Replicate *r* gets the same seed in every scenario and condition (common random numbers),
    so differences between two ensembles of the same root seed are paired. Replicates are
    stepped together in batches (:func:`batch_size`, or ``batch`` replicates at a time); a
    replicate's numbers do not depend on its batch. ``progress(done, total)`` counts replicates.

    ``only`` runs just those replicates of the ensemble (e.g. ``range(10, 20)``, one worker's
    share), each with exactly the numbers it has in the whole ensemble; :func:`combine_ensembles`
    puts the shares back together. With ``network=True`` the result carries each replicate's
    network at the end, the one :func:`simulate` gives for its seed.
    """
    if isinstance(replicates, bool) or not isinstance(replicates, int | np.integer) or replicates < 1:
        raise ConfigError(f"replicates: {replicates!r} is not allowed; expected a whole number >= 1")
    indices = range(int(replicates)) if only is None else only
    if (
        not isinstance(indices, range)
        or not indices
        or indices.step != 1
        or not (indices.start >= 0 and indices.stop <= replicates)
    ):
        raise ConfigError(f"only: {only!r} is not allowed; a range of replicates within 0 to {replicates}")
    validate(config)
    seeds = replicate_seeds(config.seed, int(replicates))[indices.start : indices.stop]
    size = batch_size(config, len(seeds)) if batch is None else max(1, int(batch))
    series, rows, networks = [], [], []
    for first in range(0, len(seeds), size):
        batch_seeds = seeds[first : first + size]
        model = CopModel(config, seeds=batch_seeds)
        _run(model, None, config.horizon_weeks)
        for offset, seed in enumerate(batch_seeds):
            r = indices.start + first + offset
            series.append(model.timeseries(offset).assign(replicate=r))
            rows.append({"replicate": r, "seed": seed, **model.summary(offset)})
            if network:
                networks.append(Network.of(model, offset))
        model.remove_all_agents()
        if progress is not None:
            progress(first + len(batch_seeds), len(seeds))
    timeseries = pd.concat(series, ignore_index=True)
    timeseries.insert(0, "replicate", timeseries.pop("replicate"))
    return EnsembleResult(
        timeseries, pd.DataFrame(rows), dataclasses.replace(config), seeds, networks if network else None
    )


def shares(replicates: int, parts: int) -> list[range]:
    """``replicates`` split into at most ``parts`` consecutive ranges as equal as can be."""
    parts = max(1, min(parts, replicates))
    bounds = [round(i * replicates / parts) for i in range(parts + 1)]
    return [range(a, b) for a, b in itertools.pairwise(bounds)]


def combine_ensembles(parts: list[EnsembleResult]) -> EnsembleResult:
    """The shares of one ensemble (:func:`simulate_ensemble` with ``only``), in replicate order."""
    parts = sorted(parts, key=lambda part: int(part.summary["replicate"].iloc[0]))
    if len(parts) == 1:
        return parts[0]
    return EnsembleResult(
        pd.concat([p.timeseries for p in parts], ignore_index=True),
        pd.concat([p.summary for p in parts], ignore_index=True),
        parts[0].config,
        [seed for p in parts for seed in p.seeds],
        None if any(p.networks is None for p in parts) else [n for p in parts for n in p.networks],
    )
