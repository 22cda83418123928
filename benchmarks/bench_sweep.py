"""Sweep throughput: conditions per second for ``coordinator_sponsorship`` on one scenario.

Runs the real command line (``copsim-run +experiment=coordinator_sponsorship -m scenario=S``,
6 FTE x 5 sponsorship levels + the baseline = 31 conditions) once per worker count — the basic
launcher for 1 worker, the joblib launcher for more — into a temporary sweep directory, and
reports wall time (including start-up and the launcher's worker start), conditions per second,
the summed time inside the jobs, the 1-minute load average before and after (figures taken on
a busy machine say so), and whether every worker count produced the same ``runs.parquet`` (it
must).

    .venv/bin/python benchmarks/bench_sweep.py --quick            # 2 replicates, 52 weeks (~1-2 min)
    .venv/bin/python benchmarks/bench_sweep.py --replicates 30    # the experiment as specified
    .venv/bin/python benchmarks/bench_sweep.py --workers 1 2 4 --scenario safecities

Prints a Markdown table (paste it into docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

COPSIM_RUN = shutil.which("copsim-run", path=str(Path(sys.executable).parent)) or "copsim-run"


def run_sweep(out: Path, workers: int, scenario: str, replicates: int, horizon: int | None) -> dict:
    """Run the sweep with ``workers`` workers into ``out``; return the measurements."""
    args = [
        COPSIM_RUN,
        "+experiment=coordinator_sponsorship",
        "-m",
        f"scenario={scenario}",
        f"replicates={replicates}",
        f"sweep_dir={out}",
    ]
    if horizon is not None:
        args.append(f"horizon_weeks={horizon}")
    if workers > 1:
        args += ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}"]
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    load_after = os.getloadavg()[0]
    if proc.returncode != 0:
        raise SystemExit(f"sweep failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    records = [json.loads(p.read_text()) for p in out.glob("conditions/*/condition.json")]
    in_jobs = sum(r["duration_s"] for r in records)
    return {
        "workers": workers,
        "launcher": "joblib" if workers > 1 else "basic",
        "conditions": len(records),
        "runs": len(records) * replicates,
        "wall_s": wall,
        "conditions_per_s": len(records) / wall,
        "job_s": in_jobs,
        "load": (load_before, load_after),
        "runs_parquet": pd.read_parquet(out / "runs.parquet"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="rumble_strips")
    parser.add_argument("--replicates", type=int, default=30)
    parser.add_argument("--horizon", type=int, default=None, help="weeks (default: the scenario's)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--quick", action="store_true", help="2 replicates and 52 weeks")
    args = parser.parse_args(argv)
    if args.quick:
        args.replicates, args.horizon = 2, args.horizon or 52

    results = []
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        for workers in args.workers:
            out = Path(tmp) / f"w{workers}"
            results.append(run_sweep(out, workers, args.scenario, args.replicates, args.horizon))
            r = results[-1]
            print(
                f"{workers} worker(s): {r['conditions']} conditions in {r['wall_s']:.1f} s "
                f"= {r['conditions_per_s']:.3f} conditions/s",
                file=sys.stderr,
            )
    same = all(r["runs_parquet"].equals(results[0]["runs_parquet"]) for r in results)
    horizon = args.horizon or "scenario default"
    print(
        f"\ncoordinator_sponsorship, scenario={args.scenario}, replicates={args.replicates}, "
        f"horizon_weeks={horizon}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n"
    )
    print(
        "| workers | launcher | conditions | runs | wall time (s) | conditions/s | time in jobs (s) "
        "| speed-up | load avg before/after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    base = results[0]["wall_s"]
    for r in results:
        print(
            f"| {r['workers']} | {r['launcher']} | {r['conditions']} | {r['runs']} | {r['wall_s']:.1f} "
            f"| {r['conditions_per_s']:.3f} | {r['job_s']:.1f} | {base / r['wall_s']:.2f}x "
            f"| {r['load'][0]:.1f} / {r['load'][1]:.1f} |"
        )
    print(f"\nidentical runs.parquet across worker counts: {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
