"""Benchmark: the dashboard's click-to-headline time, for one user and for five users at once.

Starts ``copsim-app`` on a free local port exactly as users start it, opens browser sessions in
Debian's Chromium (Playwright, as the browser tests do), opens each on the same case and number
of runs through the page's own link (Rumble Strips and 10 runs unless ``--case``/``--runs``),
gives each session a coordinator time no other session of the benchmark asks for and that is
not the case's own (so no answer can be reused; the ensembles of the case as configured, the
reference and shared baseline of every such request, are reused as the page reuses them), and
presses **Run** in every session within a fraction of a second. It reports, per round, the
seconds from each click to that session's up-to-date headline (shown: the headline for the
settings asked is on the page) and to the finished page (the rest of the page drawn too, the
progress bar gone: the page's script run ended), and how many sessions got one before the time
limit. The warm-up round (40 hours a week) computes the case as configured at
the benchmark's number of runs. The server answers nothing ahead unless ``--prefetch SECONDS``
(``copsim-app --prefetch``), so by default every figure is for settings computed on the click
(``benchmarks/bench_prefetch.py`` measures the answers computed ahead).

    .venv/bin/python benchmarks/bench_app.py                 # one user, then five users
    .venv/bin/python benchmarks/bench_app.py --users 1 5 --runs 10 --limit 600
    .venv/bin/python benchmarks/bench_app.py --workers 2     # copsim-app --workers 2
    .venv/bin/python benchmarks/bench_app.py --case safecities --runs 20 --users 1 5  # issue #23
    .venv/bin/python benchmarks/bench_app.py --prefetch 330  # the slider's stops answered ahead

Prints a Markdown table for docs/PERFORMANCE.md. The machine's load average is printed with
it: on a shared machine, repeat a round that looks disturbed.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
]
#: coordinator times (hours per week) handed out to the sessions in turn, so that no two
#: sessions of a benchmark ask the same question (the page could otherwise reuse an answer)
HOURS = tuple(range(38, -1, -2))
#: a session's headline is shown when its page has a headline that is up to date (a link can
#: open a page on an answer kept for the case's own settings: moving the slider makes it out of
#: date); the page is finished when, besides, the progress bar is gone (Streamlit removes it when
#: the script run that draws the results ends, after the charts, cards, picture and exports)
SHOWN = (
    "() => !!document.querySelector('.st-key-headline')"
    " && !document.body.innerText.includes('These results are out of date')"
)
FINISHED = f"() => !document.querySelector('.st-key-progress') && ({SHOWN})()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(workers: int | None, prefetch: bool = False) -> tuple[subprocess.Popen, str]:
    """``copsim-app`` on a free port; returns the process and its address once it answers."""
    port = free_port()
    extra = ([] if workers is None else ["--workers", str(workers)]) + (["--prefetch"] if prefetch else [])
    proc = subprocess.Popen(
        [sys.executable, "-m", "copsim.app.cli", "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("bench_app: copsim-app did not come up within 120 s")


def set_hours(page, hours: int) -> None:
    """Move the coordinator-time slider with the keyboard (as the browser tests do)."""
    slider = page.get_by_role("slider", name="Coordinator time (hours per week)")
    current, step = float(slider.get_attribute("value")), float(slider.get_attribute("step"))
    slider.focus()
    key = "ArrowRight" if hours > current else "ArrowLeft"
    for _ in range(round(abs(hours - current) / step)):
        page.keyboard.press(key)
    page.wait_for_function(
        "h => Number(document.querySelector("
        "'input[aria-label=\"Coordinator time (hours per week)\"]').value) === h",
        arg=hours,
        timeout=20_000,
    )
    page.wait_for_timeout(1000)  # let the server receive the value


def one_round(
    browser, url: str, case: str, hours: list[int], runs: int, limit: float
) -> tuple[list[float | None], list[float | None]]:
    """One session per entry of ``hours``, each opened on ``case`` with ``runs`` runs by the
    page's own link; press Run in all; each session's seconds from click to headline shown, and
    to page finished (None: not within ``limit``)."""
    contexts, pages = [], []
    users = len(hours)
    for i in range(users):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(f"{url}/?case={case}&runs={runs}")
        page.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)
        set_hours(page, hours[i])
        slider = page.get_by_role("slider", name="Number of runs")
        if float(slider.get_attribute("value")) != runs:
            raise SystemExit(f"bench_app: the page did not take runs={runs} from its link")
        contexts.append(context)
        pages.append(page)
    clicked: list[float] = []
    for page in pages:
        page.get_by_role("button", name="Run", exact=True).click()
        clicked.append(time.perf_counter())
    shown: list[float | None] = [None] * users
    finished: list[float | None] = [None] * users
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline and any(t is None for t in finished):
        for i, page in enumerate(pages):
            for times, condition in ((shown, SHOWN), (finished, FINISHED)):
                if times[i] is None and page.evaluate(condition):
                    times[i] = time.perf_counter() - clicked[i]
        pages[0].wait_for_timeout(100)
    for context in contexts:
        context.close()
    return shown, finished


def spread(times: list[float | None], limit: float) -> str:
    done = [t for t in times if t is not None]
    if not done:
        return f"none within {limit:.0f} s"
    return f"{min(done):.1f} / {statistics.median(done):.1f} / {max(done):.1f}"


def row(users: int, runs: int, workers: int | None, shown, finished, limit: float) -> str:
    answered = sum(t is not None for t in shown)
    load = os.getloadavg()[0]
    return (
        f"| {users} | {runs} | {workers} | {answered} of {users} | {spread(shown, limit)} "
        f"| {spread(finished, limit)} | {load:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 5], help="sessions per round")
    parser.add_argument("--case", default="rumble_strips", help="the case every session runs")
    parser.add_argument("--runs", type=int, default=10, help="runs per user (the page's default, 10)")
    parser.add_argument("--workers", type=int, default=None, help="copsim-app --workers (default: its own)")
    parser.add_argument("--limit", type=float, default=600.0, help="seconds to wait for the headlines")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per number of users")
    parser.add_argument(
        "--prefetch",
        type=float,
        default=None,
        metavar="SECONDS",
        help="start the server with --prefetch and wait this long before the rounds",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    proc, url = start_app(args.workers, prefetch=args.prefetch is not None)
    lines = [
        "| users | runs each | workers | answered | click to headline shown, min / median / max (s) "
        "| click to page finished (s) | load average after |",
        "|---|---|---|---|---|---|---|",
    ]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            if args.prefetch is not None:
                time.sleep(args.prefetch)  # the server answers ahead from its start
            from copsim.app.levers import HOURS_PER_FTE, scenario_defaults

            own = scenario_defaults(args.case).coordinator.fte * HOURS_PER_FTE  # answered ahead
            hours = iter(h for h in HOURS if h != own)
            warm = one_round(browser, url, args.case, [40], args.runs, args.limit)  # compile, import, render
            print(f"warm-up round: {warm}", file=sys.stderr)
            for users in args.users:
                for _ in range(args.repeat):
                    chosen = [next(hours) for _ in range(users)]
                    shown, finished = one_round(browser, url, args.case, chosen, args.runs, args.limit)
                    lines.append(row(users, args.runs, args.workers, shown, finished, args.limit))
                    print(lines[-1], file=sys.stderr, flush=True)
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    import copsim

    print("\n".join(lines))
    print(
        f"\ncopsim {copsim.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores; "
        f"each user: {args.case}, {args.runs} runs, a coordinator time no other session asked for "
        f"(38, 36, ... h/week in turn)"
    )


if __name__ == "__main__":
    main()
