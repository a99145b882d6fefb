"""A fault-injecting HTTP/1.1 proxy on 127.0.0.1, for the daemon's fault-injection tests.

Put a :class:`FaultProxy` between a client and a test server (Radicale, Xandikos, the Google
fake) and point the client at :attr:`FaultProxy.url`. Every request on a connection is read
whole (request line, headers, a ``Content-Length`` or chunked body) and handled on its own,
so kept-alive connections work. With probability ``rate`` (decided by a seeded RNG) the
request meets one fault instead of a clean answer:

``500``, ``503``
    an error status, without ``Retry-After``;
``429``
    too many requests, with ``Retry-After: 0`` (or ``1`` one time in four);
``reset``
    the connection is reset (``SO_LINGER`` 0) before anything is forwarded;
``half``
    the request is forwarded, the answer's headers and half of its body are sent, then the
    connection is closed;
``stall``
    nothing is forwarded and nothing is ever answered: the connection is held until the
    client gives up on it (or ``stall_seconds`` pass, or the proxy stops);
``trickle``
    nothing is forwarded; the start of an answer is sent one byte every ``trickle_every``
    seconds, so that no read on the client's side ever times out, for as long as a stall;
``lost-write``
    for writes only (PUT, POST, PATCH, DELETE): the request is forwarded and carried out,
    then the connection is reset without answering. The write happened; the client never
    heard of it.

Faults are counted by kind (:attr:`FaultProxy.faults`), every write request is logged with
its fate (:attr:`FaultProxy.writes`), and the whole thing can be switched on and off at run
time (:attr:`FaultProxy.rate`) or pointed at another upstream (:attr:`FaultProxy.upstream`),
for a server that was restarted on a new port. When the upstream cannot be reached the
client's connection is reset, as if the server itself were gone.

Only the standard library is used: one thread accepts, one thread serves each connection.
The proxy stops itself after ``lifetime`` seconds at the latest.
"""

from __future__ import annotations

import random
import select
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.proxy import drop_connections

HOST = "127.0.0.1"
WRITES = frozenset({"PUT", "POST", "PATCH", "DELETE"})
FAULT_KINDS = ("500", "503", "429", "reset", "half", "stall", "trickle", "lost-write")
DEFAULT_WEIGHTS = {"500": 1.0, "503": 1.0, "429": 1.0, "reset": 1.0, "half": 1.0,
                   "stall": 0.2, "trickle": 0.2, "lost-write": 3.0}
TRICKLE = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Padding: " + b"x" * 65536
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "content-length", "expect"}
MAX_HEADER_LINES = 200
IO_TIMEOUT = 30.0  # the longest the proxy waits on either side for one read


class Malformed(Exception):
    """The peer sent something that is not an HTTP/1.1 message (or closed mid-message)."""


@dataclass
class Message:
    """One parsed HTTP message: the start line, the header lines as sent, the whole body."""

    start: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def encode(self, extra: list[tuple[str, str]] | None = None, length: bool = True) -> bytes:
        """The message as bytes: hop-by-hop headers dropped, ``extra`` added, a Content-Length."""
        lines = [self.start] + [f"{k}: {v}" for k, v in self.headers if k.lower() not in HOP_BY_HOP]
        lines += [f"{k}: {v}" for k, v in extra or []]
        if length:
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


def read_message(stream, *, response_to: str | None = None) -> Message | None:
    """Read one HTTP/1.1 message from a binary file object.

    Returns None on a clean end of stream before the start line. ``response_to`` is the
    request method when reading a response (a HEAD answer, 1xx, 204 and 304 have no body).
    Raises Malformed on anything else that is not a complete message.
    """
    start = stream.readline(65537)
    while start in (b"\r\n", b"\n"):  # tolerate stray blank lines between messages
        start = stream.readline(65537)
    if not start:
        return None
    if not start.endswith(b"\n"):
        raise Malformed("truncated start line")
    headers = _read_headers(stream)
    message = Message(start.decode("latin-1").rstrip("\r\n"), headers, b"")
    message.body = _read_body(stream, message, response_to)
    return message


