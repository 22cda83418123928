"""``copsim-run``: run a scenario from the command line (a Hydra app).

    copsim-run                                   # default scenario (rumble_strips), one run
    copsim-run scenario=safecities coordinator.fte=0.5 replicates=10
    copsim-run scenario=bass world.n_organizations=1000 out=results/bass-check
    copsim-run +experiment=coordinator_sponsorship -m            # a named experiment (a sweep)
    copsim-run -m scenario=safecities coordinator.fte=0,0.5,1 sponsor.level=0,1 replicates=10

Every input is checked before anything runs: a bad key, value or scenario prints one line and
exits with status 2, writing nothing. Results go to ``results/runs/<scenario>-<time>/`` (or
``out=DIR``): ``summary.csv`` (one row per replicate, the paired dissemination-only baseline
beside it when the community is on), ``timeseries.parquet``, ``config.yaml`` and
``adoption.png``.

Sweeps (``-m``) are run by :mod:`copsim.experiments.runner`: one Hydra job per condition, on
the basic, joblib, ray or submitit launcher, into a resumable results store (see
``docs/EXPERIMENTS.md``).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from datetime import datetime
from pathlib import Path

from .model.config import ConfigError, CopConfig, conf_dir, from_container, load_config, register_configs

#: run options the CLI accepts beside the model's keys
RUN_KEYS = {"replicates": (1, 10_000), "out": None, "baseline": None}


@dataclasses.dataclass
class RunOptions(CopConfig):
    """The CLI's schema: every model key plus how many replicates to run."""

    replicates: int = 1
    out: str | None = None
    baseline: bool = True


def split_overrides(args: list[str]) -> tuple[str, list[str], dict[str, str]]:
    """Split CLI arguments into (scenario, model overrides, run options)."""
    scenario, model, options = "rumble_strips", [], {}
    for arg in args:
        if arg.startswith("-") or arg.startswith("hydra"):
            continue
        key, _, value = arg.lstrip("+~").partition("=")
        if key == "scenario":
            scenario = value
        elif key in RUN_KEYS:
            options[key] = value
        else:
            model.append(arg)
    return scenario, model, options


def check_arguments(args: list[str]) -> CopConfig:
    """Validate a single run's arguments; raise ConfigError naming the first bad one."""
    scenario, model, options = split_overrides(args)
    config = load_config(scenario, model)
    if "replicates" in options:
        value = options["replicates"]
        lo, hi = RUN_KEYS["replicates"]
        if not value.isdigit() or not lo <= int(value) <= hi:
            raise ConfigError(f"replicates: {value!r} is not allowed; a whole number from {lo} to {hi}")
    if "baseline" in options and options["baseline"].lower() not in ("true", "false"):
        raise ConfigError(f"baseline: {options['baseline']!r} is not allowed; true or false")
    return config


def _progress(done: int, total: int) -> None:
    print(f"\r  simulated {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def _weeks(week: int, horizon: int) -> None:
    print(f"\r  week {week}/{horizon}", end="" if week < horizon else "\n", file=sys.stderr, flush=True)


def run_ensemble(config: CopConfig, replicates: int):
    """:func:`copsim.simulate_ensemble` with progress: replicates done, or weeks for a single run.

    A single run shows the weeks simulated (every 52 weeks), since one long run can take
    minutes; it is the same run as ``simulate_ensemble(config, 1)`` (replicate 0's seed).
    """
    import pandas as pd

    from .api import EnsembleResult, simulate, simulate_ensemble
    from .model.streams import replicate_seeds

    if replicates != 1:
        return simulate_ensemble(config, replicates, progress=_progress)
    seed = replicate_seeds(config.seed, 1)[0]
    run = simulate(dataclasses.replace(config, seed=seed), progress=_weeks)
    series = run.timeseries.assign(replicate=0)
    series.insert(0, "replicate", series.pop("replicate"))
    summary = pd.DataFrame([{"replicate": 0, "seed": seed, **run.summary}])
    return EnsembleResult(series, summary, config, [seed])


def _run_job(cfg) -> None:  # the Hydra task: cfg is the composed DictConfig
    import pandas as pd
    from omegaconf import OmegaConf

    from .analysis.case_status import case_status
    from .analysis.run_figure import plot_adoption, summary_table

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    config = from_container(cfg)
    replicates = int(cfg.get("replicates", 1))
    out = Path(str(cfg.get("out") or f"results/runs/{config.scenario}-{datetime.now():%Y%m%d-%H%M%S-%f}"))
    print(f"copsim-run: {config.scenario}, {replicates} replicate(s), {config.horizon_weeks} weeks")
    runs = {"community": run_ensemble(config, replicates)}
    if config.community.enabled and cfg.get("baseline", True):
        baseline = dataclasses.replace(config, community=dataclasses.replace(config.community, enabled=False))
        print("copsim-run: dissemination-only baseline on the same seeds")
        runs["baseline"] = run_ensemble(baseline, replicates)
    out.mkdir(parents=True, exist_ok=True)
    summary = pd.concat([r.summary.assign(condition=name) for name, r in runs.items()], ignore_index=True)
    series = pd.concat([r.timeseries.assign(condition=name) for name, r in runs.items()], ignore_index=True)
    summary.to_csv(out / "summary.csv", index=False)
    series.to_parquet(out / "timeseries.parquet", index=False)
    (out / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.structured(config)))
    plot_adoption(series, out / "adoption.png", title=f"{config.scenario}: adoption of the practice")
    print(summary_table(summary))
    print(f"  {case_status(config.scenario)}")
    print(f"copsim-run: wrote {out}/summary.csv, timeseries.parquet, config.yaml, adoption.png")


def is_sweep(args: list[str]) -> bool:
    """A multirun (``-m``) or a named experiment (``+experiment=NAME``), not a config inspection."""
    from .experiments.runner import INSPECT_FLAGS

    if any(a in INSPECT_FLAGS or a.startswith("--cfg") for a in args):
        return False
    return any(a in ("-m", "--multirun") or a.lstrip("+").startswith("experiment=") for a in args)


def run() -> None:
    """Entry point: validate all input first, then hand over to Hydra.

    With ``-m`` (or ``+experiment=NAME``) the arguments describe a sweep, run by
    :func:`copsim.experiments.runner.run_sweep` (one Hydra job per condition, results store,
    resume); otherwise one condition is run here with its paired baseline.
    """
    import hydra

    args = sys.argv[1:]
    if is_sweep(args):
        from .experiments.runner import run_sweep

        code = run_sweep(args)
        if code:
            sys.exit(code)
        return
    if not any(
        a in ("-m", "--multirun", "--help", "-h", "--cfg", "-c", "--info") or a.startswith("--cfg")
        for a in args
    ):
        try:
            check_arguments(args)
        except ConfigError as exc:
            print(f"copsim-run: error: {exc}", file=sys.stderr)
            sys.exit(2)
    register_configs(RunOptions)
    main = hydra.main(config_path=str(conf_dir()), config_name="config", version_base=None)(_run_job)
    main()
