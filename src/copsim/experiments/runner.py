"""Run a sweep: one Hydra job per condition, on any Hydra launcher, into a resumable results store.

``copsim-run -m ...`` lands in :func:`run_sweep`, which

1. plans the sweep (:func:`copsim.experiments.plan.expand`: Hydra composes the experiment and
   the overrides; copsim counts, expands and validates the grid and adds the baselines) and
   estimates its memory and time (:mod:`copsim.experiments.limits`); on bad input, or a sweep
   that would not fit in memory, it prints one line and returns 2 before anything is written;
2. locks the sweep directory (:class:`copsim.experiments.lock.SweepLock`: a second sweep there
   refuses at once), refuses to resume results made by other code (unless ``force=true``),
   writes the plan (``sweep.json``) and works out which conditions are not yet complete;
3. hands those to Hydra as a multirun over ``condition=i,j,...``; each job (:func:`hydra_task`,
   run by the basic, joblib, ray or submitit launcher) rebuilds its condition's config from the
   plan, runs all its replicates with :func:`copsim.simulate_ensemble` and writes the
   condition's files atomically (:func:`run_condition`); a condition that raises is recorded,
   not propagated; if the sweep is killed, its local workers are stopped too
   (:mod:`copsim.experiments.reaper`);
4. meanwhile shows a progress bar (conditions done / total, elapsed, time left) on a terminal;
5. rebuilds the aggregates (:func:`copsim.experiments.store.collect`) and returns 0, or 1 with
   the number of failed conditions and where to look.

Ctrl+C (or SIGTERM) stops the sweep within seconds: the condition being run is left unfinished
(it runs again on resume), ``manifest.json`` says ``interrupted``, and the command returns 130;
a second Ctrl+C exits at once, quietly. A disk that refuses a write (full, read-only) stops the
sweep with one line naming the file; what was written stays valid.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from ..analysis.costs import with_costs
from ..api import simulate_ensemble
from ..composition import CommandLine, cost_rates, hydra_app
from ..model.config import ConfigError
from ..progress import bar
from . import reaper
from .limits import Estimate, check_memory, duration_text, local_parallelism, size_text, total_seconds
from .lock import LOCK, SweepLock
from .plan import SweepPlan, entry_config, expand
from .provenance import code_identity, describe_code
from .store import (
    CONDITION_JSON,
    PLAN,
    StoreError,
    collect,
    command_line,
    condition_dir,
    condition_status,
    file_record,
    now,
    read_json,
    write_json,
    write_manifest,
    write_parquet,
)

#: at most one progress refresh per this many seconds
PROGRESS_SECONDS = 1.0


# --------------------------------------------------------------------------------------------
# One job = one condition
# --------------------------------------------------------------------------------------------
def run_condition(sweep_dir: Path | str, plan: dict[str, Any], entry: dict[str, Any]) -> str:
    """Run one planned condition (all replicates) and write its files; return its status.

    Exceptions from the model are caught and recorded in ``condition.json`` with the traceback
    (status ``failed``) so the rest of the sweep goes on. A write the disk refuses
    (:class:`StoreError`) and an interrupt stop the sweep instead.
    """
    cdir = condition_dir(Path(sweep_dir), entry["id"])
    with contextlib.suppress(FileNotFoundError):
        (cdir / CONDITION_JSON).unlink()  # not complete until the new record is written
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    t0 = time.perf_counter()
    record: dict[str, Any] = {
        **{k: entry[k] for k in ("id", "index", "label", "scenario", "overrides", "replicates", "keys")},
        "baseline": entry.get("baseline", False),
        "fingerprint": entry["fingerprint"],
        "code": code_identity(),
        "started": now(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    try:
        if entry.get("code") and entry["code"] != record["code"]:
            raise RuntimeError(
                f"this worker runs {describe_code(record['code'])}, the plan was made with "
                f"{describe_code(entry['code'])}; install the same copsim on every worker"
            )
        config = entry_config(plan, entry)
        record["root_seed"] = config.seed
        record["config"] = dataclasses.asdict(config)
        ensemble = simulate_ensemble(config, int(entry["replicates"]))
        info = {"condition_id": entry["id"], "label": entry["label"]}
        rates = cost_rates(plan.get("options", {}))
        summary = ensemble.summary if rates is None else with_costs(ensemble.summary, config, rates)
        write_parquet(cdir / "runs.parquet", summary, "summary", info)
        write_parquet(cdir / "timeseries.parquet", ensemble.timeseries, "weekly", info)
        record["files"] = {name: file_record(cdir / name) for name in ("runs.parquet", "timeseries.parquet")}
        record.update(status="complete", seeds=list(ensemble.seeds))
    except StoreError:
        raise
    except Exception as exc:
        record.update(
            status="failed",
            error=f"{type(exc).__name__}: {exc}".splitlines()[0],
            traceback=traceback.format_exc(),
        )
        print(
            f"copsim-run: condition {entry['id']} ({entry['label']}) failed: {record['error']}",
            file=sys.stderr,
        )
    record.update(finished=now(), duration_s=round(time.perf_counter() - t0, 3))
    write_json(cdir / CONDITION_JSON, record)
    return record["status"]


class WriteRefused(BaseException):
    """A job's write was refused (:class:`StoreError`): stop the whole sweep, not this job only.

    A BaseException so that Hydra's job wrapper passes it on instead of recording it as a job
    failure (and printing its own message).
    """

    def __init__(self, error: StoreError) -> None:
        super().__init__(error.errno, error.strerror)
        self.error = error


_PLANS: dict[str, tuple[float, dict[str, Any]]] = {}


def _plan_of(sweep_dir: Path) -> dict[str, Any]:
    """``sweep.json``, read once per worker process (again only when it changed)."""
    path = sweep_dir / PLAN
    stamp = path.stat().st_mtime
    cached = _PLANS.get(str(path))
    if cached is None or cached[0] != stamp:
        plan = read_json(path)
        if plan is None:
            raise FileNotFoundError(f"{path}: the sweep plan is missing")
        _PLANS[str(path)] = cached = (stamp, plan)
    return cached[1]


def hydra_task(cfg: Any) -> str:
    """The Hydra task of a sweep job: run condition ``cfg.condition`` of the plan in ``cfg.sweep_dir``."""
    sweep_dir = Path(str(cfg.sweep_dir))
    plan = _plan_of(sweep_dir)
    try:
        return run_condition(sweep_dir, plan, plan["conditions"][int(cfg.condition)])
    except StoreError as exc:
        raise WriteRefused(exc) from None


# --------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------
class ProgressMonitor(threading.Thread):
    """Watches the sweep directory and draws ``done/total`` with elapsed time and time left.

    Works for every launcher because it reads the per-condition records the jobs write, not the
    jobs themselves. The bar is drawn on a terminal only (:func:`copsim.progress.bar`).
    """

    def __init__(self, sweep_dir: Path, todo: list[dict[str, Any]], total: int) -> None:
        super().__init__(daemon=True, name="copsim-progress")
        self.sweep_dir, self.todo, self.total = sweep_dir, todo, total
        self.start_time = time.time()
        self.done: dict[str, str] = {}
        self._stop_event = threading.Event()
        self.bar = bar(total, "copsim-run", "condition", initial=total - len(todo))

    def poll(self) -> int:
        """Record conditions finished since the start; return how many are new."""
        new = 0
        for entry in self.todo:
            cid = entry["id"]
            if cid in self.done:
                continue
            path = condition_dir(self.sweep_dir, cid) / CONDITION_JSON
            try:
                if path.stat().st_mtime < self.start_time - 1.0:
                    continue
            except FileNotFoundError:
                continue
            record = read_json(path)
            if record is not None:
                self.done[cid] = record.get("status", "failed")
                new += 1
        return new

    @property
    def failed(self) -> int:
        return sum(s != "complete" for s in self.done.values())

    def report(self) -> None:
        new = self.poll()
        if new:
            if self.failed:
                self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)
            self.bar.update(new)

    def run(self) -> None:
        while not self._stop_event.wait(PROGRESS_SECONDS):
            self.report()

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)
        self.report()
        self.bar.close()


# --------------------------------------------------------------------------------------------
# Interrupts
# --------------------------------------------------------------------------------------------
class Interrupts:
    """Ctrl+C and SIGTERM during a sweep: the first stops it where it is (KeyboardInterrupt),
    the second exits at once and quietly (status 130), leaving every file as it is."""

    def __init__(self, on_second: Any = None) -> None:
        self.count = 0
        self.on_second = on_second
        self._saved: dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.count == 1:
            raise KeyboardInterrupt
        with contextlib.suppress(Exception):
            if self.on_second is not None:
                self.on_second()
        os._exit(130)

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)

    def quiet(self) -> None:
        """From now on (after the first interrupt) any further one exits at once."""
        self.count = max(self.count, 1)


# --------------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------------
def _quote(value: str) -> str:
    """A string as a quoted Hydra override value."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _hydra_overrides(plan: SweepPlan, indices: list[int]) -> list[str]:
    overrides = [
        f"condition={','.join(str(i) for i in indices)}",
        f"sweep_dir={_quote(str(plan.sweep_dir))}",
        f"hydra.sweep.dir={_quote(str(plan.sweep_dir))}",
        "hydra.sweep.subdir=.",  # jobs write into conditions/<id>/ themselves; no numbered folders
        "hydra.sweeper.params=null",  # the grid is the plan's, not the sweeper's
    ]
    if not any(a.lstrip("+").startswith("hydra.hydra_logging") for a in plan.launch):
        overrides.append("hydra.hydra_logging.root.level=WARNING")  # copsim shows its own progress
    return [*plan.launch, *overrides]