def _read_headers(stream) -> list[tuple[str, str]]:
    headers = []
    for _ in range(MAX_HEADER_LINES):
        line = stream.readline(65537)
        if not line or not line.endswith(b"\n"):
            raise Malformed("truncated headers")
        if line in (b"\r\n", b"\n"):
            return headers
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise Malformed(f"bad header line {line[:80]!r}")
        headers.append((name.strip(), value.strip()))
    raise Malformed("too many header lines")


def _read_body(stream, message: Message, response_to: str | None) -> bytes:
    if response_to is not None:
        status = int(message.start.split()[1])
        if response_to == "HEAD" or status < 200 or status in (204, 304):
            return b""
    if "chunked" in (message.header("Transfer-Encoding") or "").lower():
        return _read_chunked(stream)
    length = message.header("Content-Length")
    if length is not None:
        data = stream.read(int(length))
        if len(data) != int(length):
            raise Malformed("truncated body")
        return data
    return stream.read() if response_to is not None else b""  # a response ends at EOF


def _read_chunked(stream) -> bytes:
    parts = []
    while True:
        size_line = stream.readline(1024)
        if not size_line.endswith(b"\n"):
            raise Malformed("truncated chunk size")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            _read_headers(stream)  # trailers, up to the blank line
            return b"".join(parts)
        chunk = stream.read(size + 2)
        if len(chunk) != size + 2:
            raise Malformed("truncated chunk")
        parts.append(chunk[:size])


def reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset instead of an orderly shutdown."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


