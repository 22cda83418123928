"""copsim's performance benchmark: one command, one process tree, every figure of docs/PERFORMANCE.md.

    .venv/bin/python benchmarks/run.py            # full (about 5 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # smoke check (about 1 minute); writes nothing

Measures, and reports as ratios where there is something to compare with:

1. **copsim vs the per-agent Mesa reference** (``benchmarks/reference_mesa.py``) at 1,000 and
   10,000 practitioners, in microseconds per practitioner-week, on the same restricted
   scenario (rumble_strips without retirements or a support team) and the same weeks (the
   reference runs fewer weeks than a full run; both are normalised per practitioner-week).
2. **Replicates stepped together**: 30 replicates of rumble_strips as one batch (what
   ``simulate_ensemble`` does) against the same replicates one at a time, in practitioner-weeks
   per CPU second, back to back (the median of three ratios).
3. **100,000 practitioners x 520 weeks** (company_command and rumble_strips scaled up), each in
   a fresh subprocess: wall and CPU seconds, peak resident memory (``VmHWM``, including the
   interpreter and imports), and the time per phase of the weekly step
   (``CopModel(config, time_phases=True).phase_seconds``).
4. **Sweep throughput** of ``coordinator_sponsorship`` on rumble_strips (coordinator FTE
   {0, .1, .25, .5, .75, 1} x sponsorship {0, .25, .5, .75, 1} = 30 conditions x 30
   replicates) with 1 and 2 joblib worker processes, each condition one ``simulate_ensemble``.
   The full grid runs with 2 workers; the 1-worker figure, and the 2-worker figure with
   replicates stepped one at a time, come from a subset of conditions spread evenly over the
   grid (conditions differ in cost), projected to the whole grid.
5. **Mesa leak check**: many models built and run in one process; after ``simulate`` returns,
   no ``CopModel`` may remain reachable (weak references to finished models must be dead).

Writes ``docs/performance.json`` and the generated section of ``docs/PERFORMANCE.md`` (between
the ``BEGIN GENERATED`` / ``END GENERATED`` markers) unless ``--quick`` or ``--no-write``.
The machine (CPU, cores, load average before and after) is recorded, because wall times on a
shared machine vary with what else runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import subprocess
import sys
import time
import weakref
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import mesa  # noqa: E402

import copsim  # noqa: E402
from copsim.model import CopModel  # noqa: E402

RESTRICTED = [
    "demography.retirement_per_year=0",
    "support_team.enabled=false",
]
PRACTITIONERS_PER_ORG = 7  # rumble_strips: 420 practitioners in 60 organizations
FTE = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
SPONSORSHIP = (0.0, 0.25, 0.5, 0.75, 1.0)


# ------------------------------------------------------------------------------------ machine
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "platform": platform.platform(),
        "loadavg_start": list(os.getloadavg()),
    }


def scaled(scenario: str, n: int, overrides: list[str] = (), per_org: int = PRACTITIONERS_PER_ORG):
    return copsim.load_config(
        scenario,
        [f"world.n_practitioners={n}", f"world.n_organizations={max(1, n // per_org)}", *overrides],
    )


def load_compiled(overrides: list[str] = ()) -> None:
    """Run 30 weeks of rumble_strips (with ``overrides``) so that the compiled kernels are
    loaded before the clock starts (loading them from Numba's cache takes a moment, once per
    process)."""
    copsim.simulate(copsim.load_config("rumble_strips", [*overrides, "horizon_weeks=30"]))


# ------------------------------------------------------------------------------------ 1. reference
def timed_steps(model, weeks: int) -> tuple[float, float]:
    """(wall, cpu) seconds of ``weeks`` weekly steps of ``model`` (construction excluded)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(weeks):
        model.step()
    result = time.perf_counter() - wall, time.process_time() - cpu
    model.remove_all_agents()
    return result


def copsim_seconds(config, weeks: int) -> tuple[float, float]:
    """(wall, cpu) seconds of ``weeks`` weeks of copsim."""
    return timed_steps(CopModel(config), weeks)


def reference_seconds(config, weeks: int) -> tuple[float, float]:
    """(wall, cpu) seconds of ``weeks`` weeks of the per-agent Mesa reference."""
    from reference_mesa import ReferenceModel

    return timed_steps(ReferenceModel(config), weeks)


