"""``copsim-run``: run a scenario from the command line (a Hydra app).

    copsim-run                                   # default scenario (rumble_strips), one run
    copsim-run scenario=safecities coordinator.fte=0.5 replicates=10
    copsim-run scenario=bass world.n_organizations=1000 out=results/bass-check
    copsim-run scenario=path/to/mine.yaml        # a scenario file of your own
    copsim-run +experiment=coordinator_sponsorship -m            # a named experiment (a sweep)
    copsim-run -m scenario=safecities coordinator.fte=0,0.5,1 sponsor.level=0,1 replicates=10
    copsim-run --help | --cfg job [+experiment=NAME] | -sc install=bash | --config-dir DIR ...

The command line is Hydra's (:mod:`copsim.composition`). Every input is checked before anything
runs: a bad key, value, type or scenario, an unwritable results folder, or a run too large for
this machine's memory prints one line and exits with status 2, writing nothing. Results of a
single run go to ``results/runs/<scenario>-<time>/`` (``hydra.run.dir``, or ``out=DIR``):
``summary.csv`` (one row per replicate, the paired dissemination-only baseline beside it when
the community is on), ``timeseries.parquet`` (with each field's unit and description),
``config.yaml``, ``manifest.json`` and ``adoption.png``. Ctrl+C stops a run with one line
(nothing is written); a second Ctrl+C exits at once.

Sweeps (``-m``) are run by :mod:`copsim.experiments.runner`: one Hydra job per condition, on
the basic, joblib, ray or submitit launcher, into a resumable results store (see
``docs/EXPERIMENTS.md``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from .analysis.costs import CostRates, with_costs
from .composition import (
    CommandLine,
    check_files,
    check_overrides,
    compose,
    cost_rates,
    hydra_app,
    register,
    resolved,
    run_options,
)
from .experiments.store import check_writable
from .model.config import ConfigError, CopConfig, conf_dir, from_container


def _fail(message: object, status: int = 2) -> None:
    print(f"copsim-run: error: {message}", file=sys.stderr)
    sys.exit(status)


# --------------------------------------------------------------------------------------------
# Before a single run: every check, nothing written
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass
class SingleRun:
    """A single run, checked: its config, run options and results folder."""

    config: CopConfig
    replicates: int
    baseline: bool
    out: Path
    command: CommandLine
    estimate: str
    costs: CostRates | None = None


def check_single(command: CommandLine) -> SingleRun:
    """Validate a single run's arguments; raise ConfigError naming the first bad one."""
    from .experiments.limits import Estimate, check_memory, duration_text, size_text

    check_overrides(command.overrides, sweeps=False)
    cfg = compose(command, command.overrides)
    check_files(cfg, command)
    from omegaconf import OmegaConf

    options = run_options(OmegaConf.to_container(cfg, resolve=False))
    config = from_container(cfg)
    config.scenario = str(cfg.hydra.runtime.choices.scenario)
    out = Path(str(options.get("out") or resolved(cfg, "hydra.run.dir"))).expanduser().absolute()
    replicates = options.get("replicates", 1)
    estimate = Estimate.of(config, replicates)
    note = check_memory(estimate, 1, options.get("memory_limit"), "this run")
    check_writable(out, "out")
    arms = 2 if config.community.enabled and options.get("baseline", True) else 1
    text = f"about {duration_text(estimate.seconds * arms)}, up to {size_text(estimate.memory)}"
    return SingleRun(
        config,
        replicates,
        options.get("baseline", True),
        out,
        command,
        f"{text}; {note}" if note else text,
        cost_rates(options),
    )