@dataclass
class FaultProxy:
    """A proxy to ``upstream`` (``http://127.0.0.1:PORT``) that injects faults.

    ``rate`` is the share of requests that meet a fault (0 switches faults off);
    ``weights`` the relative frequency of each kind; ``stall_seconds`` the longest a stall
    or a trickle holds a connection, ``trickle_every`` the seconds between a trickle's bytes.
    ``faults`` counts injected faults by kind, ``requests`` every request seen, and ``writes``
    records (method, path, fate) of every write, fate being "ok" or a fault kind.
    """

    upstream: str
    rate: float = 0.0
    seed: int = 0
    stall_seconds: float = 300.0
    trickle_every: float = 2.0
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    lifetime: float = 900.0
    name: str = "proxy"
    faults: Counter = field(default_factory=Counter)
    requests: int = 0
    unreachable: int = 0
    writes: list[tuple[str, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._clients: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    # -- life -------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Listen on a free 127.0.0.1 port and serve from daemon threads. Returns self."""
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(0.2)
        deadline = time.monotonic() + self.lifetime
        threading.Thread(target=self._accept, args=(deadline,), daemon=True,
                         name=f"{self.name}-accept").start()
        return self

    def stop(self) -> None:
        """Stop accepting and drop every open connection; idempotent."""
        self._stopped.set()
        with self._lock:
            clients, self._clients = list(self._clients), set()
        drop_connections(clients)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The proxy's base URL, ``http://127.0.0.1:PORT/``."""
        assert self._listener is not None, "start() the proxy first"
        return f"http://{HOST}:{self._listener.getsockname()[1]}/"

    def summary(self) -> dict[str, object]:
        """Requests seen, faults injected by kind, writes and lost writes, as plain values."""
        with self._lock:
            return {"requests": self.requests, "faults": dict(sorted(self.faults.items())),
                    "writes": len(self.writes), "unreachable": self.unreachable}

    # -- serving ----------------------------------------------------------------------------

    def _accept(self, deadline: float) -> None:
        assert self._listener is not None
        try:
            while not self._stopped.is_set() and time.monotonic() < deadline:
                try:
                    conn, _ = self._listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                conn.settimeout(IO_TIMEOUT)
                with self._lock:
                    self._clients.add(conn)
                threading.Thread(target=self._serve, args=(conn,), daemon=True,
                                 name=f"{self.name}-conn").start()
        finally:
            self._listener.close()
            self.stop()

    def _serve(self, conn: socket.socket) -> None:
        """Answer requests on one client connection until it closes or a fault ends it."""
        stream = conn.makefile("rb")
        try:
            while not self._stopped.is_set():
                request = read_message(stream)
                if request is None or not self._handle(conn, request):
                    return
        except (OSError, Malformed, ValueError):
            return
        finally:
            stream.close()
            with self._lock:
                self._clients.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def _choose(self, method: str) -> str | None:
        """Count the request and decide its fault (None: answer it cleanly)."""
        with self._lock:
            self.requests += 1
            if self.rate <= 0 or self._rng.random() >= self.rate:
                return None
            kinds = [k for k in FAULT_KINDS if k != "lost-write" or method in WRITES]
            kind = self._rng.choices(kinds, [self.weights.get(k, 0.0) for k in kinds])[0]
            self.faults[kind] += 1
            return kind

    def _retry_after(self) -> str:
        with self._lock:
            return "1" if self._rng.random() < 0.25 else "0"

    def _handle(self, conn: socket.socket, request: Message) -> bool:
        """Answer one request (or fail it). Returns whether the connection stays open."""
        method, _, rest = request.start.partition(" ")
        path = rest.rsplit(" ", 1)[0]
        kind = self._choose(method)
        if method in WRITES:
            with self._lock:
                self.writes.append((method, path, kind or "ok"))
        if kind in ("500", "503", "429"):
            extra = [("Retry-After", self._retry_after())] if kind == "429" else []
            return self._canned(conn, int(kind), extra, request)
        if kind == "reset":
            reset(conn)
            return False
        if kind in ("stall", "trickle"):
            self._hold(conn, TRICKLE if kind == "trickle" else b"")
            return False
        answer = self._forward(request, method)
        if answer is None:
            with self._lock:
                self.unreachable += 1
            reset(conn)
            return False
        if kind == "lost-write":
            reset(conn)
            return False
        closing = (request.header("Connection") or "").lower() == "close"
        data = answer.encode([("Connection", "close")] if closing else [],
                             length=method != "HEAD")
        if kind == "half":
            conn.sendall(_half(data, len(answer.body)))
            return False
        conn.sendall(data)
        return not closing

    def _hold(self, conn: socket.socket, drip: bytes) -> None:
        """Answer nothing (or ``drip``, a byte at a time) until the client hangs up, the proxy
        stops, or ``stall_seconds`` pass."""
        deadline = time.monotonic() + self.stall_seconds
        sent = 0
        while not self._stopped.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([conn], [], [], self.trickle_every)
            try:
                if readable and not conn.recv(65536):
                    return  # the client gave up on the request
                if sent < len(drip):
                    conn.sendall(drip[sent:sent + 1])
                    sent += 1
            except OSError:
                return

    def _canned(self, conn: socket.socket, status: int, extra: list[tuple[str, str]],
                request: Message) -> bool:
        reason = {500: "Internal Server Error", 503: "Service Unavailable",
                  429: "Too Many Requests"}[status]
        body = f"{status} {reason} (injected by the test proxy)\n".encode()
        answer = Message(f"HTTP/1.1 {status} {reason}",
                         [("Content-Type", "text/plain; charset=utf-8"), *extra], body)
        closing = (request.header("Connection") or "").lower() == "close"
        conn.sendall(answer.encode([("Connection", "close")] if closing else []))
        return not closing

    def _forward(self, request: Message, method: str) -> Message | None:
        """Send the request upstream on a fresh connection; None when it cannot be reached."""
        target = urlsplit(self.upstream)
        headers = [(k, v) for k, v in request.headers if k.lower() != "host"]
        outgoing = Message(request.start, [("Host", target.netloc), *headers], request.body)
        try:
            with socket.create_connection((target.hostname or HOST, target.port or 80),
                                          timeout=IO_TIMEOUT) as upstream:
                upstream.sendall(outgoing.encode([("Connection", "close")]))
                with upstream.makefile("rb") as stream:
                    answer = read_message(stream, response_to=method)
                    while answer is not None and answer.start.split()[1].startswith("1"):
                        answer = read_message(stream, response_to=method)  # skip 1xx
        except (OSError, Malformed, ValueError):
            return None
        return answer


def _half(data: bytes, body_length: int) -> bytes:
    """Headers and half of the body, or half of the headers when there is hardly a body."""
    if body_length >= 2:
        return data[:len(data) - body_length + body_length // 2]
    return data[:max(1, (len(data) - body_length) // 2)]