def bench_reference(sizes: dict[int, int], copsim_weeks: int) -> list[dict]:
    load_compiled(RESTRICTED)
    rows = []
    for n, ref_weeks in sizes.items():
        config = scaled("rumble_strips", n, RESTRICTED)
        copsim_seconds(config, 2)  # warm-up at this size (memory, CPU caches)
        _, same_cpu = copsim_seconds(config, ref_weeks)
        long_wall, long_cpu = copsim_seconds(config, copsim_weeks)
        ref_wall, ref_cpu = reference_seconds(config, ref_weeks)
        us = 1e6 / n
        rows.append(
            {
                "practitioners": n,
                "reference_weeks": ref_weeks,
                "reference_us_per_pw": ref_cpu / ref_weeks * us,
                "copsim_us_per_pw_same_weeks": same_cpu / ref_weeks * us,
                "copsim_weeks": copsim_weeks,
                "copsim_us_per_pw": long_cpu / copsim_weeks * us,
                "speedup_same_weeks": ref_cpu / ref_weeks / (same_cpu / ref_weeks),
                "reference_wall_s": ref_wall,
                "copsim_wall_s": long_wall,
            }
        )
        print(
            f"  {n:>7,} practitioners: reference {rows[-1]['reference_us_per_pw']:.1f} us/pw "
            f"({ref_weeks} weeks), copsim {rows[-1]['copsim_us_per_pw_same_weeks']:.2f} us/pw same weeks, "
            f"{rows[-1]['copsim_us_per_pw']:.2f} us/pw over {copsim_weeks} weeks -> "
            f"{rows[-1]['speedup_same_weeks']:.0f}x",
            flush=True,
        )
    return rows


