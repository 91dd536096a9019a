"""Serving the app with uvicorn on a socket of our own, so a busy port is a clear error."""

from __future__ import annotations

import socket
from pathlib import Path

import uvicorn

from arshif.search.errors import AddressInUseError
from arshif.search.web.app import create_app

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = ("0.0.0.0", "::", "")


def url(sock: socket.socket) -> str:
    """The address a browser opens to reach the server listening on `sock`."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def listen(host: str = LOOPBACK, port: int = 8080) -> socket.socket:
    """A listening socket on `host:port` (port 0: any free port)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise AddressInUseError(host, port, exc.strerror or str(exc)) from None


def server(index_dir: Path, *, log_level: str = "info") -> uvicorn.Server:
    """A uvicorn server for the index at `index_dir`; `.run(sockets=[listen(…)])` serves."""
    config = uvicorn.Config(
        create_app(index_dir),
        log_level=log_level,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)
