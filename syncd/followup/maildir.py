"""The Maildir sink: drafts as files in ``cur/`` with the draft flag (``:2,D``).

A mail client that reads the Maildir (mutt, neomutt, aerc, Thunderbird with a maildir
account) shows them as drafts. Files are written to ``tmp/``, fsynced and renamed into
``cur/``, so a crash never leaves half a draft; folders are 0700 and files 0600.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import time
from collections.abc import Mapping
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from syncd.followup.headers import draft_bytes
from syncd.followup.sink import REF_HEADER, DraftSink, StoredDraft, stored

log = logging.getLogger(__name__)
_counter = itertools.count()
MAX_DRAFT_BYTES = 1 << 20  # syncd's drafts are a few kB; never read a huge stranger whole


class MaildirSink(DraftSink):
    """Drafts in the Maildir ``folder`` (created on first write)."""

    name = "maildir"

    def __init__(self, folder: Path):
        self.folder = Path(folder).expanduser()

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> MaildirSink:
        """The sink on ``[followup] drafts_dir``."""
        return cls(Path(section["drafts_dir"]))

    def find(self, ref: str) -> list[StoredDraft]:
        """Drafts in ``cur/`` that still carry the draft flag and the header ``X-Syncd-Event: ref``.

        Only the headers of each draft are read, and the whole file only for the interview's.
        """
        found = []
        for path in sorted((self.folder / "cur").glob("*:2,*D*")):
            if _ref_of(path) == ref and (draft := _read(path)) is not None and draft.ref == ref:
                found.append(draft)
        return found

    def write(self, message: EmailMessage) -> StoredDraft:
        """Store ``message`` in ``cur/`` as a draft. Raises OSError."""
        raw = draft_bytes(message)
        return stored(str(write_draft(self.folder, raw)), raw)

    def remove(self, draft: StoredDraft) -> bool:
        """Delete the draft's file if it (or its renamed self) still has the draft flag."""
        return remove_draft(Path(draft.handle))


def _ref_of(path: Path) -> str | None:
    """The file's X-Syncd-Event header (headers only are parsed), None if unreadable."""
    try:
        with path.open("rb") as handle:
            value = BytesHeaderParser().parse(handle).get(REF_HEADER)
    except (OSError, ValueError):
        return None
    return str(value).strip() if value is not None else None


def _read(path: Path) -> StoredDraft | None:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_DRAFT_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_DRAFT_BYTES:
        return None  # not one of ours
    return stored(str(path), raw)


def write_draft(maildir: Path, raw: bytes) -> Path:
    """Store the message ``raw`` in the Maildir ``maildir`` as a draft.

    Creates ``tmp/``, ``new/`` and ``cur/`` (mode 0700) if missing, writes and fsyncs the file
    in ``tmp/`` (mode 0600), then renames it to ``cur/<unique>:2,D``. Returns the final path.
    Raises :class:`OSError` when the folder cannot be written.
    """
    maildir = Path(maildir).expanduser()
    for sub in ("", "tmp", "new", "cur"):
        (maildir / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = _create_unique(maildir)
    final = maildir / "cur" / f"{name}:2,D"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(maildir / "tmp" / name, final)
    except BaseException:
        (maildir / "tmp" / name).unlink(missing_ok=True)
        raise
    folder = os.open(maildir / "cur", os.O_RDONLY)  # make the rename itself durable
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return final


def _create_unique(maildir: Path) -> tuple[int, str]:
    """Create ``tmp/<time>.<pid>_<counter>.<hostname>`` exclusively; return its fd and name."""
    host = socket.gethostname().replace("/", r"\057").replace(":", r"\072")
    while True:
        name = f"{int(time.time())}.{os.getpid()}_{next(_counter)}.{host}"
        if (maildir / "cur" / f"{name}:2,D").exists():
            continue
        try:
            return os.open(maildir / "tmp" / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), name
        except FileExistsError:
            continue


def remove_draft(path: Path) -> bool:
    """Delete a draft that is still a draft.

    Takes the path :func:`write_draft` returned. The file is removed if it, or the same message
    renamed by a mail client to other flags in the same folder (``:2,DS``), still carries the
    draft flag ``D``. A message that was sent, moved or un-flagged is left alone. Returns whether
    a file was removed; raises :class:`OSError` only when an existing draft cannot be deleted.
    """
    path = Path(path)
    base, sep, _ = path.name.rpartition(":2,")
    if not sep:
        return False
    candidates = [path] if path.exists() else []
    try:
        candidates += [p for p in path.parent.iterdir()
                       if p.name.startswith(base + ":2,") and p != path]
    except FileNotFoundError:
        return False
    for candidate in candidates:
        if "D" in candidate.name.rpartition(":2,")[2]:
            try:
                candidate.unlink()
            except FileNotFoundError:
                continue
            return True
    return False
