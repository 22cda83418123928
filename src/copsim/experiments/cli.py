"""``copsim-collect DIR``: rebuild a sweep's aggregate files from its per-condition files.

Use it for sweeps whose conditions ran elsewhere (a cluster, another machine) and were copied
back into ``DIR/conditions/``, or to refresh the aggregates of a sweep that was interrupted.
Exit status 0 when every planned condition is complete, 1 when some failed or did not run,
2 when ``DIR`` holds no sweep or a sweep is running in it (it holds the directory's lock).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..model.config import ConfigError
from .lock import SweepLock
from .store import StoreError
from .store import collect as collect_dir


def collect(argv: list[str] | None = None) -> None:
    """Entry point of ``copsim-collect``."""
    parser = argparse.ArgumentParser(
        prog="copsim-collect", description="Rebuild a sweep's aggregate files from its per-condition files."
    )
    parser.add_argument("sweep_dir", help="a sweep directory (its sweep.json and conditions/*/)")
    sweep_dir = Path(parser.parse_args(argv).sweep_dir)
    try:
        if not sweep_dir.is_dir():
            raise FileNotFoundError(f"{sweep_dir}: no such sweep directory")
        with SweepLock(sweep_dir):
            manifest = collect_dir(sweep_dir)
    except (FileNotFoundError, ConfigError) as exc:
        print(f"copsim-collect: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except (StoreError, OSError) as exc:
        print(f"copsim-collect: error: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(1)
    counts = manifest["counts"]
    print(
        f"copsim-collect: {counts['complete']}/{counts['total']} conditions complete, "
        f"{counts['failed']} failed, {counts['not run']} not run; wrote runs.parquet, timeseries.parquet, "
        f"conditions.csv, failures.csv, manifest.json in {sweep_dir}"
    )
    sys.exit(0 if counts["complete"] == counts["total"] else 1)


if __name__ == "__main__":
    collect()
