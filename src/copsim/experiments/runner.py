"""Run a sweep: one Hydra job per condition, on any Hydra launcher, into a resumable results store.

``copsim-run -m ...`` lands in :func:`run_sweep`, which

1. expands and validates the whole sweep (:func:`copsim.experiments.plan.expand`) and checks the
   Hydra overrides (launcher and the like) — on bad input it prints one line and returns 2
   before anything is written;
2. writes the plan (``sweep.json``) into the sweep directory and works out which conditions are
   not yet complete (all of them with ``force=true``);
3. hands those to Hydra as a multirun over ``condition=i,j,...``; each job (:func:`hydra_task`,
   run by the basic, joblib, ray or submitit launcher) reads its condition from the plan, runs
   all its replicates with :func:`copsim.simulate_ensemble` and writes the condition's files
   atomically (:func:`run_condition`); a condition that raises is recorded, not propagated;
4. meanwhile prints progress (conditions done / total, elapsed, time left) at most every
   ``PROGRESS_SECONDS``;
5. rebuilds the aggregates (:func:`copsim.experiments.store.collect`) and returns 0, or 1 with
   the number of failed conditions and where to look.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import socket
import sys
import threading
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

from ..api import simulate_ensemble
from ..model.config import ConfigError, CopConfig, conf_dir, load_config, register_configs
from .plan import SweepPlan, expand
from .store import (
    CONDITION_JSON,
    PLAN,
    collect,
    command_line,
    condition_dir,
    condition_status,
    now,
    read_json,
    write_json,
    write_parquet,
)

#: at most one progress line per this many seconds (plus the first and the last)
PROGRESS_SECONDS = 10.0

#: Hydra flags that only inspect the config; they go straight to Hydra
INSPECT_FLAGS = (
    "--help",
    "-h",
    "--hydra-help",
    "--cfg",
    "-c",
    "--info",
    "-i",
    "--resolve",
    "-p",
    "--package",
)


@dataclasses.dataclass
class SweepJob(CopConfig):
    """Hydra schema of a sweep job: which condition of the plan in ``sweep_dir`` to run."""

    condition: int = -1
    sweep_dir: str = ""


# --------------------------------------------------------------------------------------------
# One job = one condition
# --------------------------------------------------------------------------------------------
def run_condition(sweep_dir: Path | str, entry: dict[str, Any]) -> str:
    """Run one planned condition (all replicates) and write its files; return its status.

    Exceptions from the model are caught and recorded in ``condition.json`` with the traceback
    (status ``failed``) so the rest of the sweep goes on.
    """
    cdir = condition_dir(Path(sweep_dir), entry["id"])
    cdir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        (cdir / CONDITION_JSON).unlink()  # not complete until the new record is written
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    t0 = time.perf_counter()
    record: dict[str, Any] = {
        **{k: entry[k] for k in ("id", "index", "label", "scenario", "overrides", "replicates", "keys")},
        "baseline": entry.get("baseline", False),
        "fingerprint": entry["fingerprint"],
        "started": now(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    try:
        config = load_config(entry["scenario"], entry["overrides"])
        record["root_seed"] = config.seed
        record["config"] = dataclasses.asdict(config)
        ensemble = simulate_ensemble(config, int(entry["replicates"]))
        write_parquet(cdir / "runs.parquet", ensemble.summary)
        write_parquet(cdir / "timeseries.parquet", ensemble.timeseries)
        record.update(status="complete", seeds=list(ensemble.seeds))
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


def hydra_task(cfg: Any) -> str:
    """The Hydra task of a sweep job: run condition ``cfg.condition`` of the plan in ``cfg.sweep_dir``."""
    sweep_dir = Path(str(cfg.sweep_dir))
    plan = read_json(sweep_dir / PLAN)
    if plan is None:
        raise FileNotFoundError(f"{sweep_dir / PLAN}: the sweep plan is missing")
    return run_condition(sweep_dir, plan["conditions"][int(cfg.condition)])


# --------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------
def _duration(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class ProgressMonitor(threading.Thread):
    """Watches the sweep directory and prints ``done/total, elapsed, time left`` without flooding.

    Works for every launcher because it reads the per-condition records the jobs write, not the
    jobs themselves. Prints on the first finished condition, then at most every ``interval``
    seconds when something changed, and once at the end.
    """

    def __init__(
        self, sweep_dir: Path, todo: list[dict[str, Any]], total: int, interval: float = PROGRESS_SECONDS
    ) -> None:
        super().__init__(daemon=True)
        self.sweep_dir, self.todo, self.total, self.interval = sweep_dir, todo, total, interval
        self.skipped = total - len(todo)
        self.start_time = time.time()
        self.done: dict[str, str] = {}
        self.last_print = 0.0
        self.printed_count = -1
        self._stop_event = threading.Event()

    def poll(self) -> None:
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

    def line(self) -> str:
        n = len(self.done)
        failed = sum(s != "complete" for s in self.done.values())
        elapsed = time.time() - self.start_time
        text = f"copsim-run: {self.skipped + n}/{self.total} conditions done"
        if failed:
            text += f" ({failed} failed)"
        text += f", elapsed {_duration(elapsed)}"
        left = len(self.todo) - n
        if n and left:
            text += f", about {_duration(elapsed / n * left)} left"
        return text

    def report(self, final: bool = False) -> None:
        self.poll()
        n = len(self.done)
        due = time.time() - self.last_print >= self.interval or self.printed_count < 1
        if n != self.printed_count and (final or (n and due)):
            print(self.line(), file=sys.stderr, flush=True)
            self.last_print, self.printed_count = time.time(), n

    def run(self) -> None:
        while not self._stop_event.wait(1.0):
            self.report()

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)
        self.report(final=True)


# --------------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------------
def _quote(value: str) -> str:
    """A string as a quoted Hydra override value."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sweep_directory(plan: SweepPlan) -> Path:
    """Where the sweep writes: ``sweep_dir=``/``out=``/``hydra.sweep.dir=``, else a fresh one.

    The default ``results/sweeps/<experiment>-<YYYYmmdd-HHMMSS-microseconds>`` never collides
    (Hydra's own default names folders to the second, so two sweeps could share one).
    """
    chosen = plan.options.get("sweep_dir") or plan.options.get("out")
    for arg in list(plan.hydra_args):
        if arg.lstrip("+").startswith("hydra.sweep.dir="):
            plan.hydra_args.remove(arg)
            chosen = chosen or arg.partition("=")[2].strip("'\"")
    if chosen and "${" in chosen:
        raise ConfigError(f"sweep_dir: {chosen!r} is not allowed; give a plain directory (no ${{...}})")
    if not chosen:
        chosen = f"results/sweeps/{plan.experiment or 'sweep'}-{datetime.now():%Y%m%d-%H%M%S-%f}"
    path = Path(chosen).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"sweep_dir: {str(path)!r} exists and is not a directory")
    return path