def check_arguments(args: list[str]) -> CopConfig:
    """Validate a single run's arguments (as typed after ``copsim-run``); return its config.

    Raises :class:`~copsim.ConfigError` naming the first bad input; writes nothing.
    """
    return check_single(CommandLine.parse(list(args))).config


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------
def run_ensemble(config: CopConfig, replicates: int):
    """:func:`copsim.simulate_ensemble` with a progress bar: weeks for a single run, else replicates.

    A single run shows the weeks simulated, since one long run can take minutes; it is the
    same run as ``simulate_ensemble(config, 1)`` (replicate 0's seed).
    """
    import pandas as pd

    from .api import EnsembleResult, simulate, simulate_ensemble
    from .model.streams import replicate_seeds
    from .progress import Ticker

    if replicates != 1:
        with Ticker(f"copsim-run: {config.scenario}", "run") as tick:
            return simulate_ensemble(config, replicates, progress=tick)
    seed = replicate_seeds(config.seed, 1)[0]
    with Ticker(f"copsim-run: {config.scenario}", "week") as tick:
        run = simulate(dataclasses.replace(config, seed=seed), progress=tick, progress_every=13)
    series = run.timeseries.assign(replicate=0)
    series.insert(0, "replicate", series.pop("replicate"))
    summary = pd.DataFrame([{"replicate": 0, "seed": seed, **run.summary}])
    return EnsembleResult(series, summary, config, [seed])


def _arms(job: SingleRun) -> list[tuple[Any, CopConfig]]:
    """The run and, when the community is on, its dissemination-only baseline, as conditions."""
    from .experiments.plan import Condition

    config = job.config
    arms = [config]
    if config.community.enabled and job.baseline:
        arms.append(
            dataclasses.replace(config, community=dataclasses.replace(config.community, enabled=False))
        )
    conditions = []
    for index, arm in enumerate(arms):
        cond = Condition(
            index, config.scenario, job.command.overrides, job.replicates, arm, not arm.community.enabled
        )
        cond.keys = {"scenario": config.scenario, "community.enabled": arm.community.enabled}
        conditions.append((cond, arm))
    return conditions


def execute(job: SingleRun) -> Path:
    """Run the checked single run and write its files into ``job.out``; return the folder."""
    import pandas as pd
    from omegaconf import OmegaConf

    from .analysis.case_status import case_status
    from .analysis.run_figure import plot_adoption, summary_table
    from .experiments.provenance import provenance
    from .experiments.store import atomic_write, command_line, now, write_json, write_parquet

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    config, out = job.config, job.out
    started = now()
    print(
        f"copsim-run: {config.scenario}, {job.replicates} replicate(s), {config.horizon_weeks} weeks; "
        f"{job.estimate}"
    )
    summaries, series = [], []
    for cond, arm in _arms(job):
        if cond.baseline and cond.index:
            print("copsim-run: dissemination-only baseline on the same seeds")
        ensemble = run_ensemble(arm, job.replicates)
        head = {"condition_id": cond.id, "condition": cond.index, "label": cond.label, **cond.keys}
        runs = ensemble.summary if job.costs is None else with_costs(ensemble.summary, arm, job.costs)
        summaries.append(runs.assign(**head)[[*head, *runs.columns]])
        series.append(ensemble.timeseries.assign(**head)[[*head, *ensemble.timeseries.columns]])
    summary = pd.concat(summaries, ignore_index=True)
    timeseries = pd.concat(series, ignore_index=True)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
    write_parquet(out / "timeseries.parquet", timeseries, "weekly")
    yaml_text = OmegaConf.to_yaml(OmegaConf.structured(config))
    atomic_write(out / "config.yaml", lambda tmp: tmp.write_text(yaml_text))
    atomic_write(
        out / "adoption.png",
        lambda tmp: plot_adoption(timeseries, tmp, title=f"{config.scenario}: adoption of the practice"),
    )
    write_json(
        out / "manifest.json",
        {
            "kind": "run",
            "status": "complete",
            "command": command_line(),
            "scenario": config.scenario,
            "replicates": job.replicates,
            "root_seed": config.seed,
            "started": started,
            "finished": now(),
            **provenance(),
            "conditions": [
                {
                    "condition_id": cond.id,
                    "condition": cond.index,
                    "label": cond.label,
                    "keys": cond.keys,
                    "seeds": [int(s) for s in summary.loc[summary["condition"] == cond.index, "seed"]],
                    "config": dataclasses.asdict(arm),
                }
                for cond, arm in _arms(job)
            ],
        },
    )
    print(summary_table(summary))
    print(f"  {case_status(config.scenario)}")
    print(
        f"copsim-run: wrote {out}/summary.csv, timeseries.parquet, config.yaml, manifest.json, adoption.png"
    )
    return out


