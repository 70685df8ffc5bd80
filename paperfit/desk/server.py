"""Serve the desk with cheroot, a pure-Python WSGI server that also serves TLS (so it runs the
same on Windows, macOS and Linux), on 127.0.0.1 unless asked for the practice's network.

Takes: the Flask app, an address and (for --lan) a certificate. Returns when stopped.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from flask import Flask

THREADS = 8


def lan_address() -> str:
    """This machine's address on the practice's network (no packet is sent: connecting a UDP
    socket only picks the route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def lan_names(address: str) -> list[str]:
    """The names a browser on the network may use to reach this machine."""
    host = socket.gethostname()
    return [address, host, f"{host}.local", socket.getfqdn()]


def make_server(
    app: Flask,
    host: str,
    port: int,
    cert: Path | None = None,
    key: Path | None = None,
) -> wsgi.Server:
    """A cheroot server for APP on HOST:PORT (0: any free port), HTTPS when CERT and KEY."""
    server = wsgi.Server((host, port), app, numthreads=THREADS, server_name="paperfit-desk")
    if cert is not None and key is not None:
        server.ssl_adapter = BuiltinSSLAdapter(str(cert), str(key))
    return server


class Running:
    """A server started in a thread (for tests and the benchmark): its port, and stop()."""

    def __init__(self, server: wsgi.Server) -> None:
        self.server = server
        self.server.prepare()
        self.thread = threading.Thread(target=server.serve, name="paperfit-desk", daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.bind_addr[1]

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(timeout=10)
