"""The web server behind ``copsim-app``: Streamlit's own server, its options, and a guard in front.

The page is served by :class:`streamlit.App` (Streamlit's server as an ASGI app) so that
:class:`LocalGuard` can sit in front of it:

* ``/_stcore/metrics`` (Streamlit's statistics of sessions and caches) answers only requests
  from this machine; from anywhere else it is "404 Not Found";
* a websocket from another site (an ``Origin`` that is not the address the page was loaded
  from) is refused before Streamlit sees it, so Streamlit never tries to work out this machine's
  outside address to compare it with (its fallback asks checkip.amazonaws.com).

:func:`streamlit_options` turns off everything else that would reach outside or load the server:
usage statistics, the welcome banner (it looks up this machine's internal and external address
for a server bound to every interface), the file watcher, and the garbage collection Streamlit
runs after every script run (``runner.postScriptGC``: with several sessions polling a running
request, it held the interpreter most of the time, issue #19).
"""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import Path
from typing import Any

PAGE = Path(__file__).with_name("page.py")
METRICS_PATH = "/_stcore/metrics"
#: addresses that mean "every interface"
WILDCARDS = ("0.0.0.0", "::")


def is_loopback(host: str) -> bool:
    """True for an address (or ``localhost``) that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def streamlit_options(host: str, port: int) -> dict[str, Any]:
    """Streamlit's options for the dashboard: the address, and the offline and load settings."""
    return {
        "server.address": host,
        "server.port": port,
        "server.headless": True,  # opens no browser
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "browser.gatherUsageStats": False,  # sends no usage statistics
        # the address Streamlit uses for its own checks, so it never looks this machine's up
        "browser.serverAddress": "localhost" if host in WILDCARDS else host,
        "logger.hideWelcomeMessage": True,  # copsim-app prints the address itself
        "global.developmentMode": False,
        "runner.postScriptGC": False,  # no full garbage collection after every script run
        "client.toolbarMode": "minimal",
        "client.showErrorDetails": False,
        "theme.base": "light",
    }


class LocalGuard:
    """ASGI middleware: metrics for this machine only; websockets from the page's own origin only."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith(METRICS_PATH):
            client = (scope.get("client") or ("", 0))[0]
            if not is_loopback(client):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 404,
                        "headers": [(b"content-type", b"text/plain")],
                    }
                )
                await send({"type": "http.response.body", "body": b"Not Found"})
                return
        if scope["type"] == "websocket" and not same_origin(scope):
            await send({"type": "websocket.close", "code": 1008})  # before accepting: HTTP 403
            return
        await self.app(scope, receive, send)


def same_origin(scope) -> bool:
    """The websocket's ``Origin`` is the address its page came from (or there is no ``Origin``)."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    origin = headers.get("origin")
    if origin is None:
        return True
    from urllib.parse import urlparse

    return urlparse(origin).netloc == headers.get("host")


@contextlib.asynccontextmanager
async def lifespan(_app):
    """At the start, start the queue (its workers, and the answers it computes ahead); on
    shutdown (Ctrl+C, SIGTERM), cancel queued requests and stop the worker processes."""
    from .runner import dispatcher, shutdown

    dispatcher()
    yield
    shutdown()


def serve(host: str, port: int) -> None:
    """Serve the page on ``host:port`` until stopped (Ctrl+C)."""
    import streamlit as st
    from starlette.middleware import Middleware

    app = st.App(str(PAGE), middleware=[Middleware(LocalGuard)], lifespan=lifespan)
    app.run(config=streamlit_options(host, port))
