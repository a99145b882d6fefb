"""The fake Microsoft Graph: the v1.0 API on http, the identity platform on https.

``FakeGraph().start()`` binds two listeners on 127.0.0.1 (free ports); ``stop()`` closes them.
API requests need ``Authorization: Bearer <token>`` with a token the identity side issued
(``access_token``, or one from the token endpoint), else 401 ``InvalidAuthenticationToken``.
Every request is recorded (method, path, query, JSON body, Prefer and If-Match headers, the
status; never the Authorization header) so tests can prove what was written. Faults: error
answers with ``Retry-After`` (429 ``TooManyRequests``, 503 ``ServiceUnavailable``), dropped
connections, and a gate that holds requests to count how many are in flight at once.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import json
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import answer, hang_up
from tests.fakes.msgraph.delta import Deltas
from tests.fakes.msgraph.errors import GraphError
from tests.fakes.msgraph.identity import Identity
from tests.fakes.msgraph.routes import Raw, dispatch, needed_scope
from tests.fakes.msgraph.store import Mailbox


@dataclass
class Recorded:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any = None
    prefer: str = ""
    if_match: str | None = None
    status: int | None = None
    api: bool = True


@dataclass
class Fault:
    """A fault applied to the next ``remaining`` API requests."""

    kind: str  # "error" | "drop"
    remaining: int
    status: int = 0
    code: str = ""
    retry_after: str | None = None


@dataclass
class Gate:
    """Holds API requests while closed and counts them in flight."""

    open: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)
    in_flight: int = 0
    most: int = 0

    def __post_init__(self) -> None:
        self.open.set()

    def enter(self) -> None:
        """Count a request in, then wait while the gate is closed."""
        with self.changed:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.changed.notify_all()
        self.open.wait(timeout=30)

    def leave(self) -> None:
        """Count a request out."""
        with self.changed:
            self.in_flight -= 1
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        """Block until ``count`` requests are in flight; False if that never happens."""
        with self.changed:
            return self.changed.wait_for(lambda: self.in_flight >= count, timeout=timeout)


class FakeGraph:
    """One user's mailbox behind Graph v1.0 and the identity platform."""

    def __init__(self, address: str = "alex@contoso.example"):
        self.mailbox = Mailbox(address)
        self.deltas = Deltas(self.mailbox)
        self.identity = Identity(username=address)
        self.access_token = self.identity.issue_access_token()
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.gate = Gate()
        self._servers: list[ThreadingHTTPServer] = []
        self._folder = tempfile.TemporaryDirectory(prefix="syncd-graph-")
        self.ca_file = str(Path(self._folder.name) / "ca.pem")

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> FakeGraph:
        """Serve the API (http) and the identity platform (https). Returns self."""
        for tls in (False, True):
            handler = type("Handler", (_Handler,), {"fake": self, "tls": tls})
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            if tls:
                server.socket = _tls_context(self._folder.name, self.ca_file).wrap_socket(
                    server.socket, server_side=True)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                             daemon=True).start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        """Stop serving and release the gate."""
        self.gate.open.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []
        self._folder.cleanup()

    @property
    def url(self) -> str:
        """The API root, ``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self._servers[0].server_address[1]}/"

    @property
    def api_endpoint(self) -> str:
        """The value of an account's ``api_endpoint``."""
        return self.url + "v1.0/"

    @property
    def login_base(self) -> str:
        """The identity platform's root, ``https://127.0.0.1:PORT``."""
        return f"https://127.0.0.1:{self._servers[1].server_address[1]}"

    @property
    def authority(self) -> str:
        """The value of an account's ``authority``."""
        return self.login_base + "/organizations"

    # -- test helpers (no HTTP) -----------------------------------------------------------------

    def add_calendar(self, name: str, default: bool = False, can_edit: bool = True) -> str:
        """Add a calendar; returns its id."""
        with self.mailbox.lock:
            return str(self.mailbox.add_calendar(name, default, can_edit)["id"])

    def seed_event(self, cal_id: str, body: dict[str, Any], uid: str | None = None) -> dict:
        """Store an event as another client (Outlook, an invitation) would; returns it.
        ``uid`` is the iCalendar UID the invitation carried (wrapped in a GlobalObjectId)."""
        with self.mailbox.lock:
            return copy.deepcopy(self.mailbox.create_event(cal_id, copy.deepcopy(body), uid).body)

    def modify_event(self, event_id: str, changes: dict[str, Any]) -> dict:
        """A user's edit elsewhere: new changeKey and etag."""
        with self.mailbox.lock:
            return copy.deepcopy(self.mailbox.patch_event(event_id, changes, None).body)

    def remove_event(self, event_id: str) -> None:
        """Delete an event (or cancel one occurrence) directly."""
        with self.mailbox.lock:
            self.mailbox.delete_event(event_id, None)

    def events_of(self, cal_id: str) -> list[dict[str, Any]]:
        """Stored events and series masters of a calendar, with all extended properties."""
        with self.mailbox.lock:
            return [self.mailbox.render(i, {p.lower() for p in s.props})
                    for i, s in self.mailbox.items.items() if s.calendar == cal_id]

    def drafts(self) -> list[dict[str, Any]]:
        """Messages in the Drafts folder, with all extended properties."""
        with self.mailbox.lock:
            return [self.mailbox.render(i, {p.lower() for p in s.props})
                    for i, s in self.mailbox.messages.items()]

    def expire_delta_tokens(self, code: str = "SyncStateNotFound") -> None:
        """Make every issued delta and skip token answer 410 Gone with ``code``."""
        with self.mailbox.lock:
            self.deltas.expire(code)

    def replay_next_round(self) -> None:
        """The next incremental round repeats what it already delivered."""
        with self.mailbox.lock:
            self.deltas.replay = True

    def set_page_size(self, size: int) -> None:
        """Serve at most ``size`` entries per page."""
        self.deltas.page_limit = size

    def fail_next(self, count: int, status: int, code: str = "",
                  retry_after: str | None = None) -> None:
        """Answer the next ``count`` API requests with a Graph error."""
        default = {429: "TooManyRequests", 503: "ServiceUnavailable", 500: "InternalServerError",
                   504: "GatewayTimeout"}.get(status, "BadRequest")
        self.faults.append(Fault("error", count, status, code or default, retry_after))

    def drop_next(self, count: int) -> None:
        """Close the connection without answering the next ``count`` API requests."""
        self.faults.append(Fault("drop", count))

    def api_requests(self) -> list[Recorded]:
        """Recorded API requests (not sign-in ones)."""
        return [r for r in self.requests if r.api]

    def writes(self) -> list[Recorded]:
        """Recorded API requests that change something."""
        return [r for r in self.api_requests() if r.method in ("POST", "PATCH", "PUT", "DELETE")]

    def take_fault(self) -> Fault | None:
        """Consume one unit of the first pending fault."""
        with self.mailbox.lock:
            for fault in self.faults:
                if fault.remaining > 0:
                    fault.remaining -= 1
                    return fault
        return None