def _single(command: CommandLine) -> None:
    """Check, then run one configuration (and its baseline) as a Hydra run."""
    from hydra.core.global_hydra import GlobalHydra

    try:
        job = check_single(command)
    except ConfigError as exc:
        _fail(exc)
    existed = job.out.exists()

    def task(cfg: Any) -> Path:
        return execute(job)

    def interrupted() -> None:
        if not existed:
            with contextlib.suppress(OSError):
                shutil.rmtree(job.out) if not any(job.out.iterdir()) else None
        print("copsim-run: interrupted; nothing written", file=sys.stderr)
        sys.exit(130)

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        app = hydra_app(command)
        overrides = [*command.overrides, f"hydra.run.dir='{_escape(str(job.out))}'"]
        result = app.run(config_name="config", task_function=task, overrides=overrides)
        result.return_value  # noqa: B018 - raises what the task raised
    except KeyboardInterrupt:
        _quiet_from_now()
        interrupted()
    except OSError as exc:
        _fail(f"out: cannot write {getattr(exc, 'filename', None) or job.out}: {exc.strerror or exc}", 1)
    finally:
        signal.signal(signal.SIGTERM, previous)
        GlobalHydra.instance().clear()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _quiet_from_now() -> None:
    """After the first interrupt a second one exits at once, without a traceback."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, lambda *_: os._exit(130))
        signal.signal(signal.SIGTERM, lambda *_: os._exit(130))


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def is_sweep(command: CommandLine) -> bool:
    """A multirun (``-m``) or a named experiment (``+experiment=NAME``), not an inspection."""
    if command.inspects:
        return False
    return bool(command.args.multirun) or any(
        o.lstrip("+").partition("=")[0] == "experiment" for o in command.overrides
    )


def _inspect(command: CommandLine) -> None:
    """``--help``, ``--cfg``, ``--info``, ``-sc``: Hydra's own, on copsim's config tree."""
    import hydra

    if (command.args.cfg or command.args.info) and not command.args.help:
        try:  # one line for a bad override instead of Hydra's message and hint
            check_overrides(command.overrides, sweeps=True)
            compose(command, [o for o in command.overrides if "," not in o.partition("=")[2]])
        except ConfigError as exc:
            _fail(exc)
    register()
    main = hydra.main(config_path=str(conf_dir()), config_name="config", version_base=None)(lambda cfg: None)
    saved = sys.argv
    sys.argv = [saved[0], *command.hydra_argv()]
    try:
        main()
    finally:
        sys.argv = saved


def run(argv: list[str] | None = None) -> None:
    """Entry point: read the command line as Hydra does, check every input, then run.

    With ``-m`` (or ``+experiment=NAME``) the arguments describe a sweep, run by
    :func:`copsim.experiments.runner.run_sweep` (one Hydra job per condition, results store,
    resume); otherwise one condition is run here with its paired baseline.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if "--version" in args:
        from . import __version__

        print(f"copsim-run (copsim {__version__})")
        return
    try:
        command = CommandLine.parse(args)
    except ConfigError as exc:
        _fail(exc)
    if command.inspects:
        _inspect(command)
    elif is_sweep(command):
        from .experiments.runner import run_sweep

        code = run_sweep(command)
        if code:
            sys.exit(code)
    else:
        _single(command)
