"""The IMAP sink: drafts in the owner's mail server's Drafts folder (``followup.sink = "imap"``).

APPEND with the ``\\Draft`` flag; a draft is found by ``UID SEARCH HEADER X-Syncd-Event REF``
among undeleted drafts, so the core's find-before-write makes a crash leave at most one.
Removing flags the message ``\\Deleted`` and, where the server has UIDPLUS, ``UID EXPUNGE``s
exactly that message; without UIDPLUS it stays flagged (a plain EXPUNGE would also remove
messages the owner deleted but kept). The handle is an RFC 5092 IMAP URL with the mailbox's
UIDVALIDITY, so a handle from a recreated mailbox is never trusted.

Credentials as for CalDAV accounts: ``password_command``, ``password_env``,
``password_credential`` (systemd) or ``password`` (:mod:`syncd.secrets`).
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from syncd.errors import AuthError, ProviderError, TransientError
from syncd.followup.headers import draft_bytes
from syncd.followup.sink import REF_HEADER, DraftSink, StoredDraft, stored
from syncd.secrets import resolve_password

log = logging.getLogger(__name__)
TIMEOUT = 30.0
MAX_DRAFT_BYTES = 1 << 20
_REF = re.compile(r"[0-9a-z]{1,64}")
_HANDLE = re.compile(r";UIDVALIDITY=(\d+)/;UID=(\d+)$")
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class ImapSink(DraftSink):
    """Drafts in ``folder`` on an IMAP server. Connects on first use, reconnects after errors."""

    name = "imap"

    def __init__(self, host: str, port: int, username: str, password: str, tls: str = "ssl",
                 folder: str = "Drafts", timeout: float = TIMEOUT):
        self.host, self.port, self.username = host, port, username
        self._password = password
        self.tls, self.folder, self.timeout = tls, folder, timeout
        self._conn: imaplib.IMAP4 | None = None
        self._uidplus = False
        self._validity = ""

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ImapSink:
        """The sink of ``[followup.imap]``. Raises AuthError when the password has no source."""
        imap = dict(section.get("imap") or {})
        password = resolve_password({**imap, "name": "followup.imap"})
        if password is None:
            raise AuthError("followup.imap: no password, password_env, password_command or "
                            "password_credential is set", account="followup.imap")
        tls = str(imap.get("tls") or "ssl")
        port = int(imap.get("port") or (993 if tls == "ssl" else 143))
        return cls(str(imap["host"]), port, str(imap.get("username") or ""), password, tls,
                   str(imap.get("folder") or "Drafts"))

    # -- the sink interface --------------------------------------------------------------

    def find(self, ref: str) -> list[StoredDraft]:
        """Undeleted drafts in the folder whose ``X-Syncd-Event`` is ``ref``."""
        if not _REF.fullmatch(ref):
            return []  # REFs are lowercase hex; anything else could not have been written
        return self._call(lambda conn: self._find(conn, ref))

    def write(self, message: EmailMessage) -> StoredDraft:
        """APPEND the message with ``\\Draft``; return it with its UID."""
        raw = draft_bytes(message, crlf=True)
        return self._call(lambda conn: self._append(conn, raw))

    def remove(self, draft: StoredDraft) -> bool:
        """Delete the draft if it is still an undeleted draft of its REF in this mailbox."""
        match = _HANDLE.search(draft.handle)
        if not match:
            return False
        validity, uid = match.groups()
        return self._call(lambda conn: self._remove(conn, validity, uid, draft.ref))

    def close(self) -> None:
        """Log out (quietly: the connection may be gone already)."""
        if self._conn is not None:
            try:
                self._conn.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
            self._conn = None

    # -- protocol ------------------------------------------------------------------------

    def _find(self, conn: imaplib.IMAP4, ref: str) -> list[StoredDraft]:
        conn.noop()  # see what other clients did since (new, edited, sent, deleted drafts)
        typ, data = conn.uid("SEARCH", "UNDELETED", "DRAFT", "HEADER", REF_HEADER, f'"{ref}"')
        _ok(typ, data, "SEARCH")
        found = []
        for uid in (data[0] or b"").split():
            raw = self._fetch(conn, uid.decode())
            if raw is not None:
                draft = stored(self._handle(uid.decode()), raw)
                if draft.ref == ref:
                    found.append(draft)
        return found

    def _fetch(self, conn: imaplib.IMAP4, uid: str) -> bytes | None:
        typ, data = conn.uid("FETCH", uid, "(RFC822.SIZE BODY.PEEK[])")
        _ok(typ, data, "FETCH")
        for part in data:
            if isinstance(part, tuple) and b"RFC822.SIZE" in part[0]:
                size = re.search(rb"RFC822\.SIZE (\d+)", part[0])
                if size and int(size.group(1)) > MAX_DRAFT_BYTES:
                    return None
                return bytes(part[1])
        return None

    def _append(self, conn: imaplib.IMAP4, raw: bytes) -> StoredDraft:
        typ, data = conn.append(_quote(self.folder), r"(\Draft)", None, raw)
        _ok(typ, data, "APPEND")
        match = _APPENDUID.search(data[0] or b"")
        if match:
            self._validity = match.group(1).decode()
            return stored(self._handle(match.group(2).decode()), raw)
        ref = stored("", raw).ref  # no UIDPLUS: the newest draft of this REF is the one
        uids = [d.handle for d in self._find(conn, ref)]
        return stored(uids[-1] if uids else self._handle("0"), raw)

    def _remove(self, conn: imaplib.IMAP4, validity: str, uid: str, ref: str) -> bool:
        if validity != self._validity:
            return False  # the mailbox was recreated: that UID means another message now
        if not any(d.handle == self._handle(uid) for d in self._find(conn, ref)):
            return False  # sent, deleted or no longer a draft
        typ, data = conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        _ok(typ, data, "STORE")
        if self._uidplus:
            typ, data = conn.uid("EXPUNGE", uid)
            _ok(typ, data, "UID EXPUNGE")
        return True

    def _handle(self, uid: str) -> str:
        return (f"imap://{self.username}@{self.host}:{self.port}/{self.folder}"
                f";UIDVALIDITY={self._validity}/;UID={uid}")

    # -- connection ----------------------------------------------------------------------

    def _call(self, work: Any) -> Any:
        """Run ``work(conn)``; one reconnect if the connection had dropped; errors mapped.

        A connection kept between cycles may have been closed by the server meanwhile (idle
        timeouts): the first failure of a kept connection is retried on a fresh one.
        """
        for attempt in (1, 2):
            fresh = self._conn is None
            try:
                return work(self._connection())
            except (imaplib.IMAP4.abort, OSError, ssl.SSLError) as exc:
                self._conn = None
                if fresh or attempt == 2:
                    raise TransientError(f"IMAP {self.host}:{self.port}: {_text(exc)}",
                                         account="followup.imap") from None
            except imaplib.IMAP4.error as exc:
                raise ProviderError(f"IMAP {self.host}: {_text(exc)}",
                                    account="followup.imap") from None
        raise AssertionError("unreachable")

    def _connection(self) -> imaplib.IMAP4:
        if self._conn is not None:
            return self._conn
        conn = self._open()
        try:
            conn.login(self.username, self._password)
        except imaplib.IMAP4.error as exc:
            conn.shutdown()
            raise AuthError(f"IMAP {self.host}: the server refused the login of "
                            f"{self.username!r} ({_text(exc)})", account="followup.imap") from None
        typ, data = conn.capability()
        self._uidplus = b"UIDPLUS" in (data[0] or b"").upper().split()
        self._select(conn)
        self._conn = conn
        return conn

    def _open(self) -> imaplib.IMAP4:
        context = ssl.create_default_context()
        if self.tls == "ssl":
            return imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=self.timeout)
        conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            conn.starttls(ssl_context=context)
        return conn

    def _select(self, conn: imaplib.IMAP4) -> None:
        typ, data = conn.select(_quote(self.folder))
        if typ != "OK":
            conn.create(_quote(self.folder))
            typ, data = conn.select(_quote(self.folder))
            _ok(typ, data, f"SELECT {self.folder}")
        validity = conn.untagged_responses.get("UIDVALIDITY") or [b""]
        self._validity = _text(validity[-1] or b"")


def _ok(typ: str, data: list, what: str) -> None:
    if typ != "OK":
        raise ProviderError(f"IMAP {what} failed: {_text(data)}", account="followup.imap")


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value: object) -> str:
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())[:200]


def check_settings(imap: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """Problems of a ``[followup.imap]`` table as (key, value, expected); [] when usable."""
    problems: list[tuple[str, Any, str]] = []
    if not imap.get("host"):
        problems.append(("host", None, "is required with followup.sink = \"imap\": the IMAP host"))
    if not imap.get("username"):
        problems.append(("username", None, "is required with followup.sink = \"imap\""))
    sources = ("password", "password_env", "password_command", "password_credential")
    if not any(imap.get(k) for k in sources):
        problems.append(("password_env", None, "one of " + ", ".join(sources) + " is required"))
    if imap.get("tls") == "none" and str(imap.get("host")) not in LOOPBACK:
        problems.append(("tls", "none", "\"ssl\" or \"starttls\": an unencrypted connection is "
                         "allowed only to a loopback host"))
    return problems

