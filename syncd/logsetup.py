"""Logging, configured once at start-up: plain lines, journald priorities, or JSON."""

from __future__ import annotations

import json
import logging
import os
import sys

from syncd.escape import EscapingFilter
from syncd.secrets import LibraryFilter, RedactingFilter


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log shippers; a traceback goes in ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class JournalFormatter(logging.Formatter):
    """Plain lines with a syslog priority prefix (``<4>``) that journald turns into PRIORITY=."""

    PRIORITIES = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
                  logging.CRITICAL: 2}

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{self.PRIORITIES.get(record.levelno, 6)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines())


def stderr_is_journal() -> bool:
    """True when stderr is systemd-journald's stream ($JOURNAL_STREAM names its device:inode)."""
    try:
        device, inode = (int(x) for x in os.environ.get("JOURNAL_STREAM", "").split(":"))
        info = os.fstat(sys.stderr.fileno())
    except (ValueError, OSError, AttributeError):
        return False
    return (info.st_dev, info.st_ino) == (device, inode)


def setup_logging(verbose: bool, fmt: str) -> None:
    """Configure logging once: plain lines (no timestamps under journald) or JSON.

    Every line passes through :class:`syncd.secrets.RedactingFilter`, so a secret that some
    library puts in a message or a traceback is scrubbed before it is written, then through
    :class:`syncd.escape.EscapingFilter`, so calendar text can neither forge a line nor drive
    the terminal.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(LibraryFilter(verbose))  # libraries from WARNING up, even via the root logger
    handler.addFilter(RedactingFilter())
    handler.addFilter(EscapingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    elif stderr_is_journal():
        handler.setFormatter(JournalFormatter("%(levelname)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s: %(message)s", "%H:%M:%S"))
    handler.syncd = True  # type: ignore[attr-defined]  # replaced on reconfiguration, others kept
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "syncd", False)] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("googleapiclient", "urllib3", "caldav", "exchangelib", "httpx", "niquests"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A library's Python warning (icalendar warns about a guessed TZID, quoting it) would go
    # to stderr as it is; through logging it is redacted and escaped like every other line.
    logging.captureWarnings(True)
