"""The results store of a sweep: per-condition files written atomically, aggregates rebuilt from them.

Layout of a sweep directory (schemas in ``docs/EXPERIMENTS.md``)::

    DIR/sweep.json                       the plan: conditions, their configs and keys, options, code
    DIR/.lock                            held by the sweep running in DIR (copsim.experiments.lock)
    DIR/conditions/<id>/runs.parquet     one row per replicate (replicate, seed, outcomes)
    DIR/conditions/<id>/timeseries.parquet   weekly outcomes, long form (replicate, week, ...)
    DIR/conditions/<id>/condition.json   status, times, code, files (size, hash), error, config
    DIR/runs.parquet, timeseries.parquet, conditions.parquet, conditions.csv, failures.csv, manifest.json

Every file is written to a temporary name in the same directory and then renamed with
:func:`os.replace`, so a reader (or a resumed sweep) never sees half a file, and a failed write
(a full disk, a read-only folder) leaves what was there. A write that fails raises
:class:`StoreError`, one line naming the path. ``condition.json`` is written last and records
the size and SHA-256 of the condition's two Parquet files: a condition is complete exactly when
it says ``"status": "complete"``, its fingerprint (config, replicates and code) matches the
plan, and both files are there as recorded. Anything else — another code's results, a
truncated or damaged file — counts as not run, and runs again on resume. The aggregates depend
only on the plan and the per-condition files, so they are byte-for-byte the same however often
a sweep was interrupted and resumed, and whichever launcher ran it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .. import records
from ..model.config import ConfigError
from .aggregate import condition_table, long_table
from .fields import with_metadata
from .provenance import provenance

PLAN = "sweep.json"
CONDITIONS = "conditions"
CONDITION_JSON = "condition.json"
CONDITION_FILES = ("runs.parquet", "timeseries.parquet")
AGGREGATES = (
    "runs.parquet",
    "timeseries.parquet",
    "conditions.parquet",
    "conditions.csv",
    "failures.csv",
    "manifest.json",
)


class StoreError(OSError):
    """A results file could not be written (full disk, read-only folder); the message names it."""


def now() -> str:
    """The current UTC time, ISO 8601 with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """:func:`copsim.records.atomic_write` (a temporary sibling renamed into place), with a write
    the disk refuses (full, read-only) raised as :class:`StoreError` naming ``path``, which is
    then unchanged."""
    try:
        records.atomic_write(Path(path), write)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise StoreError(exc.errno, f"cannot write {path}: {reason}") from None


def write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=1, default=str, allow_nan=True) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text))


def write_parquet(path: Path, frame: pd.DataFrame, table: str = "weekly", extra: dict | None = None) -> None:
    """``frame`` as Parquet with each field's unit and description (:mod:`copsim.experiments.fields`)."""
    import pyarrow.parquet as pq

    arrow = with_metadata(frame, table, extra)
    atomic_write(path, lambda tmp: pq.write_table(arrow, tmp))


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


