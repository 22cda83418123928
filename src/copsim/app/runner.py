"""The work behind **Run**: one server-wide queue of requests, answered in turn.

A request (:class:`~copsim.app.levers.Request`) needs three ensembles on the same replicate
seeds: the chosen settings with the community, their dissemination-only baseline, and — when the
levers differ from the case's own values — the case as configured (for the participation chart);
and the network of the community's middle run, which that ensemble's runs bring back with them
(only an ensemble kept from an earlier request, without its networks, needs one more run).

* **One queue, first come first served.** Requests wait in a FIFO; one at a time simulates, on
  all the worker processes at once (``copsim-app --workers N``, default one per core), so the
  first in line is answered as fast as the machine allows and nobody overtakes anybody. A
  waiting session sees how many requests are ahead of it (:meth:`Dispatcher.ahead`).
* **Equal requests are one job.** Equal settings give equal numbers (same seeds), so a second
  session asking the same question joins the job already queued or running, and finished
  ensembles are kept (:class:`EnsembleCache`, least recently used dropped first).
* **The cases can be answered ahead** (``copsim-app --prefetch``). While nobody waits, the
  server answers each case as configured at the page's default number of runs, then every stop
  of the coordinator-time slider (:func:`prefetch_requests`, :meth:`Dispatcher.prefetch`): a
  first visit's **Run**, and the coordinator slider at the default runs, answer at once. A
  session's request always goes first.
* **One baseline per case.** A request that moves only the community's levers needs one new
  ensemble, not three: the case as configured is its reference, and its baseline is the case's
  own (:func:`~copsim.app.levers.baseline_of`).
* **"What does it take?"** searches (:class:`SearchRequest`) wait in the same queue; each
  coordinator time they try is one ensemble.
* **A job nobody waits for is cancelled.** Each job holds, per session, a callable that says
  whether that session is still connected. When none has been for :data:`GRACE_SECONDS`
  (the tab was closed or reloaded), the job leaves the queue or, if running, its pending runs
  are cancelled and the queue moves on.

Workers are processes (``spawn``, safe beside Streamlit's threads), so simulations never hold
the server's interpreter lock; with ``--workers 1`` they run in one background thread instead.
Each ensemble is split into one task per worker, each :func:`copsim.simulate_ensemble` on a share
of the replicates (stepped side by side): a replicate's numbers do not depend on its batch, so
the numbers do not depend on the number of workers (tested), and one request uses every core
(SafeCities' 20 runs: about 5 s a half instead of 11 s the whole). Progress counts these tasks.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import logging
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

from ..analysis.target_search import HOURS, HOURS_PER_FTE, SearchResult, Target, check_within_horizon, search
from ..analysis.times import median_rank
from ..api import EnsembleResult, Network, combine_ensembles, shares, simulate, simulate_ensemble
from ..model.config import ConfigError, CopConfig
from .cases import CASES, case_of
from .levers import DEFAULT_REPLICATES, Request, baseline_of, levers_from_config, scenario_defaults
from .network_picture import NetworkSnapshot, picture_of, snapshot_network
from .results import Comparison

#: environment variables through which ``copsim-app --workers N`` and ``--prefetch`` reach the page
WORKERS_ENV = "COPSIM_APP_WORKERS"
PREFETCH_ENV = "COPSIM_APP_PREFETCH"
#: seconds a job goes on after the last session waiting for it disconnected (a reload reconnects
#: within about a second; a closed tab never does)
GRACE_SECONDS = 5.0
#: how often (seconds) the watchdog looks at the sessions behind queued and running jobs
WATCH_EVERY = 1.0
#: ensembles kept for reuse (each 1-3 MB: room for the cases and slider stops answered ahead)
CACHE_SIZE = 160
#: answered requests kept, so a reload, a link or a saved scenario shows them at once (room for
#: the 84 answered ahead, :func:`prefetch_requests`, and as many again)
ANSWERS_KEPT = 168

log = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised inside a job whose sessions are all gone."""


def configured_workers() -> int:
    """Worker processes for simulation: ``COPSIM_APP_WORKERS`` (default: one per core)."""
    default = str(max(1, os.cpu_count() or 1))
    raw = os.environ.get(WORKERS_ENV, default).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise ConfigError(f"{WORKERS_ENV}: {raw!r} is not allowed; a whole number from 1 to 256")
    return int(raw)


