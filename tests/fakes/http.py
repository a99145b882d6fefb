"""What every fake HTTP server does alike: serve from a thread, answer with a body or hang up,
read Basic credentials, take the next injected fault."""

from __future__ import annotations

import base64
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


def answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
           headers: dict[str, str] | None = None) -> None:
    """Send a complete answer; a client that went away is not an error."""
    handler.send_response(status)
    if body:
        handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    try:
        handler.end_headers()
        if body:
            handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True  # the client went away; nothing to answer


def hang_up(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection without answering (a dropped connection)."""
    handler.close_connection = True
    try:
        handler.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class QuietHandler(BaseHTTPRequestHandler):
    """An HTTP/1.1 handler that logs nothing (answers carry Content-Length: see :func:`answer`)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """Bind 127.0.0.1 on a free port and serve ``handler`` from a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def shutdown(server: ThreadingHTTPServer | None) -> None:
    """Stop serving and close the listening socket (None: nothing to do)."""
    if server is not None:
        server.shutdown()
        server.server_close()


class Served:
    """Life of a fake whose HTTP handler class reads the fake from its ``fake`` attribute."""

    handler: type[BaseHTTPRequestHandler]
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Self:
        """Serve on 127.0.0.1, a free port, from a daemon thread. Returns self."""
        self._server = serve(type("Handler", (self.handler,), {"fake": self}))
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        shutdown(self._server)
        self._server = None

    @property
    def port(self) -> int:
        """The port served on."""
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])


def take(faults: list[Any], lock: Any) -> Any:
    """Consume one unit of the first pending fault (anything with ``remaining``), or None."""
    with lock:
        for pending in faults:
            if pending.remaining > 0:
                pending.remaining -= 1
                return pending
    return None


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, password) of an ``Authorization: Basic`` header, or None."""
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password
