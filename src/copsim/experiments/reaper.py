"""Stop a sweep's local workers when the sweep itself is gone (killed, crashed, or ended).

Run as a small companion process of a sweep (``python reaper.py SWEEP_PID``; only the standard
library, so it starts at once and takes little memory). While the sweep lives, it notes the
sweep's child processes every second (joblib's workers, a local Ray instance, submitit's local
jobs); once the sweep is gone it sends them SIGTERM, and SIGKILL to any still there three
seconds later. A child is recognised by its process id *and* start time, so a process that
reused an id is never touched. Without it, workers of a sweep killed with SIGKILL keep running
(and holding memory) for minutes.

Started by :func:`start` (Linux and other systems with ``/proc``; elsewhere it does nothing).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

POLL_SECONDS = 1.0
GRACE_SECONDS = 3.0


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, ...), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def started(pid: int) -> str | None:
    """Start time of a live process (None when it is gone or a zombie)."""
    fields = _stat(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return None
    return fields[19]


def children(parent: int) -> dict[int, str]:
    """Live child processes of ``parent``: pid -> start time."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if (
            fields is not None
            and fields[0] not in ("Z", "X")
            and int(fields[1]) == parent
            and int(entry.name) != os.getpid()
        ):
            found[int(entry.name)] = fields[19]
    return found


def watch(sweep: int) -> None:
    """Wait for process ``sweep`` to go, then stop the children it had."""
    start = started(sweep)
    seen: dict[int, str] = {}
    while start is not None and started(sweep) == start:
        seen.update(children(sweep))
        time.sleep(POLL_SECONDS)
    left = {pid: s for pid, s in seen.items() if started(pid) == s}
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid, s in left.items():
            if started(pid) == s:
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)
        if sig == signal.SIGTERM and left:
            deadline = time.monotonic() + GRACE_SECONDS
            while time.monotonic() < deadline and any(started(p) == s for p, s in left.items()):
                time.sleep(0.1)


def start() -> subprocess.Popen | None:
    """Start a reaper for this process (the sweep); None where there is no /proc."""
    if not Path("/proc/self/stat").exists():
        return None
    return subprocess.Popen(
        [sys.executable, "-S", "-E", str(Path(__file__).resolve()), str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl+C meant for the sweep does not stop its reaper first
        close_fds=True,
    )


if __name__ == "__main__":
    watch(int(sys.argv[1]))
