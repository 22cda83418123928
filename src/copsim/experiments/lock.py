"""One sweep at a time in a sweep directory: a lock file with its holder and a heartbeat.

``DIR/.lock`` is created exclusively (``O_EXCL``) by the sweep that runs in ``DIR`` and holds
its host, process id, the process's start time and the command. While the sweep runs it
touches the file every few seconds (the heartbeat). A second sweep (or ``copsim-collect``) in
the same directory refuses at once, naming the holder. A lock is *stale* — its sweep is gone —
when its process no longer exists on this host (or is another process that reused the id), or
when its heartbeat is older than :data:`STALE_SECONDS` (a holder on another machine); a stale
lock is taken over.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..model.config import ConfigError

LOCK = ".lock"
#: a lock whose heartbeat is older than this is stale (its holder stopped touching it)
STALE_SECONDS = 120.0
#: how often the holder touches the lock
HEARTBEAT_SECONDS = 5.0


def process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot, from /proc), or None if it is
    gone (or a zombie, which has ended but not been collected by its parent).

    Process ids are reused; the pair (pid, start time) is not.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        if sys.platform.startswith("linux"):
            return None
        try:  # no /proc (macOS): only whether the process exists
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "unknown"
    return None if fields[0] in ("Z", "X") else fields[19]


def _holder() -> dict[str, Any]:
    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "pid": pid,
        "pid_start": process_start(pid),
        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }


def read_holder(sweep_dir: Path) -> dict[str, Any] | None:
    """Who holds ``sweep_dir``'s lock (None when unlocked or unreadable)."""
    try:
        return json.loads((Path(sweep_dir) / LOCK).read_text())
    except (OSError, json.JSONDecodeError):
        return None


def holder_alive(holder: dict[str, Any], age: float) -> bool:
    """Whether the holder of a lock (last touched ``age`` seconds ago) is still running."""
    if holder.get("host") == socket.gethostname():
        start = process_start(int(holder.get("pid", -1)))
        return start is not None and start in (holder.get("pid_start"), "unknown")
    return age < STALE_SECONDS


class SweepLock:
    """``with SweepLock(dir):`` holds ``dir/.lock`` for the block; ConfigError if another sweep has it."""

    def __init__(self, sweep_dir: Path) -> None:
        self.path = Path(sweep_dir) / LOCK
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self.took_over: dict[str, Any] | None = None

    def acquire(self) -> None:
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._refuse_or_clear()
                continue
            with os.fdopen(fd, "w") as fh:
                json.dump(_holder(), fh)
            self._beat = threading.Thread(target=self._heartbeat, daemon=True, name="copsim-lock")
            self._beat.start()
            return
        raise ConfigError(f"sweep_dir: {str(self.path.parent)!r} is being locked by another sweep; try again")

    def _refuse_or_clear(self) -> None:
        holder = read_holder(self.path.parent)
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return  # released meanwhile: try again
        if holder is None and age < 5:  # being written this instant
            time.sleep(0.2)
            return
        if holder is not None and holder_alive(holder, age):
            command = str(holder.get("command", "")).split(" ")[0] or "copsim"
            raise ConfigError(
                f"sweep_dir: {str(self.path.parent)!r} is in use by another sweep ({command}, pid "
                f"{holder.get('pid')} on {holder.get('host')}, since {holder.get('since')}); wait for "
                "it to finish or choose another sweep_dir"
            )
        stale = self.path.with_name(f"{LOCK}.stale-{os.getpid()}")
        try:
            os.rename(self.path, stale)  # only one of several racing sweeps wins the rename
        except FileNotFoundError:
            return
        stale.unlink(missing_ok=True)
        self.took_over = holder or {}

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with contextlib.suppress(OSError):
                os.utime(self.path)

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=1)
        holder = read_holder(self.path.parent)
        if (
            holder is not None
            and holder.get("pid") == os.getpid()
            and holder.get("host") == socket.gethostname()
        ):
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> SweepLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
