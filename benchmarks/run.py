"""copsim's performance benchmark: one command, one process tree, every figure of docs/PERFORMANCE.md.

    .venv/bin/python benchmarks/run.py            # full (about 4 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # smoke check (about 1 minute); writes nothing

Measures, and reports as ratios where there is something to compare with:

1. **copsim vs the per-agent Mesa reference** (``benchmarks/reference_mesa.py``) at 1,000 and
   10,000 practitioners, in microseconds per practitioner-week, on the same restricted
   scenario (rumble_strips without retirements or a support team) and the same weeks (the
   reference runs fewer weeks than a full run; both are normalised per practitioner-week).
2. **copsim vs a bare numpy pass** that touches the same arrays once per week: one
   read-modify-write of every array the weekly step reads (practitioner, unit and tie arrays
   and the indexes over the ties) at the size a run reaches, plus the fixed-shape weekly
   uniform draws (the floor a vectorized model cannot go below); the median ratio of several
   copsim-then-bare pairs, with the lowest and highest, and the median ratios against the
   same pass without the tie indexes and drawing its uniforms the way copsim does.
3. **100,000 practitioners x 520 weeks** (company_command and rumble_strips scaled up), each in
   a fresh subprocess: wall and CPU seconds, peak resident memory (``VmHWM``, including the
   interpreter and imports), and the time per phase of the weekly step
   (``CopModel(config, time_phases=True).phase_seconds``).
4. **Sweep throughput** of ``coordinator_sponsorship`` on rumble_strips (coordinator FTE
   {0, .1, .25, .5, .75, 1} x sponsorship {0, .25, .5, .75, 1} = 30 conditions x 30
   replicates) with 1 and 2 joblib worker processes, each condition one ``simulate_ensemble``.
   The full grid runs with 2 workers; the 1-worker figure comes from a subset of conditions
   spread evenly over the grid (conditions differ in cost), projected to the whole grid.
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
from copsim.compiled import generator_handle  # noqa: E402
from copsim.model import CopModel  # noqa: E402
from copsim.pcg64 import uniforms  # noqa: E402

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
    """Run 30 weeks of rumble_strips (with ``overrides``) so that every compiled loop a timed
    run calls is loaded before the clock starts: loading one from Numba's cache costs tens of
    milliseconds, once per process, which would otherwise land in whichever figure calls it
    first (in the 2026-11-29 run it turned the 10,000-practitioner bare-pass ratio from about
    8x into 15.8x)."""
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


# ------------------------------------------------------------------------------------ 2. bare numpy
def bare_pass_arrays(model: CopModel, indexes: bool = True) -> list[np.ndarray]:
    """Every array copsim's weekly step reads, at its current size (the live part of each tie
    column): the practitioner arrays and the tally of member colleagues, the unit arrays the
    rules read, the alumni pool, the tie columns and, with ``indexes``, the indexes copsim keeps
    over the ties (the formal CSR index, the partner CSR snapshot, the key index and its
    filter). ``indexes=False`` is the array set sessions 4 to 6 measured against."""
    people, ties, world = model.people, model.ties, model.world
    arrays = [getattr(people, name) for name in people.__dataclass_fields__]
    arrays += [*model._colleague_tally, model.adopted_week, model.alumni_knowledge, model._contacts_per_level]
    arrays += [world.org_boundary, world.org_silo, world.org_adopting, world.org_start]
    arrays += [ties.view(name) for name in ties.COLUMNS]
    if indexes:
        arrays += [ties.indptr, ties.neighbour, ties.edge, *ties.key_index]
        arrays += [ties.all_indptr, ties.all_edge, ties.all_neighbour, ties.all_b_start]
    return arrays


def bare_pass_seconds(model: CopModel, weeks: int, draws: str = "numpy", indexes: bool = True) -> float:
    """CPU seconds of a bare weekly pass over the arrays a copsim run holds at its current size.

    Each week: the fixed-shape uniform draws copsim makes (retirement, awareness, 2 x
    participation, 2 x formal contacts per practitioner; adoption per unit), then one
    read-modify-write of a copy of each of :func:`bare_pass_arrays`. The alumni uniform per
    practitioner is not drawn: since 2026-11-29 (seventh session) copsim jumps over those nobody
    reads (:func:`copsim.pcg64.uniforms_at`), so it is no longer work a model of this state
    must do. ``draws="numpy"`` draws with ``Generator.random`` (the issue's bare numpy pass);
    ``"copsim"`` with :func:`copsim.pcg64.uniforms`, the same numbers drawn the way copsim now
    draws them (about 40 % cheaper), so that copsim's faster draws do not flatter the ratio
    unseen.
    """
    rng = np.random.default_rng(0)
    handle = generator_handle(rng)
    n, n_units = model.n, model.world.n_organizations
    arrays = bare_pass_arrays(model, indexes)
    state = [array.copy() for array in arrays]
    knowledge = state[next(k for k, array in enumerate(arrays) if array is model.people.knowledge)]
    start = time.process_time()
    for _ in range(weeks):
        if draws == "numpy":
            u = rng.random((6, n))
            rng.random(n_units)
        else:
            u = uniforms(handle, 6 * n).reshape(6, n)
            uniforms(handle, n_units)
        knowledge += 0.001 * u[0]  # (one use of the draws)
        for array in state:
            _touch(array)
    return time.process_time() - start


def _touch(array: np.ndarray) -> None:
    """One read-modify-write of every element of ``array``, in place, leaving it as it was."""
    if array.dtype == np.bool_:
        array |= False
    else:
        array += array.dtype.type(0)


def bench_bare(sizes: list[int], weeks: int, pairs: dict[int, int]) -> list[dict]:
    """copsim's weeks against the bare pass, as the median of ``pairs[n]`` paired measurements.

    Each pair is a fresh model run for ``weeks`` then the bare pass over its arrays, back to
    back, so both see the same phase of a shared machine; one pair alone moved between 3x and
    7x from one run of this script to the next (2026-11-29), the median of several much less.
    The spread (lowest and highest ratio) is reported with it, and the median ratios against
    the bare pass without the tie indexes and against the bare pass drawing its uniforms as
    copsim does (:func:`bare_pass_seconds`).
    """
    load_compiled()
    rows = []
    for n in sizes:
        config = dataclasses.replace(scaled("rumble_strips", n), horizon_weeks=weeks)
        measured, without_indexes, against_copsim_draws = [], [], []
        for _ in range(pairs[n]):
            model = CopModel(config)
            cpu = time.process_time()
            for _ in range(weeks):
                model.step()
            copsim_cpu = time.process_time() - cpu
            bare = bare_pass_seconds(model, weeks)
            measured.append((copsim_cpu / bare, copsim_cpu, bare, int(model.ties.count)))
            without_indexes.append(copsim_cpu / bare_pass_seconds(model, weeks, indexes=False))
            against_copsim_draws.append(copsim_cpu / bare_pass_seconds(model, weeks, draws="copsim"))
            model.remove_all_agents()
        measured.sort()
        ratio, copsim_cpu, bare, ties_at_end = measured[len(measured) // 2]
        rows.append(
            {
                "practitioners": n,
                "weeks": weeks,
                "ties_at_end": ties_at_end,
                "copsim_ms_per_week": copsim_cpu / weeks * 1e3,
                "bare_ms_per_week": bare / weeks * 1e3,
                "ratio": ratio,
                "pairs": len(measured),
                "ratio_lowest": measured[0][0],
                "ratio_highest": measured[-1][0],
                "ratio_bare_without_tie_indexes": float(np.median(without_indexes)),
                "ratio_bare_with_copsim_draws": float(np.median(against_copsim_draws)),
            }
        )
        print(
            f"  {n:>7,} practitioners: copsim {rows[-1]['copsim_ms_per_week']:.3f} ms/week, bare pass "
            f"{rows[-1]['bare_ms_per_week']:.3f} ms/week -> {ratio:.1f}x (median of {len(measured)} "
            f"pairs; {measured[0][0]:.1f}-{measured[-1][0]:.1f}x); without the tie indexes "
            f"{rows[-1]['ratio_bare_without_tie_indexes']:.1f}x; with copsim's draws "
            f"{rows[-1]['ratio_bare_with_copsim_draws']:.1f}x",
            flush=True,
        )
    return rows


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
frame, summary = model.recorder.frame(weeks), model.summary()
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
def _condition(fte: float, level: float, replicates: int, weeks: int | None) -> float:
    overrides = [f"coordinator.fte={fte}", f"sponsor.level={level}"]
    if weeks is not None:
        overrides.append(f"horizon_weeks={weeks}")
    start = time.perf_counter()
    copsim.simulate_ensemble(copsim.load_config("rumble_strips", overrides), replicates)
    return time.perf_counter() - start


def bench_sweep(workers: int, conditions: int, replicates: int, weeks: int | None) -> dict:
    from joblib import Parallel, delayed

    full = [(f, s) for f in FTE for s in SPONSORSHIP]
    # a subset spread over the whole grid: conditions differ in cost (more coordinator time, more
    # community activity), so the first few alone would make a projection too optimistic
    grid = [full[k] for k in np.linspace(0, len(full) - 1, conditions).round().astype(int)]
    start = time.perf_counter()
    inside = Parallel(n_jobs=workers, backend="loky")(
        delayed(_condition)(f, s, replicates, weeks) for f, s in grid
    )
    wall = time.perf_counter() - start
    runs = len(grid) * replicates
    row = {
        "workers": workers,
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
        f"  {workers} worker(s): {len(grid)} conditions x {replicates} replicates in {wall:.1f} s = "
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
    lines += [
        "",
        "### copsim vs a bare numpy pass over the same arrays (CPU ms per week)",
        "",
        "| practitioners | ties at the end | copsim | bare pass | ratio (median) | pairs | lowest-highest "
        "| ratio, bare pass without the tie indexes (median) "
        "| ratio, bare pass drawing as copsim does (median) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["bare"]:
        lines.append(
            f"| {r['practitioners']:,} | {r['ties_at_end']:,} | {r['copsim_ms_per_week']:.3f} | "
            f"{r['bare_ms_per_week']:.3f} | **{r['ratio']:.1f}x** | {r['pairs']} | "
            f"{r['ratio_lowest']:.1f}-{r['ratio_highest']:.1f}x | "
            f"{r['ratio_bare_without_tie_indexes']:.1f}x | {r['ratio_bare_with_copsim_draws']:.1f}x |"
        )
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
        "| workers | conditions x replicates | weeks | wall (s) | runs/s | s per run "
        "| full 30 x 30 grid (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["sweep"]:
        lines.append(
            f"| {r['workers']} | {r['conditions']} x {r['replicates']} | {r['weeks']} | {r['wall_s']:.1f} | "
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

    print("2. copsim vs a bare numpy pass", flush=True)
    pairs = {10_000: 7, 100_000: 5}  # (a 100,000-practitioner pair takes about 6 s)
    results["bare"] = bench_bare([10_000] if quick else [10_000, 100_000], 26 if quick else 260, pairs)

    print("3. large runs", flush=True)
    large = [("company_command", 100_000, 10), ("rumble_strips", 100_000, PRACTITIONERS_PER_ORG)]
    results["large"] = bench_large(
        [(s, 10_000, k) for s, n, k in large[:1]] if quick else large, 52 if quick else 520
    )

    print("4. sweep throughput", flush=True)
    if quick:
        results["sweep"] = [bench_sweep(w, 4, 2, 52) for w in (1, 2)]
    else:
        results["sweep"] = [
            bench_sweep(1, args.sweep_one_worker_conditions, args.sweep_replicates, None),
            bench_sweep(2, 30, args.sweep_replicates, None),
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