def _tls_context(folder: str, ca_file: str) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1 (also the CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    Path(ca_file).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = Path(folder) / "key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ca_file, str(key_file))
    return context


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGraph
    tls: bool
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = Recorded(self.command, parts.path, query, None, self.headers.get("Prefer", ""),
                          self.headers.get("If-Match"), api=not self.tls)
        with self.fake.mailbox.lock:
            self.fake.requests.append(record)
        if self.tls:
            return self._identity(record, parts.path, raw)
        try:
            record.body = json.loads(raw) if raw else None
        except ValueError:
            return self._send(record, 400, GraphError(400, "BadRequest", "Invalid JSON").body())
        self.fake.gate.enter()
        try:
            if self._apply_fault(record):
                return
            status, result = self._api(record, parts.path, query)
        except GraphError as exc:
            return self._send(record, exc.status, exc.body(), exc.headers)
        finally:
            self.fake.gate.leave()
        if isinstance(result, Raw):
            record.status = status
            return answer(self, status, result.content, result.content_type)
        self._send(record, status, b"" if result is None else json.dumps(result).encode())

    def _api(self, record: Recorded, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.fake.identity.access_tokens:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty." if not auth
                             else "Lifetime validation failed, the token is expired.",
                             headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'})
        if not path.startswith("/v1.0/"):
            raise GraphError(400, "BadRequest", "Invalid version")
        needed = needed_scope(path[len("/v1.0/"):])
        if needed not in self.fake.identity.scopes_of.get(auth[7:], set()):
            raise GraphError(403, "ErrorAccessDenied", f"Access is denied: the token lacks {needed}.")
        with self.fake.mailbox.lock:
            return dispatch(self.fake, self.command, path[len("/v1.0/"):], query, record.body,
                            record.prefer, record.if_match)

    def _identity(self, record: Recorded, path: str, raw: bytes) -> None:
        ident, base = self.fake.identity, self.fake.login_base
        form = {k: v[-1] for k, v in parse_qs(raw.decode(errors="replace")).items()}
        segments = path.strip("/").split("/")
        with self.fake.mailbox.lock:
            if path.endswith("/v2.0/.well-known/openid-configuration"):
                status, answer = 200, ident.discovery(base, segments[0])
            elif path == "/common/discovery/instance":
                status, answer = 200, {"tenant_discovery_endpoint":
                                       f"{base}/organizations/v2.0/.well-known/openid-configuration",
                                       "api-version": "1.1", "metadata": []}
            elif path.endswith("/oauth2/v2.0/devicecode") and self.command == "POST":
                status, answer = ident.device_code(form, base)
            elif path.endswith("/oauth2/v2.0/token") and self.command == "POST":
                status, answer = ident.token(form, base)
            else:
                status, answer = 404, {"error": "not_found"}
        self._send(record, status, json.dumps(answer).encode())

    def _apply_fault(self, record: Recorded) -> bool:
        fault = self.fake.take_fault()
        if fault is None:
            return False
        if fault.kind == "drop":
            record.status = 0
            hang_up(self)
            return True
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        message = {"TooManyRequests": "Too many requests, retry after some time.",
                   "ServiceUnavailable": "The service is temporarily unavailable."}.get(
            fault.code, "The request failed.")
        self._send(record, fault.status, GraphError(fault.status, fault.code, message).body(),
                   headers)
        return True

    def _send(self, record: Recorded, status: int, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        record.status = status
        answer(self, status, body, "application/json; odata.metadata=minimal", headers)