# ------------------------------------------------------------------------------------ 2. replicates
def bench_batches(replicates: int, weeks: int, repeats: int) -> dict:
    """Practitioner-weeks per CPU second for ``replicates`` replicates of rumble_strips stepped
    together (one batch, as ``simulate_ensemble`` does) against the same replicates stepped one
    at a time, measured back to back ``repeats`` times (the median of the ratios is reported)."""
    config = dataclasses.replace(copsim.load_config("rumble_strips"), horizon_weeks=weeks)
    practitioner_weeks = replicates * config.world.n_practitioners * weeks
    ratios, together, alone = [], [], []
    for _ in range(repeats):
        cpu = time.process_time()
        copsim.simulate_ensemble(config, replicates)
        together.append(time.process_time() - cpu)
        cpu = time.process_time()
        copsim.simulate_ensemble(config, replicates, batch=1)
        alone.append(time.process_time() - cpu)
        ratios.append(alone[-1] / together[-1])
    k = int(np.argsort(ratios)[len(ratios) // 2])
    row = {
        "replicates": replicates,
        "weeks": weeks,
        "practitioners": config.world.n_practitioners,
        "together_s": together[k],
        "alone_s": alone[k],
        "together_pw_per_s": practitioner_weeks / together[k],
        "alone_pw_per_s": practitioner_weeks / alone[k],
        "speedup": ratios[k],
        "speedup_lowest": min(ratios),
        "speedup_highest": max(ratios),
    }
    print(
        f"  {replicates} replicates of rumble_strips x {weeks} weeks: together {row['together_s']:.2f} s "
        f"({row['together_pw_per_s'] / 1e6:.2f} M practitioner-weeks/s), "
        f"one at a time {row['alone_s']:.2f} s "
        f"-> {row['speedup']:.1f}x (median of {repeats}; {min(ratios):.1f}-{max(ratios):.1f}x)",
        flush=True,
    )
    return row


# ------------------------------------------------------------------------------------ 3. large runs
LARGE_RUN = r"""
import json, resource, sys, time
import copsim
from copsim.model import CopModel
scenario, n, per_org, weeks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
config = copsim.load_config(scenario, [f"world.n_practitioners={n}",
    f"world.n_organizations={max(1, n // per_org)}", f"horizon_weeks={weeks}"])

def peak_rss_mb():
    # this process image's own peak (VmHWM): ru_maxrss survives exec, so a child spawned by a
    # big parent would report the parent's size
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

wall, cpu = time.perf_counter(), time.process_time()
model = CopModel(config, time_phases=True)
built = time.perf_counter() - wall
for _ in range(weeks):
    model.step()
summary = model.summary()
model.remove_all_agents()
print(json.dumps({"scenario": scenario, "practitioners": n, "organizations": max(1, n // per_org),
    "weeks": weeks, "wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
    "build_s": built, "peak_rss_mb": peak_rss_mb(),
    "phase_s": model.phase_seconds, "ties_at_end": int(model.ties.count),
    "final_adoption_share": summary["final_adoption_share"]}))
"""


def bench_large(runs: list[tuple[str, int, int]], weeks: int) -> list[dict]:
    rows = []
    for scenario, n, per_org in runs:
        out = subprocess.run(
            [sys.executable, "-c", LARGE_RUN, scenario, str(n), str(per_org), str(weeks)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        phases = ", ".join(f"{k} {v:.1f}" for k, v in row["phase_s"].items())
        print(
            f"  {scenario} {n:,} x {weeks} weeks: {row['wall_s']:.1f} s wall ({row['cpu_s']:.1f} s CPU), "
            f"peak RSS {row['peak_rss_mb']:.0f} MB; phases (s): {phases}",
            flush=True,
        )
    return rows


# ------------------------------------------------------------------------------------ 4. sweep
def _condition(fte: float, level: float, replicates: int, weeks: int | None, batch: int | None) -> float:
    overrides = [f"coordinator.fte={fte}", f"sponsor.level={level}"]
    if weeks is not None:
        overrides.append(f"horizon_weeks={weeks}")
    start = time.perf_counter()
    copsim.simulate_ensemble(copsim.load_config("rumble_strips", overrides), replicates, batch=batch)
    return time.perf_counter() - start


def bench_sweep(
    workers: int, conditions: int, replicates: int, weeks: int | None, batch: int | None = None
) -> dict:
    """A sweep of ``conditions`` of the coordinator x sponsorship grid with ``workers`` joblib
    processes, each condition one ``simulate_ensemble`` (its replicates stepped together, or
    ``batch`` at a time), projected to the full 30-condition grid."""
    from joblib import Parallel, delayed

    full = [(f, s) for f in FTE for s in SPONSORSHIP]
    # a subset spread over the whole grid: conditions differ in cost (more coordinator time, more
    # community activity), so the first few alone would make a projection too optimistic
    grid = [full[k] for k in np.linspace(0, len(full) - 1, conditions).round().astype(int)]
    start = time.perf_counter()
    inside = Parallel(n_jobs=workers, backend="loky")(
        delayed(_condition)(f, s, replicates, weeks, batch) for f, s in grid
    )
    wall = time.perf_counter() - start
    runs = len(grid) * replicates
    row = {
        "workers": workers,
        "stepping": "one at a time" if batch == 1 else "together",
        "conditions": len(grid),
        "replicates": replicates,
        "weeks": weeks or 520,
        "runs": runs,
        "wall_s": wall,
        "runs_per_s": runs / wall,
        "seconds_per_run_in_job": sum(inside) / runs,
        "projected_full_grid_s": 30 * replicates / (runs / wall),
    }
    print(
        f"  {workers} worker(s), replicates {row['stepping']}: {len(grid)} conditions x {replicates} "
        f"replicates in {wall:.1f} s = "
        f"{row['runs_per_s']:.2f} runs/s; full 30 x {replicates} grid: {row['projected_full_grid_s']:.0f} s",
        flush=True,
    )
    return row


# ------------------------------------------------------------------------------------ 5. leaks
def leak_check(runs: int) -> dict:
    """Run ``simulate`` repeatedly; every finished model must be collectable (no registry leak)."""
    refs = []
    original = CopModel.__init__

    def tracking_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        refs.append(weakref.ref(self))

    CopModel.__init__ = tracking_init
    try:
        config = copsim.load_config("rumble_strips", ["horizon_weeks=26"])
        for seed in range(runs):
            copsim.simulate(dataclasses.replace(config, seed=seed))
    finally:
        CopModel.__init__ = original
    gc.collect()
    alive = sum(r() is not None for r in refs)
    print(f"  {runs} runs of simulate: {alive} models still reachable after gc", flush=True)
    return {"runs": runs, "models_alive_after_gc": alive}


# ------------------------------------------------------------------------------------ report
def markdown(results: dict, command: str) -> str:
    m = results["machine"]
    lines = [
        f"Generated by `{command}` on {results['date']} (UTC).",
        "",
        f"Machine: {m['cpu']}, {m['nproc']} cores, Python {m['python']}, numpy {m['numpy']}, "
        f"Mesa {m['mesa']}; load average at start {m['loadavg_start'][0]:.1f}, at end "
        f"{m['loadavg_end'][0]:.1f} (other jobs shared the cores: CPU seconds are the fairer figure).",
        "",
        "### copsim vs the per-agent Mesa reference (CPU µs per practitioner-week)",
        "",
        "| practitioners | reference (weeks) | copsim, same weeks | speed-up | copsim over a full run |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in results["reference"]:
        lines.append(
            f"| {r['practitioners']:,} | {r['reference_us_per_pw']:.1f} ({r['reference_weeks']}) | "
            f"{r['copsim_us_per_pw_same_weeks']:.2f} | **{r['speedup_same_weeks']:.0f}x** | "
            f"{r['copsim_us_per_pw']:.2f} ({r['copsim_weeks']} weeks) |"
        )
    b = results["batches"]
    lines += [
        "",
        f"### Replicates stepped together: {b['replicates']} replicates of rumble_strips "
        f"({b['practitioners']} practitioners, {b['weeks']} weeks; CPU seconds)",
        "",
        "| together (s) | one at a time (s) | practitioner-weeks/s together | one at a time "
        "| speed-up (median) | lowest-highest |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {b['together_s']:.2f} | {b['alone_s']:.2f} | {b['together_pw_per_s']:,.0f} | "
        f"{b['alone_pw_per_s']:,.0f} | "
        f"**{b['speedup']:.1f}x** | {b['speedup_lowest']:.1f}-{b['speedup_highest']:.1f}x |",
    ]
    lines += [
        "",
        "### Large runs (fresh process each)",
        "",
        "| scenario | practitioners | weeks | wall (s) | CPU (s) | peak RSS (MB) | ties at the end |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["large"]:
        lines.append(
            f"| {r['scenario']} | {r['practitioners']:,} | {r['weeks']} | **{r['wall_s']:.1f}** | "
            f"{r['cpu_s']:.1f} | **{r['peak_rss_mb']:.0f}** | {r['ties_at_end']:,} |"
        )
    names = list(results["large"][0]["phase_s"]) if results["large"] else []
    if names:
        lines += [
            "",
            "Seconds per phase of the weekly step in those runs (observation and bookkeeping are the rest):",
            "",
            "| scenario | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
        ]
        for r in results["large"]:
            lines.append(f"| {r['scenario']} | " + " | ".join(f"{r['phase_s'][k]:.1f}" for k in names) + " |")
    lines += [
        "",
        "### Sweep throughput: coordinator_sponsorship on rumble_strips (joblib over `simulate_ensemble`)",
        "",
        "| workers | replicates | conditions x replicates | weeks | wall (s) | runs/s | s per run "
        "| full 30 x 30 grid (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["sweep"]:
        lines.append(
            f"| {r['workers']} | {r['stepping']} | {r['conditions']} x {r['replicates']} | {r['weeks']} | "
            f"{r['wall_s']:.1f} | "
            f"{r['runs_per_s']:.2f} | {r['seconds_per_run_in_job']:.3f} | "
            f"**{r['projected_full_grid_s']:.0f}** |"
        )
    leak = results["leaks"]
    lines += [
        "",
        f"Leak check: {leak['runs']} runs of `simulate` in one process leave "
        f"{leak['models_alive_after_gc']} models reachable after garbage collection.",
    ]
    return "\n".join(lines)


def write_docs(results: dict, command: str) -> None:
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "performance.json").write_text(json.dumps(results, indent=2) + "\n")
    doc = ROOT / "docs" / "PERFORMANCE.md"
    begin, end = "<!-- BEGIN GENERATED by benchmarks/run.py -->", "<!-- END GENERATED -->"
    section = f"{begin}\n{markdown(results, command)}\n{end}"
    text = doc.read_text() if doc.exists() else "# Performance\n\n" + begin + "\n" + end + "\n"
    if begin in text and end in text:
        text = text[: text.index(begin)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    doc.write_text(text)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few weeks; writes nothing")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--sweep-replicates", type=int, default=30)
    parser.add_argument("--sweep-one-worker-conditions", type=int, default=6)
    args = parser.parse_args(argv)
    quick = args.quick
    command = "python benchmarks/run.py" + (" --quick" if quick else "")
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "quick": quick}
    results["machine"] = machine()
    print(f"machine: {results['machine']}", flush=True)

    print("1. copsim vs the per-agent Mesa reference", flush=True)
    ref_sizes = {1_000: 4, 10_000: 2} if quick else {1_000: 52, 10_000: 10}
    results["reference"] = bench_reference(ref_sizes, 26 if quick else 520)

    print("2. replicates stepped together", flush=True)
    results["batches"] = bench_batches(30, 52 if quick else 520, 1 if quick else 3)

    print("3. large runs", flush=True)
    large = [("company_command", 100_000, 10), ("rumble_strips", 100_000, PRACTITIONERS_PER_ORG)]
    results["large"] = bench_large(
        [(s, 10_000, k) for s, n, k in large[:1]] if quick else large, 52 if quick else 520
    )

    print("4. sweep throughput", flush=True)
    if quick:
        results["sweep"] = [bench_sweep(w, 4, 2, 52) for w in (1, 2)]
    else:
        reps, few = args.sweep_replicates, args.sweep_one_worker_conditions
        results["sweep"] = [
            bench_sweep(1, few, reps, None),
            bench_sweep(2, 30, reps, None),
            bench_sweep(2, few, reps, None, batch=1),
        ]

    print("5. leak check", flush=True)
    results["leaks"] = leak_check(5 if quick else 40)
    results["machine"]["loadavg_end"] = list(os.getloadavg())
    if not (quick or args.no_write):
        write_docs(results, command)
        print("wrote docs/performance.json and docs/PERFORMANCE.md", flush=True)
    else:
        print(markdown(results, command))
    return results


if __name__ == "__main__":
    main()
