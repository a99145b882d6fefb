"""What every fake HTTP server's handler does alike: answer with a body, or hang up."""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler


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
