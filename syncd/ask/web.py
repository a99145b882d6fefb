"""The status page, served by the daemon with the standard library's ``http.server``.

Why the standard library: one owner, a handful of requests a day, no dependency to keep up.
One request at a time (``HTTPServer``, not the threading variant) keeps the state access
single-threaded in this thread; a socket timeout keeps one slow client from holding it.

Every request, reading too, must carry the per-install secret as the first path segment
(compared in constant time); the Host header must be an IP literal or ``localhost`` with our
port (a DNS-rebinding page has a name of its own); changes are POSTs from a page of our own
origin; no CORS headers are ever sent. So a web page in the owner's browser, a rebinding page
or another local user can neither read nor act.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from syncd.ask.address import PORT_KEY, secret
from syncd.config import Config

if TYPE_CHECKING:
    from syncd.ask.asker import Asker
    from syncd.ask.questions import Question
    from syncd.plan import Interview

log = logging.getLogger(__name__)

MAX_BODY = 4096
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def host_allowed(header: str | None, port: int) -> bool:
    """True for ``localhost:PORT`` or ``IP:PORT`` (any IP literal), the only names we answer to."""
    if not header:
        return False
    host, sep, given = header.rpartition(":")
    if not sep or given != str(port):
        return False
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if host.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class PageServer:
    """The page's HTTP server in a daemon thread; a channel that shows rather than sends.

    Binds in the constructor (so a taken port is reported at start-up), serves from ``start``.
    Raises OSError when it cannot bind.
    """

    name = "web"
    asker: Asker

    def __init__(self, config: Config):
        self.config = config
        self.secret = secret(config)
        host, port = config.web["listen"]
        handler = type("Handler", (PageHandler,), {"page": self})
        self.httpd = HTTPServer((host, port), handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.5},
                                       name="syncd-web", daemon=True)

    def start(self, asker: Asker) -> None:
        """Serve in the background; answers go to ``asker``."""
        self.asker = asker
        with asker.state() as state:
            state.set_setting(PORT_KEY, str(self.port))
        self.thread.start()
        log.info("Status page at http://%s:%s/ (the full address with its secret: syncd status)",
                 *self.config.web["listen"])

    def send(self, question: Question, interview: Interview, reminder: bool) -> str | None:
        """The page shows open questions by itself: nothing to send."""
        return None

    def withdraw(self, question: Question) -> None:
        """The page shows the answer by itself: nothing to withdraw."""

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(5)
        self.httpd.server_close()


class PageHandler(BaseHTTPRequestHandler):
    """One request: check Host and secret first, then show the page or take an answer."""

    page: PageServer
    timeout = 10
    server_version = "syncd"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        log.debug("web: %s", format % args)  # the path holds the secret: redacted by the filter

    def _authorised(self) -> str | None:
        """The path after the secret, or None (and an answer already sent) when refused."""
        if not host_allowed(self.headers.get("Host"), self.page.port):
            self._plain(HTTPStatus.MISDIRECTED_REQUEST, "Unknown host name.")
            return None
        path = urlsplit(self.path).path
        given, _, rest = path.lstrip("/").partition("/")
        if not hmac.compare_digest(given.encode(), self.page.secret.encode()):
            self._plain(HTTPStatus.NOT_FOUND, "Not found. Open the address that `syncd status` prints.")
            return None
        return rest

    def do_GET(self) -> None:
        rest = self._authorised()
        if rest is None:
            return
        if rest not in ("", "index.html"):
            self._plain(HTTPStatus.NOT_FOUND, "Not found.")
            return
        from syncd.ask.page import render_page

        said = parse_qs(urlsplit(self.path).query).get("said", [""])[0]
        with self.page.asker.state() as state:
            body = render_page(self.page.config, state, datetime.now(timezone.utc), said)
        self._send(HTTPStatus.OK, body.encode(), "text/html; charset=utf-8")

    def do_POST(self) -> None:
        rest = self._authorised()
        if rest is None:
            return
        if not self._same_origin():
            self._plain(HTTPStatus.FORBIDDEN, "Cross-site requests are refused.")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY or self.headers.get_content_type() != "application/x-www-form-urlencoded":
            self._plain(HTTPStatus.BAD_REQUEST, "Expected a small form.")
            return
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        from syncd.ask.page import handle_form

        status, said = handle_form(self.page.config, self.page.asker, rest, form, datetime.now(timezone.utc))
        if status != HTTPStatus.OK:
            self._plain(status, said)
            return
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", f"/{self.page.secret}/?said={said}")
        self.send_header("Content-Length", "0")
        self._security_headers()
        self.end_headers()

    def do_PUT(self) -> None:
        self._plain(HTTPStatus.METHOD_NOT_ALLOWED, "GET or POST only.")

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def _same_origin(self) -> bool:
        """Browsers say where a form came from; refuse anything but our own page."""
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return False
        origin = self.headers.get("Origin")
        return origin is None or origin == f"http://{self.headers.get('Host')}"

    def _plain(self, status: HTTPStatus, text: str) -> None:
        self._send(status, (text + "\n").encode(), "text/plain; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self._security_headers()
        self.end_headers()
        self.wfile.write(body)

    def _security_headers(self) -> None:
        for name, value in HEADERS.items():
            self.send_header(name, value)
