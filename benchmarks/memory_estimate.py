"""How good is copsim's memory and time estimate? Measured peak memory and time against it.

    .venv/bin/python benchmarks/memory_estimate.py            # about 3 minutes on 2 cores
    .venv/bin/python benchmarks/memory_estimate.py --quick    # the three smallest cases

Each case runs ``simulate_ensemble`` in a fresh process (as a sweep job does) and reports its
peak resident memory (``VmHWM``, interpreter and imports included) and CPU seconds beside the
estimate of :class:`copsim.experiments.limits.Estimate`, as ratios. The estimate is meant to
err high on memory (ratio measured/estimate below 1) so that what it lets through fits; time is
a rough figure for the first line of a sweep. Prints a table; writes nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

#: (scenario, overrides, replicates): people, ties, weeks and replicates each varied
CASES = [
    ("rumble_strips", ["horizon_weeks=52"], 1),
    ("rumble_strips", ["horizon_weeks=520"], 30),
    ("rumble_strips", ["horizon_weeks=20000", "world.n_practitioners=100", "world.n_organizations=10"], 1),
    ("rumble_strips", ["horizon_weeks=520", "world.n_practitioners=100", "world.n_organizations=10"], 200),
    ("rumble_strips", ["horizon_weeks=52", "world.n_practitioners=100000", "world.n_organizations=1000"], 1),
    (
        "company_command",
        ["horizon_weeks=26", "world.n_practitioners=300000", "world.n_organizations=3000"],
        1,
    ),
    (
        "rumble_strips",
        [
            "horizon_weeks=13",
            "world.n_practitioners=100000",
            "world.n_organizations=1000",
            "world.within_degree=50",
            "world.cross_degree=10",
        ],
        1,
    ),
    (
        "rumble_strips",
        [
            "horizon_weeks=13",
            "world.n_practitioners=300000",
            "world.n_organizations=300",
            "world.within_degree=100",
            "world.cross_degree=20",
        ],
        1,
    ),
]

CHILD = """
import json, logging, resource, sys, time
import copsim
from copsim.experiments.limits import Estimate
logging.getLogger("MESA").setLevel(logging.WARNING)
scenario, replicates, overrides = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
config = copsim.load_config(scenario, overrides)
cpu = time.process_time()
copsim.simulate_ensemble(config, replicates)
cpu = time.process_time() - cpu
peak = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:"))
est = Estimate.of(config, replicates)
print(json.dumps({"peak": peak, "cpu": cpu, "est_memory": est.memory, "est_seconds": est.seconds}))
"""


def measure(scenario: str, overrides: list[str], replicates: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, scenario, str(replicates), *overrides],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the three smallest cases only")
    args = parser.parse_args()
    cases = CASES[:3] if args.quick else CASES
    print(f"{'case':<70} {'peak MB':>8} {'est MB':>8} {'ratio':>6} {'cpu s':>7} {'est s':>7} {'ratio':>6}")
    worst = 0.0
    for scenario, overrides, replicates in cases:
        m = measure(scenario, overrides, replicates)
        ratio = m["peak"] / m["est_memory"]
        worst = max(worst, ratio)
        label = f"{scenario} x{replicates} " + " ".join(o.split(".")[-1] for o in overrides)
        print(
            f"{label[:70]:<70} {m['peak'] / 1e6:8.0f} {m['est_memory'] / 1e6:8.0f} {ratio:6.2f} "
            f"{m['cpu']:7.1f} {m['est_seconds']:7.1f} {m['cpu'] / max(m['est_seconds'], 1e-9):6.2f}"
        )
    print(f"largest measured/estimated memory: {worst:.2f} (below 1: the estimate errs high, as meant)")


if __name__ == "__main__":
    main()