# ------------------------------------------------------------------------------ worker tasks
def _ensemble(config: CopConfig, replicates: int, share: range, network: bool = False) -> EnsembleResult:
    """Worker task: one worker's share of an ensemble, exactly as :func:`copsim.simulate_ensemble`
    runs it (its replicates stepped side by side, which is several times faster than one by one),
    with each run's network at the end when ``network``."""
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    return simulate_ensemble(config, replicates, only=share, network=network)


def _snapshot(config: CopConfig, seed: int) -> NetworkSnapshot:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    return snapshot_network(config, seed)


#: a run small enough to take a moment, touching every rule (so every compiled loop gets loaded)
WARM_UP_OVERRIDES = ["world.n_organizations=12", "world.n_practitioners=90", "horizon_weeks=8"]


def _warm_up() -> None:
    """Worker task: load the model and its compiled loops before the first request needs them."""
    from ..model.config import load_config

    logging.getLogger("MESA").setLevel(logging.WARNING)
    simulate(load_config("rumble_strips", WARM_UP_OVERRIDES))


def _exit_with(parent: int) -> None:
    """Worker initializer: end this worker as soon as the server that started it is gone.

    A worker blocked waiting for work would otherwise outlive a server that was stopped or killed
    (each holds the model in memory); it checks once a second whether its parent changed.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="copsim-parent-watch", daemon=True).start()


def middle_replicate(times: np.ndarray) -> int:
    """The replicate whose time is the ensemble's time (rank ``ceil(n/2)``, not reached last)."""
    order = np.argsort(np.where(np.isnan(times), np.inf, times), kind="stable")
    return int(order[median_rank(times.size) - 1])


# ------------------------------------------------------------------------------ cache
class EnsembleCache:
    """Finished ensembles by (config, replicates), least recently used dropped first. Thread-safe."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: collections.OrderedDict[tuple[str, int], EnsembleResult] = collections.OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(config: CopConfig, replicates: int) -> tuple[str, int]:
        return repr(config), replicates

    def get(self, config: CopConfig, replicates: int) -> EnsembleResult | None:
        key = self.key(config, replicates)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, result: EnsembleResult, replicates: int) -> None:
        key = self.key(result.config, replicates)
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


# ------------------------------------------------------------------------------ jobs
@dataclass
class JobOutput:
    comparison: Comparison
    network: NetworkSnapshot


@dataclass(frozen=True)
class SearchRequest:
    """A "what does it take?" question: the least coordinator time that meets ``target`` for the
    settings of ``request`` (whose own coordinator time the search replaces)."""

    request: Request
    target: Target

    def config(self) -> CopConfig:
        check_within_horizon(self.target.check(), self.request.config().horizon_weeks)
        return self.request.config()


class Job:
    """One request being answered; shared by every session that asked the same question."""

    def __init__(self, request: Request | SearchRequest) -> None:
        self.request = request
        self.config = request.config()  # validated before the job is queued
        if isinstance(request, SearchRequest):  # settings tried: both ends, then a bisection
            self.total = 2 + math.ceil(math.log2(len(HOURS) - 1))
        else:  # the ensembles (with the community, without, as in the case) and the network picture
            self.total = (3 if request.overrides else 2) + 1
        self.done = 0  # in parts: the Dispatcher multiplies the total by the workers' shares
        self.background = False  # asked by the server itself (Dispatcher.prefetch), no session yet
        self.started: float | None = None  # time.monotonic() when it began to run
        self.state = "queued"  # queued -> running -> done | failed | cancelled
        self.output: JobOutput | None = None
        self.error: str | None = None
        self._watchers: list[Callable[[], bool]] = []
        self._last_seen = time.monotonic()
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self._lock = threading.Lock()

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job is finished (True) or ``timeout`` seconds pass (False)."""
        return self._finished.wait(timeout)

    def watch(self, alive: Callable[[], bool]) -> None:
        """Add a session waiting for this job (``alive()`` says whether it is still connected)."""
        with self._lock:
            self._watchers.append(alive)
            self._last_seen = time.monotonic()

    def unwatch(self, alive: Callable[[], bool]) -> bool:
        """A session no longer waits; True when no session waits any more."""
        with self._lock:
            self._watchers = [w for w in self._watchers if w is not alive]
            return not self._watchers

    def watched(self, now: float, grace: float) -> bool:
        """Some session still waits for the job, or the last left less than ``grace`` seconds ago."""
        with self._lock:
            alive = []
            for watcher in self._watchers:
                try:
                    alive.append(bool(watcher()))
                except Exception:  # a session that cannot be asked is gone
                    alive.append(False)
            if any(alive) or not self._watchers:
                self._last_seen = now
            return now - self._last_seen < grace

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _advance(self, future: Future | None = None, parts: int = 1) -> None:
        """Count ``parts`` finished parts (a cancelled task counts none)."""
        if future is not None and future.cancelled():
            return
        with self._lock:
            self.done += parts

    def _finish(self, state: str) -> None:
        self.state = state
        self._finished.set()


