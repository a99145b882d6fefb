"""Text from calendars, made safe to write to a log or a terminal.

A title, a place or a name comes from whoever sent the invitation. Written as it is, a
newline in it forges whole log lines, and an escape sequence repaints, retitles or hides the
owner's terminal. Every log line passes :class:`EscapingFilter` (installed once, at start-up,
by :func:`syncd.logsetup.setup_logging`), and what the commands print passes
:func:`escape_controls` or :func:`json_safe`. Control characters are written the way Python
writes them in a string literal (``\\n``, ``\\x1b``, ``\\u202e``), so nothing is lost to the
reader and nothing acts on the terminal.
"""

from __future__ import annotations

import logging
import re

# C0 controls (tab aside), DEL and C1 controls (0x9b is a one-byte CSI to some terminals), the
# Unicode line and paragraph separators, and the bidirectional overrides and isolates that
# make text read differently from what it says.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Inside JSON strings the C0 controls are escaped by json.dumps already; these are left raw.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMES = {"\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMES:
        return _NAMES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control character written out (``\\n``, ``\\x1b``, ``\\u2028``)."""
    return _CONTROLS.sub(_escaped, text)


def escape_lines(text: str, indent: str = "") -> str:
    """Each line of ``text`` escaped, its own line breaks kept, each line after ``indent``.

    A traceback in the log is indented: only a record's first line starts at the margin, so a
    newline in an exception's message cannot pass for a record of its own.
    """
    return "\n".join(indent + escape_controls(line) for line in text.split("\n"))


def json_safe(document: str) -> str:
    """A JSON text with the characters ``json.dumps(ensure_ascii=False)`` leaves raw escaped.

    Only ever inside strings, where ``\\uXXXX`` is the same character to every JSON reader.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)


class EscapingFilter(logging.Filter):
    """A handler filter that writes out control characters in a record's message.

    The message is rendered once (its arguments are calendar data); a traceback keeps its own
    line breaks, indented (see :func:`escape_lines`), and loses every other control character.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Escape the rendered message and any traceback text; always lets the record through."""
        message = record.getMessage()
        safe = escape_controls(message)
        if safe != message:
            record.msg, record.args = safe, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = escape_lines(record.exc_text, indent="  ")
        if record.stack_info:
            record.stack_info = escape_lines(record.stack_info, indent="  ")
        return True
