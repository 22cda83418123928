"""Benchmark: the dashboard's answers computed ahead (``copsim-app --prefetch``).

Starts the server's queue as ``copsim-app`` does (one worker process per core), hands it
:func:`copsim.app.runner.prefetch_requests` (each case as configured, then every stop of the
coordinator-time slider, at the page's default 10 runs) and reports how long the server takes to
answer them all while nobody else asks, the server's peak memory, and how long a session then
waits for one of them (the queue's answer; the page adds its own drawing, see bench_app.py).

    .venv/bin/python benchmarks/bench_prefetch.py
"""

from __future__ import annotations

import os
import resource
import time

from copsim.app.runner import Dispatcher, configured_workers, prefetch_requests


def main() -> None:
    queue = Dispatcher(configured_workers())
    queue.warm_up()
    requests = prefetch_requests()
    started = time.perf_counter()
    queue.prefetch(requests)
    answered: dict = {}
    while len(answered) < len(requests) and time.perf_counter() - started < 3600:
        for request in requests:
            if request not in answered and queue.answer(request) is not None:
                answered[request] = time.perf_counter() - started
        time.sleep(0.25)
    cases = len({r.scenario for r in requests})
    what = f"{cases} cases as configured, then the slider's stops"
    print(f"| answered ahead | {len(answered)} of {len(requests)} requests ({what}) |")
    print(f"| the cases as configured | {max(answered[r] for r in requests[:cases]):.0f} s after the start |")
    print(f"| every stop | {max(answered.values()):.0f} s after the start |")
    print(f"| server's peak memory | {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB |")
    t0 = time.perf_counter()
    job = queue.submit(requests[-1])
    assert job.finished and job.state == "done"
    waited = 1000 * (time.perf_counter() - t0)
    print(f"| a session asks for a stop | answered in {waited:.1f} ms by the queue |")
    print(f"\n{os.cpu_count()} cores, {queue.workers} workers")
    queue.stop()


if __name__ == "__main__":
    main()