class Dispatcher:
    """The server's queue: requests in, one job at a time on the workers, answers out."""

    def __init__(
        self, workers: int, grace: float = GRACE_SECONDS, cache: EnsembleCache | None = None
    ) -> None:
        if not 1 <= workers <= 256:
            raise ConfigError(f"workers: {workers!r} is out of range; allowed 1 to 256")
        self.workers = workers
        self.grace = grace
        self.cache = cache or EnsembleCache()
        self._queue: collections.deque[Job] = collections.deque()
        self._running: Job | None = None
        self._jobs: dict[Request, Job] = {}  # queued or running, by request
        self._lock = threading.Condition()
        self._answers: collections.OrderedDict[Request, JobOutput] = collections.OrderedDict()
        self._background: collections.deque[Request] = collections.deque()  # see prefetch()
        self._executor: Executor | None = None
        self._stopped = False
        threading.Thread(target=self._serve, name="copsim-queue", daemon=True).start()
        threading.Thread(target=self._watch, name="copsim-watchdog", daemon=True).start()

    # -------------------------------------------------------------------------- public
    def submit(self, request: Request | SearchRequest, alive: Callable[[], bool] = lambda: True) -> Job:
        """Queue ``request`` (or join the equal one already queued or running); ConfigError if invalid.

        A :class:`SearchRequest` is answered by :func:`copsim.analysis.target_search.search` (its
        output is a ``SearchResult``); a :class:`Request` by the comparison (a :class:`JobOutput`).

        A request answered before comes back as a finished job at once.
        """
        with self._lock:
            answered = self._answers.get(request)
            if answered is not None:
                self._answers.move_to_end(request)
                job = Job(request)
                job.output, job.done = answered, job.total
                job._finish("done")
                return job
            job = self._jobs.get(request)
            if job is None or job.cancelled:
                job = Job(request)
                self._jobs[request] = job
                self._queue.append(job)
                running = self._running
                if running is not None and running.background:  # a session's request goes first
                    running.cancel()
                self._lock.notify_all()
            job.background = False
            job.watch(alive)
            return job

    def prefetch(self, requests: list[Request]) -> None:
        """Answer ``requests`` while nobody else waits: the server's own questions, asked ahead.

        A session's request always goes first: one arriving while a prefetched request runs
        stops it (ensembles already finished are kept) and it is asked again when the queue is
        empty. A session asking the same question joins it instead.
        """
        with self._lock:
            self._background.extend(requests)  # each composed when its turn comes (_next)
            self._lock.notify_all()

    def answer(self, request: Request) -> JobOutput | None:
        """The answer to ``request`` if it was answered recently, else None."""
        with self._lock:
            return self._answers.get(request)

    def withdraw(self, job: Job, alive: Callable[[], bool]) -> None:
        """A session stops waiting for ``job``; the job is cancelled if nobody else waits."""
        if job.unwatch(alive):
            self._cancel(job)

    def _cancel(self, job: Job) -> None:
        """Cancel ``job``: a waiting job leaves the queue at once, a running one stops its runs."""
        job.cancel()
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                self._jobs.pop(job.request, None)
                job._finish("cancelled")

    def ahead(self, job: Job) -> int:
        """Requests to be answered before ``job`` (the running one included); 0 once it runs."""
        with self._lock:
            if job is self._running or job not in self._queue:
                return 0
            running = self._running is not None and not self._running.background
            return list(self._queue).index(job) + running

    def warm_up(self) -> None:
        """Start the worker processes now, so the first request does not wait for them."""
        executor = self._get_executor()
        for _ in range(self.workers if self.workers > 1 else 0):
            executor.submit(_warm_up)

    def stop(self) -> None:
        """Cancel everything and stop the workers (at the server's shutdown, and in tests)."""
        with self._lock:
            self._stopped = True
            self._background.clear()
            for job in (*self._queue, *([self._running] if self._running else [])):
                job.cancel()
            self._lock.notify_all()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    # -------------------------------------------------------------------------- queue
    def _serve(self) -> None:
        while True:
            job = self._next()
            if job is None:
                return
            try:
                self._answer(job)
            finally:
                with self._lock:
                    self._running = None
                    if self._jobs.get(job.request) is job:
                        del self._jobs[job.request]
                    if job.background and job.state == "cancelled" and not self._stopped:
                        self._background.appendleft(job.request)  # stopped for a session: ask it later

    def _next(self) -> Job | None:
        """The next job to run, now marked running: a session's first; None once stopped."""
        while True:
            with self._lock:
                while not self._queue and not self._background and not self._stopped:
                    self._lock.wait()
                if self._stopped:
                    return None
                if self._queue:
                    self._running = self._queue.popleft()
                    return self._running
                request = self._background.popleft()
                if request in self._answers or request in self._jobs:
                    continue  # answered, or asked by a session meanwhile
            try:
                job = Job(request)  # composes its config: outside the lock, sessions are not held up
            except Exception:  # a question the server cannot ask: skip it; the queue must go on
                log.exception("copsim-app: cannot answer ahead: %s", request)
                continue
            job.background = True
            with self._lock:
                if self._queue or self._stopped or request in self._answers or request in self._jobs:
                    self._background.appendleft(request)  # a session came first
                    continue
                self._jobs[request] = job
                self._running = job
                return job

    def _watch(self) -> None:
        while not self._stopped:
            time.sleep(WATCH_EVERY)
            now = time.monotonic()
            with self._lock:
                jobs = [*self._queue, *([self._running] if self._running else [])]
            for job in jobs:
                if not job.cancelled and not job.watched(now, self.grace):
                    log.info("copsim-app: cancelled a request nobody waits for: %s", job.request)
                    self._cancel(job)

    # -------------------------------------------------------------------------- one job
    def _get_executor(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self.workers > 1:
                    context = multiprocessing.get_context("spawn")
                    self._executor = ProcessPoolExecutor(
                        self.workers, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),)
                    )
                else:
                    self._executor = ThreadPoolExecutor(1, thread_name_prefix="copsim-sim")
            return self._executor

    def _answer(self, job: Job) -> None:
        job.state, job.started = "running", time.monotonic()
        try:
            job.output = self._search(job) if isinstance(job.request, SearchRequest) else self._compute(job)
            job.done = job.total
            with self._lock:
                self._answers[job.request] = job.output
                while len(self._answers) > ANSWERS_KEPT:
                    self._answers.popitem(last=False)
            job._finish("done")
        except (JobCancelled, CancelledError):
            job._finish("cancelled")
        except BrokenProcessPool as exc:  # a worker died (e.g. killed): start fresh next time
            with self._lock:
                self._executor = None
            job.error = f"a worker process stopped unexpectedly ({exc}); press Run again"
            log.error("copsim-app: %s", job.error)
            job._finish("failed")
        except Exception as exc:  # shown on the page; the server goes on
            if self._stopped:  # the workers were stopped under it: the server is shutting down
                job._finish("cancelled")
                return
            job.error = f"{type(exc).__name__}: {exc}"
            log.exception("copsim-app: request failed: %s", job.request)
            job._finish("failed")

    def _compute(self, job: Job) -> JobOutput:
        request, config = job.request, job.config
        n = request.replicates
        parts = len(shares(n, self.workers))
        job.total *= parts
        executor = self._get_executor()
        plan = {"community": config, "baseline": baseline_of(config)}
        if request.overrides:
            plan["reference"] = scenario_defaults(request.scenario)
        pending: dict[str, list[Future]] = {}
        results: dict[str, EnsembleResult] = {}
        try:
            for name, cfg in plan.items():
                cached = self.cache.get(cfg, n)
                if cached is None:  # the community's runs keep their networks for the picture
                    pending[name] = self._submit(job, cfg, n, network=name == "community")
                else:
                    results[name] = cached
                    job._advance(parts=parts)
            networks = None
            if "community" in pending:
                results["community"], networks = self._collect(job, pending.pop("community"), n)
            community = results["community"]
            key = case_of(request.scenario).outcome.key
            middle = middle_replicate(community.summary[key].to_numpy(float))
            if networks is not None:
                snapshot = picture_of(networks[middle], community.seeds[middle])
                job._advance(parts=parts)
            else:  # a kept ensemble: its networks were not kept, so one more run of the middle seed
                network = executor.submit(_snapshot, config, community.seeds[middle])
                network.add_done_callback(lambda future: job._advance(future, parts))
                pending["network"] = [network]
            for name in [name for name in pending if name != "network"]:
                results[name], _ = self._collect(job, pending.pop(name), n)
            if "network" in pending:
                snapshot = self._wait(job, pending.pop("network")[0])
        except BaseException:
            for futures in pending.values():
                for future in futures:
                    future.cancel()
            raise
        comparison = Comparison(
            request.scenario,
            list(request.overrides),
            n,
            community,
            results["baseline"],
            results.get("reference"),
            middle,
        )
        return JobOutput(comparison, snapshot)

    def _search(self, job: Job) -> SearchResult:
        """The least coordinator time that meets the job's target (each setting one ensemble)."""
        target, config = job.request.target, job.config
        parts = len(shares(target.runs, self.workers))
        job.total *= parts

        def evaluate(hours: float) -> np.ndarray:
            cfg = dataclasses.replace(
                config,
                coordinator=dataclasses.replace(config.coordinator, fte=round(hours / HOURS_PER_FTE, 4)),
            )
            result = self.cache.get(cfg, target.runs)
            if result is None:
                result, _ = self._collect(job, self._submit(job, cfg, target.runs), target.runs)
            else:
                job._advance(parts=parts)
            return result.summary[target.outcome].to_numpy(float)

        return search(target, evaluate)

    def _submit(self, job: Job, config: CopConfig, replicates: int, network: bool = False) -> list[Future]:
        """One ensemble as one task per worker, each a share of its replicates (the numbers are
        those of one task: a replicate's numbers do not depend on its batch)."""
        executor = self._get_executor()
        parts = shares(replicates, self.workers)
        futures = [executor.submit(_ensemble, config, replicates, part, network) for part in parts]
        for future in futures:
            future.add_done_callback(job._advance)
        return futures

    def _collect(
        self, job: Job, futures: list[Future], replicates: int
    ) -> tuple[EnsembleResult, list[Network] | None]:
        """The ensemble from its shares (the rest cancelled if the job is cancelled), kept for
        reuse; and its runs' networks if they were asked for, which are not kept (a few MB)."""
        try:
            result = combine_ensembles([self._wait(job, future) for future in futures])
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        networks, result.networks = result.networks, None
        self.cache.put(result, replicates)
        return result, networks

    @staticmethod
    def _wait(job: Job, future: Future):
        """The future's result; cancels it and raises JobCancelled if the job is cancelled first."""
        while True:
            if job.cancelled:
                future.cancel()
                raise JobCancelled
            done, _ = wait_futures([future], timeout=0.25)
            if done:
                return future.result()


