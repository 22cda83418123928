"""Run a list of sampled conditions and store them as a sweep-like directory.

Sensitivity analysis and scenario discovery need designs the grid runner does not make (Morris
trajectories, Sobol/Saltelli samples, Latin hypercubes): every sample is its own condition with
its own parameter values. :func:`run_conditions` runs them (optionally in parallel worker
processes) and writes ``runs.parquet`` (one row per run: the sampled keys under their dotted
names, ``scenario``, ``sample``, ``replicate``, ``seed`` and every summary outcome) and
``manifest.json`` (versions, root seed, scenario, fixed overrides, design), which
:func:`copsim.analysis.load` and ``copsim-discover`` read.

Replicate *r* of every sample uses the same seed (common random numbers), so differences
between samples come from the parameters, not from luck.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.config import load_config
from ..model.streams import replicate_seeds
from ..records import atomic_write, versions


def format_override(key: str, value) -> str:
    """A Hydra-style override ``key=value`` (booleans lower-case, floats without noise)."""
    if isinstance(value, (bool, np.bool_)):
        return f"{key}={'true' if value else 'false'}"
    if isinstance(value, (float, np.floating)):
        return f"{key}={float(value)!r}"
    return f"{key}={value}"


def _run_one(task: tuple[str, tuple[str, ...], int, bool]) -> tuple[dict, pd.DataFrame | None]:
    """Run one (sample, replicate); return its summary row and (optionally) weekly series."""
    from ..api import simulate

    logging.getLogger("MESA").setLevel(logging.WARNING)
    scenario, overrides, seed, keep_series = task
    config = load_config(scenario, [*overrides, f"seed={seed}"])
    run = simulate(config)
    return run.summary, (run.timeseries if keep_series else None)


def run_conditions(
    scenario: str,
    samples: Sequence[dict],
    out: str | Path,
    replicates: int = 1,
    root_seed: int = 0,
    fixed: Sequence[str] = (),
    workers: int = 1,
    timeseries: bool = False,
    design: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run every sample (a dict of dotted key -> value) ``replicates`` times; write and return runs.

    Args:
        scenario: scenario name (``conf/scenario``).
        samples: one dict of overrides per sample, e.g. ``{"coordinator.fte": 0.4}``.
        out: directory to write ``runs.parquet`` (and ``timeseries.parquet``) and ``manifest.json``.
        replicates: runs per sample; replicate *r* has the same seed in every sample.
        root_seed: root of the replicate seeds (:func:`copsim.streams.replicate_seeds`).
        fixed: overrides applied to every sample (e.g. ``horizon_weeks=260``).
        workers: worker processes (1 runs in this process).
        timeseries: also keep the weekly series of every run.
        design: what produced the samples (method, ranges), stored in the manifest.
        progress: called as ``progress(done, total)`` after each run.

    Every override is validated before any run starts (a bad one raises ``ConfigError``).
    """
    out = Path(out)
    seeds = replicate_seeds(root_seed, replicates)
    tasks, index = [], []
    for s, sample in enumerate(samples):
        overrides = (*fixed, *(format_override(k, v) for k, v in sample.items()))
        load_config(scenario, list(overrides))  # validate before anything runs
        for r, seed in enumerate(seeds):
            tasks.append((scenario, overrides, int(seed), timeseries))
            index.append((s, r, int(seed)))
    started = datetime.now(UTC).isoformat()
    results = []
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for done, result in enumerate(pool.map(_run_one, tasks, chunksize=1), start=1):
                results.append(result)
                if progress:
                    progress(done, len(tasks))
    else:
        for done, task in enumerate(tasks, start=1):
            results.append(_run_one(task))
            if progress:
                progress(done, len(tasks))
    rows, series = [], []
    for (s, r, seed), (summary, ts) in zip(index, results, strict=True):
        keys = {k: v for k, v in samples[s].items()}
        cid = f"{scenario}-s{s:05d}"
        rows.append(
            {
                "condition_id": cid,
                **keys,
                "scenario": scenario,
                "sample": s,
                "replicate": r,
                "seed": seed,
                **summary,
            }
        )
        if ts is not None:
            series.append(ts.assign(condition_id=cid, scenario=scenario, sample=s, replicate=r, **keys))
    runs = pd.DataFrame(rows)
    manifest = {
        "scenario": scenario,
        "root_seed": root_seed,
        "replicates": replicates,
        "fixed_overrides": list(fixed),
        "design": design or {},
        "samples": len(samples),
        "start": started,
    }
    write_sample(out, runs, manifest, pd.concat(series, ignore_index=True) if series else None)
    return runs


def write_sample(
    out: str | Path, runs: pd.DataFrame, manifest: dict, timeseries: pd.DataFrame | None = None
) -> None:
    """Write a sample's ``runs.parquet`` (and ``timeseries.parquet``) and then ``manifest.json``
    (``manifest`` plus kind ``sample``, versions, end time and status), each atomically."""
    out = Path(out)
    atomic_write(out / "runs.parquet", lambda tmp: runs.to_parquet(tmp, index=False))
    if timeseries is not None:
        atomic_write(out / "timeseries.parquet", lambda tmp: timeseries.to_parquet(tmp, index=False))
    manifest = {
        "kind": "sample",
        **manifest,
        "versions": versions(),
        "end": datetime.now(UTC).isoformat(),
        "status": "complete",
    }
    text = json.dumps(manifest, indent=2, default=_json_default)
    atomic_write(out / "manifest.json", lambda tmp: tmp.write_text(text))


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
