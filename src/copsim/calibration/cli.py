"""``copsim-calibrate``: fit scenario parameters to an observed adoption series.

    copsim-calibrate --scenario rumble_strips --data states.csv --params adoption.p,adoption.q \\
        [--trials 40] [--replicates 3] [--seed 0] [--set world.n_practitioners=200 ...] [--out DIR]

The CSV has a ``year`` column and one of ``adopters`` or ``adoption_share``. A parameter may
carry its own search range: ``adoption.p:0.001:0.1``. All input is checked before any run — the
data against the scenario (no more adopters than it has adopting units, years within the
longest horizon), the parameters (not the seed, nor the horizon, which the data's last year
sets), the output folder, and the memory a trial needs; bad input stops with one line naming
what is wrong (exit status 2) and nothing is written. Results go to ``--out`` (default
``results/calibration/SCENARIO-TIMESTAMP``): best.yaml (scenario override), trials.csv,
good_fits.csv, calibration.json and fit.png (see :mod:`copsim.calibration.output`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..model.config import ConfigError, load_config, parse_overrides
from .fit import calibrate, check_adopters, check_horizon, load_observations, parse_parameters
from .output import write_results

#: the most trials and replicates per trial one calibration may ask for
MAX_TRIALS, MAX_REPLICATES = 10_000, 1_000
MAX_SEED = 2**32 - 1


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="copsim-calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="rumble_strips", help="scenario to fit: a name or a YAML file")
    ap.add_argument("--data", required=True, help="CSV with year and adopters or adoption_share")
    ap.add_argument("--params", required=True, help="comma-separated keys, each optionally key:lo:hi")
    ap.add_argument("--trials", type=int, default=60, help=f"Optuna trials, 1 to {MAX_TRIALS} (default 60)")
    ap.add_argument(
        "--replicates",
        type=int,
        default=2,
        help=f"replicates averaged per trial, 1 to {MAX_REPLICATES} (default 2)",
    )
    ap.add_argument(
        "--seed", type=int, default=0, help=f"seed of the TPE sampler, 0 to {MAX_SEED} (default 0)"
    )
    ap.add_argument("--top", type=float, default=0.1, help="share of trials kept as good fits (default 0.1)")
    ap.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="fixed override; repeatable"
    )
    ap.add_argument(
        "--memory-limit",
        default=None,
        metavar="SIZE",
        help="refuse trials needing more than SIZE (e.g. 16GB, or none); default: this machine's memory",
    )
    ap.add_argument(
        "--out", default=None, help="output directory (default results/calibration/SCENARIO-TIME)"
    )
    return ap


def _check_counts(args: argparse.Namespace) -> None:
    for name, value, hi in (
        ("trials", args.trials, MAX_TRIALS),
        ("replicates", args.replicates, MAX_REPLICATES),
    ):
        if not 1 <= value <= hi:
            raise ConfigError(f"{name}: {value} is out of range; allowed 1 to {hi}")
    if not 0 <= args.seed <= MAX_SEED:
        raise ConfigError(f"seed: {args.seed} is out of range; allowed 0 to {MAX_SEED}")
    if not 0 < args.top <= 1:
        raise ConfigError(f"top: {args.top} is out of range; allowed above 0 up to 1")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input, 130 interrupted)."""
    from ..experiments.limits import Estimate, check_memory
    from ..experiments.store import check_writable
    from ..progress import Ticker

    args = _parser().parse_args(argv)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    out = (
        Path(args.out)
        if args.out
        else Path("results") / "calibration" / f"{Path(args.scenario).stem}-{stamp}"
    )
    try:
        _check_counts(args)
        fixed = {ov.key_or_group for ov in parse_overrides(args.set)}
        if "horizon_weeks" in fixed:
            raise ConfigError(
                "set: horizon_weeks is taken from the data (its last year); remove --set horizon_weeks"
            )
        load_config(args.scenario, args.set)  # scenario and fixed overrides, before any run
        observations = load_observations(args.data)
        config = load_config(args.scenario, [*args.set, f"horizon_weeks={check_horizon(observations)}"])
        note = check_memory(Estimate.of(config, args.replicates), 1, args.memory_limit, "each trial")
        check_adopters(observations, config)
        parameters = parse_parameters(args.params, config)
        clash = fixed & {p.key for p in parameters}
        if clash:
            raise ConfigError(f"set: {', '.join(sorted(clash))} is both fixed and calibrated")
        check_writable(out, "out")
    except ConfigError as exc:
        print(f"copsim-calibrate: {exc}", file=sys.stderr)
        return 2
    if note:
        print(f"copsim-calibrate: {note}", file=sys.stderr)
    try:
        with Ticker("copsim-calibrate", "trial") as tick:
            cal = calibrate(
                args.scenario,
                observations,
                parameters,
                trials=args.trials,
                replicates=args.replicates,
                sampler_seed=args.seed,
                overrides=args.set,
                progress=tick,
            )
        report = write_results(cal, out, args.data, config.scenario, args.top)
    except KeyboardInterrupt:
        print("copsim-calibrate: interrupted; nothing written", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"copsim-calibrate: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"best ({report['best_loss']:.4g} RMSE): {' '.join(report['overrides'])}")
    for key, s in report["good_fits"]["spread"].items():
        print(f"  {key}: good fits {s['min']:.4g} .. {s['max']:.4g} (median {s['median']:.4g})")
    print(f"wrote {out}/best.yaml, fit.png, trials.csv, good_fits.csv, calibration.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
