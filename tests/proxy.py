"""A counting, fault-injecting HTTP proxy for tests and benchmarks, without pytest.

:class:`CountingProxy` runs in a thread of the current process: point a client at its
``url`` instead of the server's, read ``counts``/``log``, add ``rules`` to answer in the
server's place (status codes, dropped connections). :class:`ProxyProcess` runs one in a
process of its own, for measurements where the proxy must not share the client's CPU.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.servers import HOST, connection, request

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length"}
CONTROL_PATH = "/.proxy/"

# A rule sees (method, path, body) and returns None to pass the request on, a canned
# (status, headers, body) answer, or DROP to close the connection without any answer.
DROP = "drop"
Rule = Callable[[str, str, bytes], "tuple[int, dict[str, str], bytes] | str | None"]


def drop_connections(sockets: list[socket.socket]) -> None:
    """Shut down client sockets the way a dying server would; already-closed ones are fine."""
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


@dataclass
class CountingProxy:
    """An HTTP proxy on 127.0.0.1 that counts requests and can answer in the server's place.

    Point a client at ``proxy.url`` instead of the server's URL. ``counts`` is a Counter of
    methods, ``log`` the (method, path) of every request. ``rules`` are consulted in order
    for each request; the first that returns an answer wins (fault injection).
    """

    upstream: str
    rules: list[Rule] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    log: list[tuple[str, str]] = field(default_factory=list)
    in_flight: Counter = field(default_factory=Counter)  # method -> requests not yet answered
    peak: Counter = field(default_factory=Counter)  # method -> most ever in flight at once
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _clients: set = field(default_factory=set)  # open client sockets, closed on stop()

    def start(self) -> CountingProxy:
        """Start serving in a daemon thread; return self."""
        self._server = ThreadingHTTPServer((HOST, 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    @property
    def url(self) -> str:
        """The proxy's base URL (same path layout as the upstream server)."""
        assert self._server is not None, "start() the proxy first"
        return f"http://{HOST}:{self._server.server_address[1]}/"

    def total(self) -> int:
        """Number of requests seen so far."""
        return sum(self.counts.values())

    def reset(self) -> None:
        """Forget the counts, the log and the peaks."""
        with self._lock:
            self.counts.clear()
            self.log.clear()
            self.peak.clear()

    def control(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Answer ``/.proxy/counts`` and ``/.proxy/reset`` (not counted), for :class:`ProxyProcess`."""
        if path == CONTROL_PATH + "reset":
            self.reset()
        with self._lock:
            data = json.dumps(dict(self.counts)).encode()
        return 200, {"Content-Type": "application/json"}, data

    def record(self, method: str, path: str) -> None:
        """Count one request, now in flight (called by the handler threads)."""
        with self._lock:
            self.counts[method] += 1
            self.log.append((method, path))
            self.in_flight[method] += 1
            self.peak[method] = max(self.peak[method], self.in_flight[method])

    def answered(self, method: str) -> None:
        """A request recorded earlier has been answered (or dropped)."""
        with self._lock:
            self.in_flight[method] -= 1

    def stop(self) -> None:
        """Stop serving and drop open client connections, like a dead server; idempotent."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            clients, self._clients = list(self._clients), set()
        drop_connections(clients)

    def __enter__(self) -> CountingProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_for(proxy: CountingProxy) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"proxy": proxy, "target": urlsplit(proxy.upstream)})


class _Handler(BaseHTTPRequestHandler):
    """Relays each request to the upstream server over one kept-alive connection."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real clients expect
    proxy: CountingProxy
    target: Any
    upstream: http.client.HTTPConnection | None = None

    def log_message(self, format: str, *args: object) -> None:
        pass  # the counts are the log; stderr noise would drown test output

    def setup(self) -> None:
        super().setup()
        with self.proxy._lock:
            self.proxy._clients.add(self.connection)

    def finish(self) -> None:
        super().finish()
        with self.proxy._lock:
            self.proxy._clients.discard(self.connection)
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None

    def forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith(CONTROL_PATH):
            self._reply(*self.proxy.control(self.path))
            return
        self.proxy.record(self.command, self.path)
        try:
            for rule in list(self.proxy.rules):
                answer = rule(self.command, self.path, body)
                if answer == DROP:
                    self.close_connection = True  # as if the server died mid-request
                    return
                if answer is not None:
                    self._reply(*answer)  # type: ignore[misc]
                    return
            self._reply(*self._relay(body))
        finally:
            self.proxy.answered(self.command)

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_PROPPATCH = do_REPORT = forward
    do_MKCALENDAR = do_MKCOL = do_OPTIONS = do_POST = do_MOVE = do_COPY = forward

    def _relay(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = self.target.netloc
        for _attempt in (1, 2):  # a kept-alive upstream connection may have been closed
            if self.upstream is None:
                self.upstream = connection(self.target.scheme, self.target.hostname or HOST,
                                           self.target.port, 120)
            try:
                self.upstream.request(self.command, self.path, body=body, headers=headers)
                resp = self.upstream.getresponse()
                return resp.status, dict(resp.getheaders()), resp.read()
            except (OSError, http.client.HTTPException):
                self.upstream.close()
                self.upstream = None
        return 502, {"Content-Type": "text/plain"}, b"upstream unreachable"

    def _reply(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in HOP_BY_HOP and key.lower() not in ("server", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ProxyProcess:
    """A :class:`CountingProxy` in its own process, so that it does not share the GIL (and
    the CPU time) of the client being measured. Counts are read over HTTP."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> ProxyProcess:
        """Start the proxy process and wait for it to print its URL; return self."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.proxy", self.upstream],
            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url:
            raise RuntimeError("the proxy process did not start")
        return self

    def counts(self) -> dict[str, int]:
        """Requests per method since the last reset."""
        return json.loads(request("GET", self.url + CONTROL_PATH[1:] + "counts")[2])

    def total(self) -> int:
        """Number of requests since the last reset."""
        return sum(self.counts().values())

    def reset(self) -> None:
        """Forget the counts."""
        request("GET", self.url + CONTROL_PATH[1:] + "reset")

    def stop(self) -> None:
        """Terminate the proxy process; idempotent."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=5)

    def __enter__(self) -> ProxyProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve_proxy(upstream: str) -> None:
    proxy = CountingProxy(upstream).start()
    print(proxy.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.proxy UPSTREAM_URL")
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _serve_proxy(sys.argv[1])