def _launch(plan: SweepPlan, overrides: list[str]) -> BaseException | None:
    """Run the Hydra multirun in this process; return the exception that ended it, if any."""
    from hydra.core.global_hydra import GlobalHydra

    try:
        app = hydra_app(plan.command)
        app.multirun(
            config_name="config", task_function=hydra_task, overrides=[*overrides, "hydra.mode=MULTIRUN"]
        )
    except (Exception, KeyboardInterrupt, WriteRefused) as exc:  # aggregate what is done, then report
        return exc
    finally:
        GlobalHydra.instance().clear()
    return None


def check_limits(plan: SweepPlan) -> str:
    """Estimate the sweep's memory and time; refuse (ConfigError) what exceeds the memory limit.

    Returns the estimate as words for the first line (and a note when memory is short now)."""
    estimates = [Estimate.of(c.config, c.replicates) for c in plan.conditions]
    parallel = local_parallelism(plan.launcher)
    biggest = max(estimates, key=lambda e: e.memory)
    note = check_memory(biggest, min(parallel, len(estimates)), plan.options.get("memory_limit"), "the sweep")
    runs = sum(c.replicates for c in plan.conditions)
    text = (
        f"{runs:,} runs, about {duration_text(total_seconds(estimates, parallel))} "
        f"({parallel} at a time), up to {size_text(biggest.memory)} each"
    )
    return f"{text}; {note}" if note else text


