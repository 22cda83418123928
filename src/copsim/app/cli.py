"""``copsim-app``: start the what-if dashboard on this machine and print its address.

    copsim-app                      # http://127.0.0.1:8501, this machine only
    copsim-app --port 8080
    copsim-app --host 0.0.0.0       # reachable from the network: no login, think first
    copsim-app --workers 1          # simulate in one background thread instead of processes

Every argument is checked before anything starts: a bad address, a port out of range or already
in use, or a bad worker count prints one line and exits with status 2, before the address is
printed. A host other than this machine's loopback prints a warning: the dashboard has no login.
The page is served fully offline (see :mod:`copsim.app.server`).
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import sys

from .runner import PREFETCH_ENV, WORKERS_ENV
from .server import WILDCARDS, is_loopback


class AddressError(Exception):
    """The address or port cannot be served; the message is one line naming the option."""


def check_address(host: str, port: int) -> None:
    """Bind ``host:port`` once, as the server will, and raise AddressError if that fails.

    A numeric address is parsed before anything else, so a malformed one (``999.1.1.1``) is
    never sent to a name server.
    """
    looks_numeric = all(c.isdigit() or c in ".:[]" for c in host)
    if looks_numeric:
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            raise AddressError(f"--host: {host!r} is not a valid IP address") from None
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressError(f"--host: {host!r} is not an address or name of this machine") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AddressError(
                    f"--port: {port} is already in use on {host}; choose another with --port"
                ) from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise AddressError(
                    f"--port: {port} needs privileges on this machine; use 1024 or above"
                ) from None
            raise AddressError(
                f"--host: {host!r} is not an address of this machine ({exc.strerror})"
            ) from None


def browser_address(host: str, port: int) -> str:
    """The address to print: the host itself, or this machine's name for a wildcard bind."""
    if host in WILDCARDS:
        host = socket.gethostname()  # local; no lookup over the network
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def fail(message: str) -> None:
    """One line on standard error, exit status 2 (as argparse does for a bad option)."""
    print(f"copsim-app: error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    """Check ``--host``/``--port``/``--workers``, print the address, and serve the page until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="copsim-app", description="copsim's what-if dashboard")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: this machine only)")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, os.cpu_count() or 1),
        help="worker processes that simulate a request's runs side by side (default: one per core; "
        "1: one background thread; same numbers either way)",
    )
    parser.add_argument(
        "--prefetch",
        action="store_true",
        help="answer each case as configured and every coordinator-slider stop ahead, while nobody "
        "waits (about 5 minutes of every core after the start; then those answer at once)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        fail(f"--port: {args.port} is out of range; allowed 1 to 65535")
    if not 1 <= args.workers <= 256:
        fail(f"--workers: {args.workers} is out of range; allowed 1 to 256")
    try:
        check_address(args.host, args.port)
    except AddressError as exc:
        fail(str(exc))
    os.environ[WORKERS_ENV] = str(args.workers)
    os.environ[PREFETCH_ENV] = "1" if args.prefetch else "0"
    if not is_loopback(args.host):
        print(
            f"copsim-app: warning: listening on {args.host}, not only on this machine. The dashboard "
            "has no login: anyone who can reach this address can run simulations here.",
            file=sys.stderr,
            flush=True,
        )
    print(
        f"copsim-app: open {browser_address(args.host, args.port)} in your browser (Ctrl+C stops it)",
        flush=True,
    )
    from .server import serve

    serve(args.host, args.port)


if __name__ == "__main__":
    main()
