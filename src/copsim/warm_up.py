"""Compile copsim's kernels ahead of the first run: ``python -m copsim.warm_up``.

Numba compiles each kernel of :mod:`copsim.compiled` on first use and caches it on disk; a
fresh install would otherwise pause about 40 s in its first run. ``make setup`` runs this once.
"""

from __future__ import annotations

import time

from .api import simulate
from .config import load_config, scenario_names


def warm_up() -> float:
    """Run a few weeks of every scenario, with and without a mandate; returns the seconds taken."""
    start = time.perf_counter()
    for name in scenario_names():
        for mandate in ("false", "true"):  # 14 weeks: past the first pruning of lapsed ties
            simulate(load_config(name, ["horizon_weeks=14", f"sponsor.mandate={mandate}"]))
    return time.perf_counter() - start


if __name__ == "__main__":
    print("copsim: compiling the weekly step's kernels (once after installing) ...", flush=True)
    print(f"copsim: kernels ready in {warm_up():.1f} s")