def _hydra_overrides(plan: SweepPlan, sweep_dir: Path, indices: list[int]) -> list[str]:
    overrides = [
        f"condition={','.join(str(i) for i in indices)}",
        f"sweep_dir={_quote(str(sweep_dir))}",
        f"hydra.sweep.dir={_quote(str(sweep_dir))}",
        "hydra.sweep.subdir=.",  # jobs write into conditions/<id>/ themselves; no numbered folders
    ]
    if not any(a.lstrip("+").startswith("hydra.hydra_logging") for a in plan.hydra_args):
        overrides.append("hydra.hydra_logging.root.level=WARNING")  # copsim prints its own progress
    return [*overrides, *plan.hydra_args]


def check_hydra(plan: SweepPlan) -> None:
    """Compose the Hydra config with the sweep's Hydra overrides (launcher etc.) without running."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    flags = [a for a in plan.hydra_args if a.startswith("-")]
    if flags:
        raise ConfigError(f"{flags[0]}: this flag is not supported in a sweep")
    register_configs(SweepJob)
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(conf_dir()), version_base=None):
            compose("config", overrides=["condition=0", *plan.hydra_args], return_hydra_config=True)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"hydra: {first}") from None
    finally:
        GlobalHydra.instance().clear()


def _launch(overrides: list[str]) -> BaseException | None:
    """Run the Hydra multirun in this process; return the exception that ended it, if any."""
    import hydra
    from hydra.core.global_hydra import GlobalHydra

    register_configs(SweepJob)
    GlobalHydra.instance().clear()
    main = hydra.main(config_path=str(conf_dir()), config_name="config", version_base=None)(hydra_task)
    saved = sys.argv
    sys.argv = [saved[0], "-m", *overrides]
    try:
        main()
    except SystemExit as exc:  # Hydra exits on its own errors
        return exc if exc.code not in (0, None) else None
    except (Exception, KeyboardInterrupt) as exc:  # aggregate what is done, then report
        return exc
    finally:
        sys.argv = saved
        GlobalHydra.instance().clear()
    return None


def run_sweep(args: list[str]) -> int:
    """``copsim-run -m ...``: validate, run what is not complete, aggregate; return the exit status."""
    try:
        plan = expand(args)
        sweep_dir = sweep_directory(plan)
        check_hydra(plan)
    except ConfigError as exc:
        print(f"copsim-run: error: {exc}", file=sys.stderr)
        return 2

    previous = read_json(sweep_dir / PLAN) or {}
    plan_json = {**plan.to_json(), "created": previous.get("created") or now(), "updated": now()}
    write_json(sweep_dir / PLAN, plan_json)
    entries = plan_json["conditions"]
    force = bool(plan.options.get("force"))
    todo = [e for e in entries if force or condition_status(sweep_dir, e) != "complete"]
    name = plan.experiment or "sweep"
    reps = plan.options["replicates"]
    head = f"copsim-run: {name}: {len(entries)} conditions x {reps} replicates -> {sweep_dir}"
    if len(todo) < len(entries):
        head += f" ({len(entries) - len(todo)} already complete, skipped)"
    print(head, file=sys.stderr, flush=True)

    started = now()
    problem: BaseException | None = None
    if todo:
        monitor = ProgressMonitor(sweep_dir, todo, len(entries))
        monitor.start()
        try:
            problem = _launch(_hydra_overrides(plan, sweep_dir, [e["index"] for e in todo]))
        finally:
            monitor.stop()
    manifest = collect(
        sweep_dir, {"command": command_line(), "session": {"started": started, "finished": now()}}
    )
    counts = manifest["counts"]
    bad = counts["failed"] + counts["not run"]
    if isinstance(problem, KeyboardInterrupt):
        print(f"copsim-run: interrupted; resume with sweep_dir={sweep_dir}", file=sys.stderr)
        return 130
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
        "(runs.parquet, timeseries.parquet, conditions.csv, manifest.json)",
        file=sys.stderr,
    )
    return 0
