"""``copsim-calibrate``: fit scenario parameters to an observed adoption series.

    copsim-calibrate --scenario rumble_strips --data states.csv --params adoption.p,adoption.q \\
        [--trials 40] [--replicates 3] [--seed 0] [--set world.n_practitioners=200 ...] [--out DIR]

The CSV has a ``year`` column and one of ``adopters`` or ``adoption_share``. A parameter may
carry its own search range: ``adoption.p:0.001:0.1``. All input is checked before any run; bad
input stops with one line naming what is wrong (exit status 2) and nothing is written. Results go
to ``--out`` (default ``results/calibration/SCENARIO-TIMESTAMP``): best.yaml (scenario override),
trials.csv, good_fits.csv, calibration.json and fit.png (see :mod:`copsim.calibration.output`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..model.config import ConfigError, load_config
from .fit import calibrate, load_observations, parse_parameters
from .output import write_results


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="copsim-calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="rumble_strips", help="scenario to fit (conf/scenario/NAME.yaml)")
    ap.add_argument("--data", required=True, help="CSV with year and adopters or adoption_share")
    ap.add_argument("--params", required=True, help="comma-separated keys, each optionally key:lo:hi")
    ap.add_argument("--trials", type=int, default=60, help="Optuna trials (default 60)")
    ap.add_argument("--replicates", type=int, default=2, help="replicates averaged per trial (default 2)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the TPE sampler (default 0)")
    ap.add_argument("--top", type=float, default=0.1, help="share of trials kept as good fits (default 0.1)")
    ap.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="fixed override; repeatable"
    )
    ap.add_argument(
        "--out", default=None, help="output directory (default results/calibration/SCENARIO-TIME)"
    )
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input)."""
    args = _parser().parse_args(argv)
    try:
        if args.trials < 1 or args.replicates < 1:
            raise ConfigError("trials/replicates: must be 1 or more")
        if not 0 < args.top <= 1:
            raise ConfigError(f"top: {args.top} is out of range; allowed above 0 up to 1")
        load_config(args.scenario, args.set)  # scenario and fixed overrides, before any run
        observations = load_observations(args.data)
        parameters = parse_parameters(args.params)
        fixed = {o.split("=", 1)[0] for o in args.set}
        clash = fixed & {p.key for p in parameters}
        if clash:
            raise ConfigError(f"set: {', '.join(sorted(clash))} is both fixed and calibrated")
    except ConfigError as exc:
        print(f"copsim-calibrate: {exc}", file=sys.stderr)
        return 2
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    out = Path(args.out) if args.out else Path("results") / "calibration" / f"{args.scenario}-{stamp}"

    def progress(done: int, total: int) -> None:
        print(f"\rtrial {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    cal = calibrate(
        args.scenario,
        observations,
        parameters,
        trials=args.trials,
        replicates=args.replicates,
        sampler_seed=args.seed,
        overrides=args.set,
        progress=progress,
    )
    report = write_results(cal, out, args.data, args.scenario, args.top)
    print(f"best ({report['best_loss']:.4g} RMSE): {' '.join(report['overrides'])}")
    for key, s in report["good_fits"]["spread"].items():
        print(f"  {key}: good fits {s['min']:.4g} .. {s['max']:.4g} (median {s['median']:.4g})")
    print(f"wrote {out}/best.yaml, fit.png, trials.csv, good_fits.csv, calibration.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
