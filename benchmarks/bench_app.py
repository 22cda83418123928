"""Benchmark: how long the dashboard's **Run** takes for the default case with 20 replicates.

Times exactly what the page runs in the background (:class:`copsim.app.runner.EnsembleJob`):
20 replicates with the community, 20 on the dissemination-only baseline (same seeds) and one
run for the network picture. Also times one replicate of each condition alone, so the figure
can be read per run, and the CPU time the app process spent (a figure that does not
depend on how busy the machine is; with workers > 1 the work is in worker processes).
Prints a Markdown table for docs/DASHBOARD.md and docs/PERFORMANCE.md.

    .venv/bin/python benchmarks/bench_app.py            # default case, 20 replicates
    .venv/bin/python benchmarks/bench_app.py --replicates 10 --scenario safecities
    .venv/bin/python benchmarks/bench_app.py --workers 1   # without the process pool
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import copsim
from copsim.app import levers
from copsim.app.runner import EnsembleJob, shared_pool


def time_job(scenario: str, replicates: int, workers: int) -> tuple[float, EnsembleJob]:
    config = levers.scenario_defaults(scenario)
    start, cpu = time.perf_counter(), time.process_time()
    job = EnsembleJob(scenario, config, [], replicates, workers).start()
    job.join()
    elapsed = time.perf_counter() - start
    job.cpu_seconds = time.process_time() - cpu  # this process only (not worker processes)
    if job.state != "done":
        raise SystemExit(f"bench_app: job failed: {job.error}")
    return elapsed, job


def time_single(config: copsim.CopConfig) -> float:
    start = time.perf_counter()
    copsim.simulate(config)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="rumble_strips", choices=sorted(levers.CASES))
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time (1: one thread)"
    )
    args = parser.parse_args()
    config = levers.scenario_defaults(args.scenario)
    single_c = time_single(config)
    single_b = time_single(levers.baseline_of(config))
    if max(args.workers) > 1:  # start the worker processes outside the timing
        shared_pool(max(args.workers)).submit(int).result()
    print(
        "| case | replicates | runs | workers | wall time (s) | CPU time in the app process (s) "
        "| one run with / without community (s) |"
    )
    print("|---|---|---|---|---|---|---|")
    for workers in args.workers:
        elapsed, job = time_job(args.scenario, args.replicates, workers)
        print(
            f"| {args.scenario} | {args.replicates} | {job.total} | {workers} | {elapsed:.1f} "
            f"| {job.cpu_seconds:.1f} "
            f"| {single_c:.2f} / {single_b:.2f} |"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\ncopsim {copsim.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {load:.1f} at the end"
    )


if __name__ == "__main__":
    main()
