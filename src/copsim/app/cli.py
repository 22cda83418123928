"""``copsim-app``: start the what-if dashboard on this machine and print its address.

    copsim-app                      # http://127.0.0.1:8501, this machine only
    copsim-app --host 0.0.0.0 --port 8080
    copsim-app --workers 2          # run each request's replicates in 2 processes

Streamlit serves the page fully offline: it runs headless (opens no browser), collects no usage
statistics, and serves its bundled front end (no CDN).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .runner import WORKERS_ENV

PAGE = Path(__file__).with_name("page.py")


def streamlit_args(host: str, port: int) -> list[str]:
    """Arguments for ``streamlit run``: the page, the address, and the offline/safety settings."""
    return [
        "run",
        str(PAGE),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--client.showErrorDetails",
        "false",
        "--theme.base",
        "light",
    ]


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host``/``--port``, print the address, and serve the page until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="copsim-app", description="copsim's what-if dashboard")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: this machine only)")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes that run a request's replicates side by side (default 1: one "
        "background thread per request; same numbers either way)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port: {args.port} is out of range; allowed 1 to 65535")
    if not 1 <= args.workers <= 256:
        parser.error(f"--workers: {args.workers} is out of range; allowed 1 to 256")
    os.environ[WORKERS_ENV] = str(args.workers)
    print(f"copsim-app: open http://{args.host}:{args.port} in your browser (Ctrl+C stops it)", flush=True)
    from streamlit.web import cli as stcli

    sys.exit(stcli.main(streamlit_args(args.host, args.port), prog_name="streamlit", standalone_mode=True))


if __name__ == "__main__":
    main()
