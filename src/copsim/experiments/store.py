"""The results store of a sweep: per-condition files written atomically, aggregates rebuilt from them.

Layout of a sweep directory (schemas in ``docs/EXPERIMENTS.md``)::

    DIR/sweep.json                       the plan: conditions, their overrides and keys, options
    DIR/conditions/<id>/runs.parquet     one row per replicate (replicate, seed, outcomes)
    DIR/conditions/<id>/timeseries.parquet   weekly outcomes, long form (replicate, week, ...)
    DIR/conditions/<id>/condition.json   status, times, error/traceback, resolved config
    DIR/runs.parquet, timeseries.parquet, conditions.csv, failures.csv, manifest.json

Every file is written to a temporary name in the same directory and then renamed with
:func:`os.replace`, so a reader (or a resumed sweep) never sees half a file. ``condition.json``
is written last: a condition is complete exactly when it says ``"status": "complete"``, its
fingerprint matches the plan and both parquet files exist. The aggregates depend only on the
plan and the per-condition files, so they are byte-for-byte the same however often a sweep was
interrupted and resumed, and whichever launcher ran it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..records import atomic_write, versions
from .aggregate import condition_table

PLAN = "sweep.json"
CONDITIONS = "conditions"
CONDITION_JSON = "condition.json"
AGGREGATES = ("runs.parquet", "timeseries.parquet", "conditions.csv", "failures.csv", "manifest.json")


def now() -> str:
    """The current UTC time, ISO 8601 with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=1, default=str, allow_nan=True) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text))


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def condition_dir(sweep_dir: Path, condition_id: str) -> Path:
    return Path(sweep_dir) / CONDITIONS / condition_id


def condition_status(sweep_dir: Path, entry: dict[str, Any]) -> str:
    """``complete``, ``failed`` or ``not run`` for a planned condition (a ``sweep.json`` entry)."""
    cdir = condition_dir(sweep_dir, entry["id"])
    record = read_json(cdir / CONDITION_JSON)
    if record is None or record.get("fingerprint") != entry["fingerprint"]:
        return "not run"
    if record.get("status") == "complete":
        ok = (cdir / "runs.parquet").is_file() and (cdir / "timeseries.parquet").is_file()
        return "complete" if ok else "not run"
    return "failed" if record.get("status") == "failed" else "not run"


def read_plan(sweep_dir: Path) -> dict[str, Any]:
    """The plan of a sweep directory; without ``sweep.json``, one built from its condition files."""
    sweep_dir = Path(sweep_dir)
    plan = read_json(sweep_dir / PLAN)
    if plan is not None:
        return plan
    records = [read_json(p) for p in sorted((sweep_dir / CONDITIONS).glob(f"*/{CONDITION_JSON}"))]
    records = sorted((r for r in records if r), key=lambda r: (r.get("index", 0), r["id"]))
    if not records:
        raise FileNotFoundError(f"{sweep_dir}: no {PLAN} and no {CONDITIONS}/*/{CONDITION_JSON}")
    keys: list[str] = []
    for r in records:
        keys += [k for k in r.get("keys", {}) if k not in keys]
    fields = (
        "index",
        "id",
        "label",
        "scenario",
        "overrides",
        "replicates",
        "baseline",
        "keys",
        "fingerprint",
    )
    return {
        "experiment": None,
        "condition_keys": keys,
        "conditions": [{k: r.get(k) for k in fields} for r in records],
    }


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------
def git_commit() -> dict[str, Any] | None:
    """Commit (and whether the work tree has uncommitted changes) of copsim's source, if in git."""
    src = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return None


# --------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------
def _key_frame(entry: dict[str, Any], keys: list[str], n: int) -> pd.DataFrame:
    values = {"condition_id": entry["id"], "condition": entry["index"]}
    values.update({k: entry["keys"].get(k) for k in keys})
    return pd.DataFrame({k: [v] * n for k, v in values.items()})


def _with_keys(frame: pd.DataFrame, entry: dict[str, Any], keys: list[str]) -> pd.DataFrame:
    head = _key_frame(entry, keys, len(frame))
    return pd.concat([head, frame.reset_index(drop=True)], axis=1)


def _write_timeseries(path: Path, parts: list[tuple[dict[str, Any], Path]], keys: list[str]) -> None:
    """Stream the per-condition weekly series into one parquet file (one row group per condition)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(tmp: Path) -> None:
        writer = None
        schema = None
        try:
            for entry, file in parts:
                frame = _with_keys(pd.read_parquet(file), entry, keys)
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(tmp, schema)
                writer.write_table(table.cast(schema))
            if writer is None:
                pd.DataFrame(columns=["condition_id", "condition", *keys, "replicate", "week"]).to_parquet(
                    tmp, index=False
                )
        finally:
            if writer is not None:
                writer.close()

    atomic_write(path, write)


def _resolved_config(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The resolved config of a condition that has not written its own record."""
    import dataclasses

    from ..model.config import ConfigError, load_config

    try:
        return dataclasses.asdict(load_config(entry["scenario"], entry["overrides"]))
    except ConfigError:
        return None


