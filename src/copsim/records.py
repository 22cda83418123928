"""What every result file carries and how it is written: library versions, atomic writes.

Used by every writer of results (the single-run CLI, the sweep store, sensitivity and
discovery), so that a reader never sees half a file and every file says what made it.
"""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

#: the libraries whose versions shape results or their files
LIBRARIES = (
    "copsim",
    "mesa",
    "numpy",
    "numba",
    "scipy",
    "pandas",
    "pyarrow",
    "hydra-core",
    "omegaconf",
    "SALib",
    "ema-workbench",
)


def versions() -> dict[str, str]:
    """Versions of Python, the platform, copsim and the libraries results depend on."""
    found = {"python": platform.python_version(), "platform": platform.platform()}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp)`` into a temporary sibling, then rename it into place,
    so that ``path`` is either the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
