"""The fake Exchange server: SOAP over HTTP/1.1, Basic auth, fault injection, request log.

``FakeExchange().start()`` binds 127.0.0.1 on a free port; ``service_endpoint`` is the URL an
account is configured with (``/EWS/Exchange.asmx``). Requests need HTTP Basic credentials
(``username``/``password``); without them, or with wrong ones, the server answers 401 with a
``WWW-Authenticate: Basic`` challenge, as IIS does. Every request is recorded by operation
name (never its credentials). Faults on demand: ``throttle_next`` (ErrorServerBusy SOAP fault
with BackOffMilliseconds, HTTP 500), ``fail_next`` (an HTTP status with IIS's error page),
``drop_next`` (close the connection unanswered) and ``slow_next``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from tests.fakes.exchange.operations import Disposition, Operations
from tests.fakes.exchange.seed import Seeder
from tests.fakes.exchange.soap import SOAP, EwsError, SoapFault, envelope, fault, local
from tests.fakes.exchange.store import Mailbox
from tests.fakes.http import QuietHandler, Served, answer, basic_credentials, hang_up, take

PATH = "/EWS/Exchange.asmx"
ERROR_PAGE = b"<html><body><h1>Server Error in '/EWS' Application.</h1></body></html>"


@dataclass
class Recorded:
    """One request as the fake saw it: the operation and its attributes, and the answer."""

    operation: str
    attributes: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    body: bytes = b""


@dataclass
class Fault:
    """A fault applied to the next ``remaining`` SOAP requests."""

    kind: str  # "busy" | "status" | "drop" | "slow" | "hold"
    remaining: int
    status: int = 500
    back_off_ms: int = 0
    seconds: float = 0.0
    release: threading.Event | None = None
    held: threading.Event | None = None


class FakeExchange(Seeder, Served):
    """An Exchange 2016 mailbox over EWS, for one user."""

    def __init__(self, email: str = "alex@corp.example.com", username: str = "CORP\\alex",
                 password: str = "s3cret-pa55", owner_name: str = "Alex Doe"):
        self.box = Mailbox(email, owner_name)
        self.ops = Operations(self.box)
        self.email, self.username, self.password = email, username, password
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []

    @property
    def service_endpoint(self) -> str:
        """The EWS URL an account is configured with."""
        return f"http://127.0.0.1:{self.port}{PATH}"

    # -- faults and the log ---------------------------------------------------------------------

    def throttle_next(self, count: int, back_off_ms: int = 50) -> None:
        """Refuse the next ``count`` requests with ErrorServerBusy and a BackOffMilliseconds."""
        self.faults.append(Fault("busy", count, back_off_ms=back_off_ms))

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status`` and IIS's HTML error page."""
        self.faults.append(Fault("status", count, status=status))

    def drop_next(self, count: int) -> None:
        """Close the connection without answering the next ``count`` requests."""
        self.faults.append(Fault("drop", count))

    def slow_next(self, count: int, seconds: float) -> None:
        """Delay the next ``count`` answers by ``seconds``."""
        self.faults.append(Fault("slow", count, seconds=seconds))

    def hold_next(self) -> tuple[threading.Event, threading.Event]:
        """Hold the next request unanswered until the test sets the first event returned; the
        second is set once the request is being held (a server that stalls)."""
        release, held = threading.Event(), threading.Event()
        self.faults.append(Fault("hold", 1, release=release, held=held))
        return release, held

    def take_fault(self) -> Fault | None:
        """Consume one unit of the first pending fault."""
        return take(self.faults, self.box.lock)

    def operations(self, name: str | None = None) -> list[Recorded]:
        """Recorded SOAP requests that reached the mailbox, optionally of one operation."""
        with self.box.lock:
            return [r for r in self.requests if r.operation != "fault" and r.status != 401
                    and (name is None or r.operation == name)]

    def reset_log(self) -> None:
        """Forget the recorded requests and dispositions."""
        with self.box.lock:
            self.requests.clear()
            self.ops.dispositions.clear()

    @property
    def dispositions(self) -> list[Disposition]:
        """How every write asked to notify attendees (SendToNone is the only polite answer)."""
        with self.box.lock:
            return list(self.ops.dispositions)

    @property
    def sent(self) -> list[str]:
        """Items that a real server would have mailed to someone."""
        with self.box.lock:
            return list(self.ops.sent)

    # -- SOAP -----------------------------------------------------------------------------------

    def answer(self, body: bytes, record: Recorded) -> tuple[int, bytes]:
        """Parse one SOAP request and run its operation; (HTTP status, response body)."""
        try:
            root = ET.fromstring(body)
            request = root.find(f"{{{SOAP}}}Body")[0]  # type: ignore[index]
        except (ET.ParseError, TypeError, IndexError):
            return 500, fault(SoapFault("ErrorSchemaValidation", "The request failed schema validation."))
        record.operation = local(request.tag)
        record.attributes = dict(request.attrib)
        with self.box.lock:
            try:
                return 200, envelope(self.ops.handle(request))
            except EwsError as exc:
                return 500, fault(SoapFault(exc.code, exc.text))

    def authorized(self, header: str) -> bool:
        """True when ``header`` carries this mailbox's Basic credentials."""
        return basic_credentials(header) == (self.username, self.password)


class _Handler(QuietHandler):
    fake: FakeExchange

    def do_GET(self) -> None:
        self._send(Recorded("GET"), 405, b"", "text/plain")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = Recorded("unparsed")
        with self.fake.box.lock:
            self.fake.requests.append(record)
        if self.path.split("?")[0].lower() != PATH.lower():
            return self._send(record, 404, b"Not Found", "text/plain")
        if not self.fake.authorized(self.headers.get("Authorization", "")):
            return self._send(record, 401, b"", "text/plain",
                              {"WWW-Authenticate": 'Basic realm="127.0.0.1"'})
        if self._fault(record):
            return
        status, answer = self.fake.answer(body, record)
        self._send(record, status, answer)

    def _fault(self, record: Recorded) -> bool:
        pending = self.fake.take_fault()
        if pending is None:
            return False
        if pending.kind == "slow":
            time.sleep(pending.seconds)
            return False
        if pending.kind == "hold" and pending.release is not None and pending.held is not None:
            pending.held.set()
            pending.release.wait(60)
            return False
        record.operation = "fault"
        if pending.kind == "drop":
            hang_up(self)
            return True
        if pending.kind == "busy":
            busy = SoapFault("ErrorServerBusy", "The server cannot service this request right now. "
                             "Try again later.", back_off_ms=pending.back_off_ms)
            self._send(record, 500, fault(busy))
            return True
        self._send(record, pending.status, ERROR_PAGE, "text/html")
        return True

    def _send(self, record: Recorded, status: int, body: bytes,
              content_type: str = "text/xml; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        record.status = status
        answer(self, status, body, content_type, headers)


FakeExchange.handler = _Handler
