"""Servers that never finish answering, on 127.0.0.1, for the bounded-cycle tests.

``StallingServer("silent")`` accepts a connection, reads the request and never says a word;
``StallingServer("trickle")`` answers with one byte every ``every`` seconds, forever, so that
no socket read ever times out. Both hold every connection until :meth:`StallingServer.stop`.
``requests`` is set once the first request has arrived, for tests that wait for that moment.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

from tests.proxy import drop_connections

HOST = "127.0.0.1"
TRICKLE = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Padding: " + b"x" * 100_000


@dataclass
class StallingServer:
    """A server that accepts and then stalls (``mode`` "silent" or "trickle")."""

    mode: str = "silent"
    every: float = 2.0
    lifetime: float = 300.0
    accepted: int = 0
    requests: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._clients: list[socket.socket] = []
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(0.2)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://{HOST}:{self._listener.getsockname()[1]}/"

    def start(self) -> StallingServer:
        """Serve from daemon threads until stopped (or ``lifetime`` seconds). Returns self."""
        threading.Thread(target=self._accept, daemon=True, name="stalling-accept").start()
        timer = threading.Timer(self.lifetime, self.stop)
        timer.daemon = True
        timer.start()
        return self

    def stop(self) -> None:
        """Stop and drop every connection; idempotent."""
        self._stopped.set()
        with self._lock:
            clients, self._clients = self._clients, []
        drop_connections(clients)
        for sock in clients:
            sock.close()

    def __enter__(self) -> StallingServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self) -> None:
        try:
            while not self._stopped.is_set():
                try:
                    conn, _ = self._listener.accept()
                except TimeoutError:
                    continue
                with self._lock:
                    self._clients.append(conn)
                    self.accepted += 1
                threading.Thread(target=self._serve, args=(conn,), daemon=True,
                                 name="stalling-conn").start()
        except OSError:
            pass
        finally:
            self._listener.close()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(1.0)
            data = b""
            while b"\r\n\r\n" not in data and not self._stopped.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                data += chunk
            self.requests.set()
            for byte in TRICKLE if self.mode == "trickle" else b"":
                if self._stopped.wait(self.every):
                    return
                conn.sendall(bytes([byte]))
            self._stopped.wait()
        except OSError:
            return
