"""Compile copsim's kernels ahead of the first run: ``python -m copsim.warm_up``.

Numba compiles the two loops of :mod:`copsim.model.kernels` on first use and caches them on
disk beside the module (a few seconds); ``make setup`` runs this once so that the first real
run does not pause. Sites that share one installation between nodes can point
``NUMBA_CACHE_DIR`` at a shared directory (docs/CLUSTER.md).
"""

from __future__ import annotations

import time

from .api import simulate
from .model.config import load_config


def warm_up() -> float:
    """Run a few weeks of a small scenario, which compiles every kernel; returns the seconds."""
    start = time.perf_counter()
    simulate(load_config("e_regulation", ["horizon_weeks=14"]))
    return time.perf_counter() - start


if __name__ == "__main__":
    print("copsim: compiling the weekly step's kernels (once after installing) ...", flush=True)
    print(f"copsim: kernels ready in {warm_up():.1f} s")