def _check_code(sweep_dir: Path, force: bool) -> None:
    """Refuse to resume a sweep whose results were made by other code (unless ``force``)."""
    previous = read_json(sweep_dir / PLAN)
    if previous is None or force:
        return
    if previous.get("code") != code_identity():
        raise ConfigError(
            f"sweep_dir: {str(sweep_dir)!r} holds results of {describe_code(previous.get('code'))}, not of "
            f"this {describe_code(code_identity())}; rerun it all with force=true, or choose a new sweep_dir"
        )


def run_sweep(args: list[str] | CommandLine) -> int:
    """``copsim-run -m ...``: validate, run what is not complete, aggregate; return the exit status."""
    try:
        plan = expand(args)
        estimate = check_limits(plan)
        _check_code(plan.sweep_dir, bool(plan.options.get("force")))
    except ConfigError as exc:
        print(f"copsim-run: error: {exc}", file=sys.stderr)
        return 2
    sweep_dir = plan.sweep_dir
    try:
        sweep_dir.mkdir(parents=True, exist_ok=True)
        lock = SweepLock(sweep_dir)
        lock.acquire()
    except ConfigError as exc:
        print(f"copsim-run: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"copsim-run: error: sweep_dir: cannot write {sweep_dir}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    if lock.took_over is not None:
        holder = lock.took_over
        print(
            f"copsim-run: {sweep_dir} was left locked by a sweep that is gone (pid {holder.get('pid')} on "
            f"{holder.get('host')}); resuming",
            file=sys.stderr,
        )
    with Interrupts(on_second=lambda: (sweep_dir / LOCK).unlink(missing_ok=True)) as interrupts:
        try:
            return _run_locked(plan, estimate, interrupts)
        except KeyboardInterrupt:  # during planning or aggregation
            interrupts.quiet()
            print(f"copsim-run: interrupted; resume with sweep_dir={sweep_dir}", file=sys.stderr)
            return 130
        except StoreError as exc:
            print(
                f"copsim-run: error: {exc.strerror}; what is complete stays valid: free space or fix the "
                f"folder, then rerun with sweep_dir={sweep_dir} to resume",
                file=sys.stderr,
            )
            return 1
        finally:
            lock.release()


def _run_locked(plan: SweepPlan, estimate: str, interrupts: Interrupts) -> int:
    sweep_dir = plan.sweep_dir
    previous = read_json(sweep_dir / PLAN) or {}
    plan_json = {**plan.to_json(), "created": previous.get("created") or now(), "updated": now()}
    write_json(sweep_dir / PLAN, plan_json)
    entries = plan_json["conditions"]
    force = bool(plan.options.get("force"))
    todo = [e for e in entries if force or condition_status(sweep_dir, e, verify=True) != "complete"]
    name = plan.experiment or "sweep"
    reps = plan.options["replicates"]
    head = f"copsim-run: {name}: {len(entries)} conditions x {reps} replicates -> {sweep_dir}"
    if len(todo) < len(entries):
        head += f" ({len(entries) - len(todo)} already complete, skipped)"
    print(head, file=sys.stderr, flush=True)
    if todo:
        print(f"copsim-run: {estimate}", file=sys.stderr, flush=True)

    started = now()
    problem: BaseException | None = None
    if todo:
        monitor = ProgressMonitor(sweep_dir, todo, len(entries))
        monitor.start()
        # local workers (joblib, a local Ray, submitit_local) must not outlive a killed sweep
        guard = reaper.start() if plan.launcher.get("choice", "basic") != "basic" else None
        try:
            problem = _launch(plan, _hydra_overrides(plan, [e["index"] for e in todo]))
        finally:
            monitor.stop()
            if guard is not None:
                guard.terminate()
                guard.wait()
    session = {"command": command_line(), "session": {"started": started, "finished": now()}}
    if isinstance(problem, KeyboardInterrupt):
        interrupts.quiet()
        manifest = write_manifest(sweep_dir, plan_json, extra=session, status="interrupted")
        counts = manifest["counts"]
        print(
            f"copsim-run: interrupted: {counts['complete']} of {counts['total']} conditions complete "
            f"(manifest.json says so); resume with sweep_dir={sweep_dir}, or build the tables of what is "
            f"done with copsim-collect {sweep_dir}",
            file=sys.stderr,
        )
        return 130
    if isinstance(problem, WriteRefused):
        raise problem.error
    if isinstance(problem, StoreError):
        raise problem
    manifest = collect(sweep_dir, session)
    counts = manifest["counts"]
    bad = counts["failed"] + counts["not run"]
    if problem is not None:
        if isinstance(problem, SystemExit):
            text = f"Hydra exited with status {problem.code} (its message is above)"
        else:
            text = str(problem).splitlines()[0] if str(problem) else repr(problem)
        print(f"copsim-run: the launcher stopped: {text}", file=sys.stderr)
    if bad:
        print(
            f"copsim-run: {bad} of {counts['total']} conditions failed or did not finish; see "
            f"{sweep_dir / 'failures.csv'} (error and traceback) and {sweep_dir / 'manifest.json'}; "
            f"rerun with sweep_dir={sweep_dir} to retry only those",
            file=sys.stderr,
        )
        return 1
    print(
        f"copsim-run: {counts['total']} conditions complete; results in {sweep_dir}/ "
        "(runs.parquet, timeseries.parquet, conditions.csv, conditions.parquet, manifest.json)",
        file=sys.stderr,
    )
    return 0