_DISPATCHER: Dispatcher | None = None
_DISPATCHER_LOCK = threading.Lock()


def shutdown() -> None:
    """Stop the server's dispatcher and its workers (when the server shuts down)."""
    with _DISPATCHER_LOCK:
        if _DISPATCHER is not None:
            _DISPATCHER.stop()


def prefetch_requests() -> list[Request]:
    """What the server answers ahead, at the page's default number of runs: first each case as
    configured (every first visit's question; its ensembles are the reference and the baseline
    of every request that moves only the community's levers), then each stop of the
    coordinator-time slider, nearest the case's own first, the cases taking turns."""
    stops = []
    for case in CASES:
        own = levers_from_config(scenario_defaults(case))
        hours = sorted(HOURS, key=lambda h: (abs(h - own.coordinator_hours), h))
        moved = [dataclasses.replace(own, coordinator_hours=h) for h in hours if h != own.coordinator_hours]
        stops.append([Request.of(case, chosen, DEFAULT_REPLICATES) for chosen in moved])
    turns = [request for turn in itertools.zip_longest(*stops) for request in turn if request is not None]
    return [Request(case, (), DEFAULT_REPLICATES) for case in CASES] + turns


def configured_prefetch() -> bool:
    """Whether to answer :func:`prefetch_requests` ahead: ``COPSIM_APP_PREFETCH`` (0, the
    default, or 1: ``copsim-app --prefetch``; see DASHBOARD.md for why it is not the default yet)."""
    raw = os.environ.get(PREFETCH_ENV, "0").strip()
    if raw not in ("0", "1"):
        raise ConfigError(f"{PREFETCH_ENV}: {raw!r} is not allowed; 1 or 0")
    return raw == "1"


def dispatcher() -> Dispatcher:
    """The server's one dispatcher, created (its workers started, the cases answered ahead) on first use."""
    global _DISPATCHER
    with _DISPATCHER_LOCK:
        if _DISPATCHER is None:
            _DISPATCHER = Dispatcher(configured_workers())
            _DISPATCHER.warm_up()
            if configured_prefetch():
                _DISPATCHER.prefetch(prefetch_requests())
        return _DISPATCHER
