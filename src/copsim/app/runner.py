"""The background job behind **Run**: both ensembles on the same seeds, with progress.

A job runs :func:`copsim.simulate_ensemble` for the chosen configuration and then for its
dissemination-only baseline (same root seed, hence the same replicate seeds), then one more run
(replicate 0's seed) to draw the network picture. It runs in its own thread so the page stays
responsive; the page polls :attr:`EnsembleJob.fraction`. A job object belongs to one browser
session (it lives in that session's state), so results never cross sessions.

With ``workers`` > 1 (``copsim-app --workers N``) the same replicates run in a shared pool of
worker processes instead, all runs of both conditions at once; :func:`parallel_ensemble`
assembles them exactly as :func:`copsim.simulate_ensemble` does (a unit test checks the two
are identical), so the numbers do not depend on the number of workers.

At most :data:`MAX_CONCURRENT` jobs simulate at once across all sessions (the others wait,
shown as "waiting"), so many users cannot oversubscribe the machine's cores.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import threading
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd

from ..api import EnsembleResult, simulate, simulate_ensemble
from ..model.config import ConfigError, CopConfig, validate
from ..model.streams import replicate_seeds
from .levers import baseline_of
from .network_picture import NetworkSnapshot, snapshot_network
from .results import Comparison

MAX_CONCURRENT = max(1, os.cpu_count() or 1)
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)
#: environment variable through which ``copsim-app --workers N`` reaches the page
WORKERS_ENV = "COPSIM_APP_WORKERS"

_POOL: ProcessPoolExecutor | None = None
_POOL_WORKERS = 0
_POOL_LOCK = threading.Lock()


def configured_workers() -> int:
    """Worker processes for simulation: ``COPSIM_APP_WORKERS`` (default 1: run in the job's thread)."""
    raw = os.environ.get(WORKERS_ENV, "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise ConfigError(f"{WORKERS_ENV}: {raw!r} is not allowed; a whole number from 1 to 256")
    return int(raw)


def shared_pool(workers: int) -> ProcessPoolExecutor:
    """One process pool for the whole server (``spawn``: safe beside Streamlit's threads)."""
    global _POOL, _POOL_WORKERS
    with _POOL_LOCK:
        if _POOL is None or workers != _POOL_WORKERS:
            if _POOL is not None:
                _POOL.shutdown(wait=False, cancel_futures=True)
            _POOL = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            _POOL_WORKERS = workers
        return _POOL


def _one_replicate(config: CopConfig, seed: int) -> tuple[pd.DataFrame, dict]:
    """Worker task: one run from ``seed``; returns its weekly series and summary."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    run = simulate(dataclasses.replace(config, seed=seed))
    return run.timeseries, run.summary


def _snapshot(config: CopConfig, seed: int) -> NetworkSnapshot:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    return snapshot_network(config, seed)


def submit_ensemble(pool: ProcessPoolExecutor, config: CopConfig, replicates: int) -> list[Future]:
    """Submit every replicate of ``config`` (seeds as :func:`copsim.simulate_ensemble` spawns them)."""
    if replicates < 1:
        raise ConfigError(f"replicates: {replicates!r} is out of range; allowed 1 or more")
    validate(config)
    return [pool.submit(_one_replicate, config, seed) for seed in replicate_seeds(config.seed, replicates)]


def parallel_ensemble(config: CopConfig, futures: list[Future]) -> EnsembleResult:
    """Assemble finished replicate futures exactly as :func:`copsim.simulate_ensemble` would."""
    seeds = replicate_seeds(config.seed, len(futures))
    series, rows = [], []
    for r, (seed, future) in enumerate(zip(seeds, futures, strict=True)):
        timeseries, summary = future.result()
        series.append(timeseries.assign(replicate=r))
        rows.append({"replicate": r, "seed": seed, **summary})
    timeseries = pd.concat(series, ignore_index=True)
    timeseries.insert(0, "replicate", timeseries.pop("replicate"))
    return EnsembleResult(timeseries, pd.DataFrame(rows), config, seeds)


@dataclass
class JobOutput:
    comparison: Comparison
    network: NetworkSnapshot


class EnsembleJob:
    """One run request: ``replicates`` runs with the community and the same on the baseline."""

    def __init__(
        self, scenario: str, config: CopConfig, overrides: list[str], replicates: int, workers: int = 1
    ) -> None:
        self.scenario = scenario
        self.config = config
        self.overrides = list(overrides)
        self.replicates = replicates
        self.workers = workers
        self.total = 2 * replicates + 1  # + one run for the network picture
        self.done = 0
        self.state = "waiting"  # waiting -> running -> done | failed
        self.output: JobOutput | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._work, name=f"copsim-job-{scenario}", daemon=True)

    @property
    def fraction(self) -> float:
        return self.done / self.total

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def start(self) -> EnsembleJob:
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _work(self) -> None:
        logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
        with _SLOTS:
            self.state = "running"
            try:
                if self.workers > 1:
                    community, baseline, network = self._in_pool()
                else:
                    community, baseline, network = self._in_thread()
                self._set(self.total)
                comparison = Comparison(self.scenario, self.overrides, self.replicates, community, baseline)
                self.output = JobOutput(comparison, network)
                self.state = "done"
            except Exception as exc:  # shown on the page; the server goes on
                self.error = f"{type(exc).__name__}: {exc}"
                logging.getLogger(__name__).error("job failed\n%s", traceback.format_exc())
                self.state = "failed"

    def _in_thread(self) -> tuple[EnsembleResult, EnsembleResult, NetworkSnapshot]:
        n = self.replicates
        community = simulate_ensemble(self.config, n, progress=lambda d, _t: self._set(d))
        baseline = simulate_ensemble(baseline_of(self.config), n, progress=lambda d, _t: self._set(n + d))
        return community, baseline, snapshot_network(self.config, community.seeds[0])

    def _in_pool(self) -> tuple[EnsembleResult, EnsembleResult, NetworkSnapshot]:
        pool = shared_pool(self.workers)
        base_config = baseline_of(self.config)
        community = submit_ensemble(pool, self.config, self.replicates)
        baseline = submit_ensemble(pool, base_config, self.replicates)
        network = pool.submit(_snapshot, self.config, replicate_seeds(self.config.seed, 1)[0])
        lock = threading.Lock()

        def count(_future: Future) -> None:
            with lock:
                self._set(self.done + 1)

        for future in (*community, *baseline, network):
            future.add_done_callback(count)
        return (
            parallel_ensemble(self.config, community),
            parallel_ensemble(base_config, baseline),
            network.result(),
        )

    def _set(self, done: int) -> None:
        self.done = done