def check_writable(path: Path, key: str) -> None:
    """``path`` (a results folder) can be created and written, or ConfigError naming ``key``.

    Tried with a file created and removed at once (so the check holds for every user, root
    included) in ``path`` or its nearest existing parent; nothing is left behind.
    """
    import tempfile

    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{key}: {str(path)!r} exists and is not a directory")
    probe = path
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"{key}: {str(path)!r} cannot be created ({probe} is not a directory)")
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        raise ConfigError(f"{key}: {str(path)!r} cannot be written ({exc.strerror or exc})") from None


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def file_record(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of a written file (kept in ``condition.json``; checked on resume)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def condition_dir(sweep_dir: Path, condition_id: str) -> Path:
    return Path(sweep_dir) / CONDITIONS / condition_id


def _files_intact(cdir: Path, record: dict[str, Any], verify: bool) -> bool:
    files = record.get("files")
    if not isinstance(files, dict):  # a record from before files were recorded: readable footers
        import pyarrow.parquet as pq

        try:
            return all(pq.read_metadata(cdir / name) is not None for name in CONDITION_FILES)
        except Exception:
            return False
    for name in CONDITION_FILES:
        path, want = cdir / name, files.get(name) or {}
        try:
            if path.stat().st_size != want.get("bytes"):
                return False
        except OSError:
            return False
        if verify and file_record(path)["sha256"] != want.get("sha256"):
            return False
    return True


def condition_status(sweep_dir: Path, entry: dict[str, Any], verify: bool = False) -> str:
    """``complete``, ``failed`` or ``not run`` for a planned condition (a ``sweep.json`` entry).

    Complete means: the record says so, its fingerprint is the plan's (same config, replicates
    and code), and its files are there with their recorded sizes (``verify``: and hashes).
    A damaged or truncated file, or another code's record, is ``not run``: it runs again.
    """
    cdir = condition_dir(sweep_dir, entry["id"])
    record = read_json(cdir / CONDITION_JSON)
    if record is None or record.get("fingerprint") != entry["fingerprint"]:
        return "not run"
    if record.get("status") == "complete":
        return "complete" if _files_intact(cdir, record, verify) else "not run"
    return "failed" if record.get("status") == "failed" else "not run"


def read_plan(sweep_dir: Path) -> dict[str, Any]:
    """The plan of a sweep directory; without ``sweep.json``, one built from its condition files."""
    sweep_dir = Path(sweep_dir)
    plan = read_json(sweep_dir / PLAN)
    if plan is not None and isinstance(plan.get("conditions"), list):
        return plan
    records = [read_json(p) for p in sorted((sweep_dir / CONDITIONS).glob(f"*/{CONDITION_JSON}"))]
    records = sorted((r for r in records if r and "id" in r), key=lambda r: (r.get("index", 0), r["id"]))
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
# Aggregation
# --------------------------------------------------------------------------------------------
def _key_frame(entry: dict[str, Any], keys: list[str], n: int) -> pd.DataFrame:
    values = {"condition_id": entry["id"], "condition": entry["index"]}
    values.update({k: entry["keys"].get(k) for k in keys})
    return pd.DataFrame({k: [v] * n for k, v in values.items()})


def _with_keys(frame: pd.DataFrame, entry: dict[str, Any], keys: list[str]) -> pd.DataFrame:
    head = _key_frame(entry, keys, len(frame))
    return pd.concat([head, frame.reset_index(drop=True)], axis=1)


def _key_dtypes(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Condition-key columns with one dtype whether or not a value is missing (a baseline's levers):
    booleans as nullable booleans, numbers as floats, the rest as they are."""
    out = frame.copy()
    for k in keys:
        col = out[k]
        present = col.dropna()
        if present.empty:
            continue
        if all(isinstance(v, bool) for v in present):
            out[k] = col.astype("boolean")
        elif (
            all(isinstance(v, int | float) and not isinstance(v, bool) for v in present) and col.isna().any()
        ):
            out[k] = col.astype(float)
    return out


def _write_timeseries(path: Path, parts: list[tuple[dict[str, Any], Path]], keys: list[str]) -> None:
    """Stream the per-condition weekly series into one parquet file (one row group per condition)."""
    import pyarrow.parquet as pq

    def write(tmp: Path) -> None:
        writer = None
        schema = None
        try:
            for entry, file in parts:
                frame = _key_dtypes(_with_keys(pd.read_parquet(file), entry, keys), keys)
                table = with_metadata(frame, "weekly")
                if writer is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(tmp, schema)
                writer.write_table(table.cast(schema))
            if writer is None:
                empty = pd.DataFrame(columns=["condition_id", "condition", *keys, "replicate", "week"])
                pq.write_table(with_metadata(empty, "weekly"), tmp)
        finally:
            if writer is not None:
                writer.close()

    atomic_write(path, write)


def _read_condition(sweep_dir: Path, entry: dict[str, Any], keys: list[str]) -> pd.DataFrame | None:
    """A complete condition's runs with its keys, or None when its file does not read back."""
    try:
        return _with_keys(
            pd.read_parquet(condition_dir(sweep_dir, entry["id"]) / "runs.parquet"), entry, keys
        )
    except Exception:
        return None


def _statuses(sweep_dir: Path, entries: list[dict[str, Any]]) -> tuple[list[str], list[dict | None]]:
    statuses, records = [], []
    for entry in entries:
        status = condition_status(sweep_dir, entry)
        statuses.append(status)
        records.append(
            read_json(condition_dir(sweep_dir, entry["id"]) / CONDITION_JSON) if status != "not run" else None
        )
    return statuses, records


def collect(sweep_dir: Path | str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Rebuild every aggregate file of ``sweep_dir`` from its plan and per-condition files.

    Returns the manifest (also written to ``manifest.json``). ``extra`` adds fields to the
    manifest (the runner passes the command line and session times). A condition whose files do
    not read back counts as not run.
    """
    sweep_dir = Path(sweep_dir)
    plan = read_plan(sweep_dir)
    keys = list(plan["condition_keys"])
    entries = plan["conditions"]
    statuses, records = _statuses(sweep_dir, entries)
    runs_parts, ts_parts = [], []
    for i, entry in enumerate(entries):
        if statuses[i] != "complete":
            continue
        frame = _read_condition(sweep_dir, entry, keys)
        if frame is None:
            statuses[i], records[i] = (
                "not run",
                {"error": "its files do not read back (damaged); it runs again"},
            )
            continue
        runs_parts.append(frame)
        ts_parts.append((entry, condition_dir(sweep_dir, entry["id"]) / "timeseries.parquet"))

    if runs_parts:
        runs = _key_dtypes(pd.concat(runs_parts, ignore_index=True), keys)
        table = condition_table(runs.drop(columns=["condition"]), keys)
    else:
        runs = pd.DataFrame(columns=["condition_id", "condition", *keys, "replicate", "seed"])
        table = pd.DataFrame(columns=["condition_id", *keys])
    write_parquet(sweep_dir / "runs.parquet", runs, "summary")
    _write_timeseries(sweep_dir / "timeseries.parquet", ts_parts, keys)

    head = _key_dtypes(
        pd.DataFrame(
            [
                {
                    "condition_id": e["id"],
                    "condition": e["index"],
                    "label": e["label"],
                    "status": s,
                    **e["keys"],
                }
                for e, s in zip(entries, statuses, strict=True)
            ],
            columns=["condition_id", "condition", "label", "status", *keys],
        ),
        keys,
    )
    stats = table.drop(columns=[k for k in keys if k in table.columns])
    wide = head.merge(stats, on="condition_id", how="left")
    write_parquet(sweep_dir / "conditions.parquet", wide, "conditions")
    write_csv(sweep_dir / "conditions.csv", long_table(wide, keys))

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
    return write_manifest(sweep_dir, plan, statuses, records, extra)


def write_manifest(
    sweep_dir: Path,
    plan: dict[str, Any],
    statuses: list[str] | None = None,
    records: list[dict | None] | None = None,
    extra: dict[str, Any] | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """Write ``manifest.json`` from the plan and each condition's status and record (read from the
    condition files when not given). ``status`` (e.g. ``interrupted``) replaces the computed one
    (``complete`` when every planned condition is, else ``incomplete``). Quick: reads no Parquet."""
    entries = plan["conditions"]
    if statuses is None or records is None:
        statuses, records = _statuses(Path(sweep_dir), entries)
    counts = {s: statuses.count(s) for s in ("complete", "failed", "not run")}
    seeds = sorted({(r or {}).get("root_seed") for r in records if r and r.get("root_seed") is not None})
    manifest = {
        "experiment": plan.get("experiment"),
        "question": plan.get("question", ""),
        "experiment_file": plan.get("experiment_file"),
        "status": status or ("complete" if counts["complete"] == len(entries) else "incomplete"),
        "counts": {"total": len(entries), **counts},
        "started": plan.get("created"),
        "finished": now(),
        "root_seed": seeds[0] if len(seeds) == 1 else seeds,
        "condition_keys": plan.get("condition_keys", []),
        "options": plan.get("options", {}),
        "plan_code": plan.get("code"),
        **provenance(),
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
                "config": (r or {}).get("config"),
            }
            for e, s, r in zip(entries, statuses, records, strict=True)
        ],
    }
    write_json(Path(sweep_dir) / "manifest.json", manifest)
    return manifest


def command_line() -> list[str]:
    """The command that started this process, for the manifest."""
    return [Path(sys.argv[0]).name, *sys.argv[1:]]