def collect(sweep_dir: Path | str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Rebuild every aggregate file of ``sweep_dir`` from its plan and per-condition files.

    Returns the manifest (also written to ``manifest.json``). ``extra`` adds fields to the
    manifest (the runner passes the command line and session times).
    """
    sweep_dir = Path(sweep_dir)
    plan = read_plan(sweep_dir)
    keys = list(plan["condition_keys"])
    entries = plan["conditions"]
    runs_parts, ts_parts, records, statuses = [], [], [], []
    for entry in entries:
        status = condition_status(sweep_dir, entry)
        cdir = condition_dir(sweep_dir, entry["id"])
        record = read_json(cdir / CONDITION_JSON) if status != "not run" else None
        statuses.append(status)
        records.append(record)
        if status == "complete":
            runs_parts.append(_with_keys(pd.read_parquet(cdir / "runs.parquet"), entry, keys))
            ts_parts.append((entry, cdir / "timeseries.parquet"))

    if runs_parts:
        runs = pd.concat(runs_parts, ignore_index=True)
        table = condition_table(runs.drop(columns=["condition"]), keys)
    else:
        runs = pd.DataFrame(columns=["condition_id", "condition", *keys, "replicate", "seed"])
        table = pd.DataFrame(columns=["condition_id", *keys])
    write_parquet(sweep_dir / "runs.parquet", runs)
    _write_timeseries(sweep_dir / "timeseries.parquet", ts_parts, keys)

    head = pd.DataFrame(
        [
            {"condition_id": e["id"], "condition": e["index"], "label": e["label"], "status": s, **e["keys"]}
            for e, s in zip(entries, statuses, strict=True)
        ],
        columns=["condition_id", "condition", "label", "status", *keys],
    )
    stats = table.drop(columns=[k for k in keys if k in table.columns])
    write_csv(sweep_dir / "conditions.csv", head.merge(stats, on="condition_id", how="left"))

    failures = [
        {
            "condition_id": e["id"],
            "condition": e["index"],
            "label": e["label"],
            "status": s,
            **e["keys"],
            "error": (r or {}).get("error", "did not finish (killed, interrupted or never started)"),
            "traceback": (r or {}).get("traceback", ""),
        }
        for e, s, r in zip(entries, statuses, records, strict=True)
        if s != "complete"
    ]
    fail_cols = ["condition_id", "condition", "label", "status", *keys, "error", "traceback"]
    write_csv(sweep_dir / "failures.csv", pd.DataFrame(failures, columns=fail_cols))

    counts = {s: statuses.count(s) for s in ("complete", "failed", "not run")}
    seeds = sorted({(r or {}).get("root_seed") for r in records if r and r.get("root_seed") is not None})
    manifest = {
        "experiment": plan.get("experiment"),
        "question": plan.get("question", ""),
        "experiment_file": plan.get("experiment_file"),
        "status": "complete" if counts["complete"] == len(entries) else "incomplete",
        "counts": {"total": len(entries), **counts},
        "started": plan.get("created"),
        "finished": now(),
        "root_seed": seeds[0] if len(seeds) == 1 else seeds,
        "condition_keys": keys,
        "options": plan.get("options", {}),
        "git": git_commit(),
        "versions": versions(),
        **(extra or {}),
        "conditions": [
            {
                "condition_id": e["id"],
                "condition": e["index"],
                "label": e["label"],
                "status": s,
                "keys": e["keys"],
                "overrides": e["overrides"],
                "scenario": e["scenario"],
                "replicates": e["replicates"],
                "root_seed": (r or {}).get("root_seed"),
                "started": (r or {}).get("started"),
                "finished": (r or {}).get("finished"),
                "duration_s": (r or {}).get("duration_s"),
                "error": (r or {}).get("error"),
                "traceback": (r or {}).get("traceback"),
                "config": (r or {}).get("config") or _resolved_config(e),
            }
            for e, s, r in zip(entries, statuses, records, strict=True)
        ],
    }
    write_json(sweep_dir / "manifest.json", manifest)
    return manifest


def command_line() -> list[str]:
    """The command that started this process, for the manifest."""
    return [Path(sys.argv[0]).name, *sys.argv[1:]]
