"""Limits before exhaustion: estimate a run's memory and time from its config, before it starts.

The estimate of one process running one condition is built from what
:func:`copsim.simulate_ensemble` holds: replicates are stepped together in batches
(:func:`copsim.api.batch_size`), so a batch's practitioner *slots* (practitioners x replicates
in the batch) are what the state arrays and the tie store hold at once:

    peak memory = 380 MB (Python, numpy, numba, pandas, Mesa, loaded)
                + 1.0 kB per slot                               (state arrays)
                + 80 B per slot per mean tie                    (the tie store and its index)
                + 3 kB per week of the horizon                  (the weekly record)
                + 1 kB per replicate-week                       (the ensemble's weekly series in memory)

    time        = 1.5 ms per batch-week + 0.25 ms per replicate-week
                + 0.7 us per practitioner-week + 0.8 us per tie of every replicate

Coefficients measured on the rebuilt core (copsim 0.1.0, December 2026) with
``benchmarks/memory_estimate.py`` (peak resident memory of runs from 100 to 300,000
practitioners, 6 to 120 ties each, 13 to 20,000 weeks, 1 to 200 replicates); the memory figure
errs on the high side (measured peaks are 0.8-1.0 of it). A sweep runs
as many conditions at once as its launcher runs jobs on this machine (joblib's ``n_jobs``, a
local Ray instance's CPUs), so its peak is that many times one condition's.

Runs whose estimate exceeds this machine's memory (physical memory, or the cgroup limit when
lower) are refused with one line giving both; ``memory_limit=SIZE`` sets another limit and
``memory_limit=none`` turns the check off, for those who know better.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model.config import ConfigError, CopConfig

BASE_BYTES = 380e6
PER_SLOT = 1.0e3
PER_TIE_END = 80.0
PER_WEEK = 3.0e3
PER_REPLICATE_WEEK = 1.0e3
SECONDS_PER_BATCH_WEEK = 1.5e-3
SECONDS_PER_REPLICATE_WEEK = 0.25e-3
SECONDS_PER_PRACTITIONER_WEEK = 0.7e-6
SECONDS_PER_TIE_END = 0.8e-6

_UNITS = {"": 1, "B": 1, "K": 1e3, "KB": 1e3, "M": 1e6, "MB": 1e6, "G": 1e9, "GB": 1e9, "T": 1e12, "TB": 1e12}
_UNITS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_size(key: str, text: str) -> float | None:
    """``16GB``, ``500MB``, ``2.5TB`` (or a number of bytes) in bytes; ``none`` is None (no limit)."""
    if text.strip().lower() == "none":
        return None
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).upper() if match else ""
    if not match or unit not in _UNITS or float(match.group(1)) <= 0:
        raise ConfigError(f"{key}: {text!r} is not allowed; a size such as 16GB or 500MB, or none")
    return float(match.group(1)) * _UNITS[unit]


def size_text(n: float) -> str:
    """Bytes as ``9.1 GB`` / ``420 MB``."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}" if n < 10 * scale else f"{n / scale:.0f} {unit}"
    return f"{n / 1e3:.0f} kB"


def duration_text(seconds: float) -> str:
    """Seconds as ``45s``, ``12m``, ``3h20m``, ``4.2 days``, ``31 years``."""
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    if seconds < 86400 * 2:
        h, m = divmod(round(seconds / 60), 60)
        return f"{h}h{m:02d}m"
    if seconds < 86400 * 730:
        return f"{seconds / 86400:.1f} days"
    return f"{seconds / (86400 * 365):,.0f} years"


def mean_ties(config: CopConfig) -> float:
    """Mean formal ties per practitioner the world builder aims for (community ties come on top,
    bounded by the same order)."""
    world = config.world
    if world.topology in ("ring", "watts_strogatz"):
        return float(world.ring_neighbours)
    if world.topology == "complete":
        return 0.0
    return world.within_degree + world.cross_degree


@dataclass(frozen=True)
class Estimate:
    """Peak memory (bytes) of one process running a condition, and its computing time (seconds)."""

    memory: float
    seconds: float

    @classmethod
    def of(cls, config: CopConfig, replicates: int) -> Estimate:
        from ..api import batch_size

        n = config.world.n_practitioners
        ties = mean_ties(config)
        weeks = config.horizon_weeks + 1
        batch = batch_size(config, replicates)
        slots = n * batch
        memory = (
            BASE_BYTES
            + PER_SLOT * slots
            + PER_TIE_END * slots * ties
            + PER_WEEK * weeks
            + PER_REPLICATE_WEEK * replicates * weeks
        )
        seconds = (
            SECONDS_PER_BATCH_WEEK * math.ceil(replicates / batch) * weeks
            + SECONDS_PER_REPLICATE_WEEK * replicates * weeks
            + SECONDS_PER_PRACTITIONER_WEEK * replicates * n * weeks
            + SECONDS_PER_TIE_END * replicates * n * ties
        )
        return cls(memory, seconds)


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def machine_memory() -> float:
    """This machine's memory for copsim: physical memory, or the cgroup's limit when lower."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limits = [
        _read_int("/sys/fs/cgroup/memory.max"),
        _read_int("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
    ]
    return float(min([physical, *(x for x in limits if x)]))


def available_memory() -> float | None:
    """Memory available now (``MemAvailable``), if the system says."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def local_parallelism(launcher: dict[str, Any]) -> int:
    """How many jobs a launcher runs at once on this machine (1 for launchers that run elsewhere)."""
    cpus = os.cpu_count() or 1
    name = str(launcher.get("choice", "basic"))
    if name == "joblib":
        n = launcher.get("n_jobs", -1)
        n = 1 if n is None else int(n)
        return max(1, cpus + 1 + n if n < 0 else n)
    if name == "ray":
        init = launcher.get("ray", {}).get("init", {}) or {}
        if init.get("address") in (None, "local"):
            return int(init.get("num_cpus") or cpus)
    if name == "submitit_local":
        return max(1, int(launcher.get("tasks_per_node", 1) or 1))
    return 1


def check_memory(estimate: Estimate, parallel: int, memory_limit: str | None, what: str) -> str | None:
    """Refuse (ConfigError, one line) when ``parallel`` processes of ``estimate`` exceed the limit.

    Returns a note to print when the estimate fits the machine but not the memory free right now.
    """
    limit_text = memory_limit if memory_limit is not None else ""
    limit = parse_size("memory_limit", limit_text) if limit_text else machine_memory()
    need = estimate.memory * parallel
    jobs = f" ({parallel} at once x {size_text(estimate.memory)})" if parallel > 1 else ""
    if limit is not None and need > limit:
        source = "memory_limit" if limit_text else "this machine's memory"
        raise ConfigError(
            f"memory: {what} needs about {size_text(need)}{jobs}, more than {source} "
            f"({size_text(limit)}); make it smaller, run fewer jobs at once, or set memory_limit=SIZE "
            "(or none; copsim-calibrate: --memory-limit) if you know better"
        )
    free = available_memory()
    if limit is not None and free is not None and need > free:
        return f"note: {what} needs about {size_text(need)}{jobs}; only {size_text(free)} is free now"
    return None


def total_seconds(estimates: list[Estimate], parallel: int) -> float:
    """Wall time of running ``estimates`` ``parallel`` at a time (evenly spread)."""
    return math.fsum(e.seconds for e in estimates) / max(1, min(parallel, len(estimates) or 1))
