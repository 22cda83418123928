"""Before/after: CPU seconds of the same runs with another revision's model code and with this tree.

    .venv/bin/python benchmarks/ab.py 641c537                  # small runs (two cases), 10,000, 100,000
    .venv/bin/python benchmarks/ab.py 641c537 --repeats 5 --only small

Checks the other revision out into a temporary git worktree and runs each configuration in
fresh processes, alternating old and new (``--repeats`` times each), so that both see the same
machine load; reports the minimum CPU seconds of ``copsim.simulate`` (after one untimed warm-up
run in the process, which also loads compiled code) and the speed-up, and whether the two
revisions gave the same summary (they must, for an optimisation that keeps results).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUNS = {
    "small": ("rumble_strips", []),
    "small_cc": ("company_command", []),
    "10k": ("rumble_strips", ["world.n_practitioners=10000", "world.n_organizations=1428"]),
    "100k": ("rumble_strips", ["world.n_practitioners=100000", "world.n_organizations=14285"]),
    "100k_cc": ("company_command", ["world.n_practitioners=100000", "world.n_organizations=5000"]),
}

CHILD = """
import json, sys, time
import copsim
scenario, overrides = sys.argv[1], sys.argv[2:]
config = copsim.load_config(scenario, overrides)
copsim.simulate(copsim.load_config(scenario, [*overrides, "horizon_weeks=14"]))  # warm-up
start = time.process_time()
run = copsim.simulate(config)
print(json.dumps({"cpu": time.process_time() - start, "summary": repr(sorted(run.summary.items()))}))
"""


def timed(src: Path, scenario: str, overrides: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, scenario, *overrides],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("revision", help="git revision to compare with (e.g. a commit id)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=list(RUNS), default=list(RUNS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        worktree = ["git", "worktree", "add", "-q", "--detach", str(old), args.revision]
        subprocess.run(worktree, cwd=ROOT, check=True)
        try:
            print(f"| run | {args.revision} (s) | now (s) | speed-up | same summary |")
            print("|---|---:|---:|---:|---|")
            for name in args.only:
                scenario, overrides = RUNS[name]
                before, after = [], []
                for _ in range(args.repeats):
                    before.append(timed(old / "src", scenario, overrides))
                    after.append(timed(ROOT / "src", scenario, overrides))
                b, a = min(r["cpu"] for r in before), min(r["cpu"] for r in after)
                same = before[0]["summary"] == after[0]["summary"]
                verdict = "yes" if same else "NO"
                print(f"| {name} ({scenario}) | {b:.2f} | {a:.2f} | {b / a:.2f}x | {verdict} |")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
