"""Calendar text cannot forge a log line nor drive the terminal (issue 8, finding 11)."""

from __future__ import annotations

import json
import logging
import re
import warnings

import pytest

from syncd.escape import escape_controls, json_safe
from syncd.logsetup import setup_logging

FORGED = ("Interview\n12:00:00 ERROR: demo: sync failed\r\x1b[2J\x1b]0;owned\x07\x9b31m"
          "\u2028\u202egnp.exe\x00")
RAW = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def test_control_characters_are_written_out_and_text_is_kept():
    safe = escape_controls(FORGED)
    assert not RAW.search(safe)
    assert safe.startswith("Interview\\n12:00:00 ERROR") and "\\x1b[2J" in safe and "\\x9b" in safe
    assert "\\u2028\\u202e" in safe and safe.endswith("\\x00")
    plain = "Entretien – Zoë Müller, 面接\tRoom 4"
    assert escape_controls(plain) == plain


def test_json_stays_json_with_the_same_text():
    document = json.dumps({"summary": FORGED}, ensure_ascii=False)
    safe = json_safe(document)
    assert not RAW.search(safe) and json.loads(safe) == {"summary": FORGED}


@pytest.fixture
def logged(capsys):
    """Log through syncd's own set-up; yields a function returning what reached stderr."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level

    def run(fmt: str, action) -> str:
        setup_logging(False, fmt)
        action(logging.getLogger("syncd.test"))
        return capsys.readouterr().err
    yield run
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def test_every_log_line_is_one_line_without_controls(logged):
    def action(log):
        log.info("home: Interview [%s] '%s'", "abc", FORGED)
        log.warning("%s: skipping %s", "home\x1b[31m", "file\n.ics")
    lines = logged("plain", action).splitlines()
    assert len(lines) == 2 and not any(RAW.search(line) for line in lines)
    assert "Interview\\n12:00:00 ERROR" in lines[0] and "file\\n.ics" in lines[1]


def test_json_log_lines_carry_the_text_escaped(logged):
    [line] = logged("json", lambda log: log.info("'%s'", FORGED)).splitlines()
    assert not RAW.search(line)
    assert json.loads(line)["message"] == "'" + escape_controls(FORGED) + "'"


def test_a_traceback_keeps_its_lines_but_not_the_controls(logged):
    def action(log):
        try:
            raise ValueError(FORGED)
        except ValueError:
            log.exception("cycle failed")
    lines = logged("plain", action).splitlines()
    assert "  Traceback (most recent call last):" in lines and "  ValueError: Interview" in lines
    assert not any(RAW.search(line) for line in lines)
    at_margin = [line for line in lines if not line.startswith(" ")]
    assert len(at_margin) == 1 and at_margin[0].endswith("ERROR: cycle failed")


def test_a_library_warning_is_logged_escaped(logged):
    """Libraries warn with the warnings module (icalendar quotes a TZID it guessed)."""
    def action(log):
        warnings.warn(f"Timezone '{FORGED}' is a globally unique TZID", UserWarning, stacklevel=1)
    err = logged("plain", action)
    assert "globally unique TZID" in err and "Interview\\n12:00:00 ERROR" in err
    assert not any(RAW.search(line) for line in err.splitlines())
    assert all(line.startswith(" ") or "WARNING: " in line for line in err.splitlines())
