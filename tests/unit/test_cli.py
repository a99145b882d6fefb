"""Command-line behaviour that needs no calendar: classify, usage errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path


from syncd.cli import main

BIN = Path(sys.executable).parent


def test_classify_reads_json_lines_and_answers_in_order(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no config: built-in defaults
    rows = [
        {"id": "a", "summary": "Onsite interview @ Acme", "description": "", "location": "1 Main St",
         "organizer": "recruiter@acme.com", "attendees": ["recruiter@acme.com", "me@gmail.com"],
         "self": "me@gmail.com"},
        {"id": "b", "summary": "Team standup", "description": "", "location": "Zoom",
         "organizer": "me@gmail.com", "attendees": [], "self": "me@gmail.com"},
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(json.dumps(r) for r in rows) + "\n"))
    assert main(["classify"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["interview"] is True and out[1]["interview"] is False
    assert set(out[0]) == {"id", "interview", "score", "format", "company", "reasons"}
    assert 0.0 <= out[1]["score"] <= 1.0


def test_classify_reports_a_bad_line_and_goes_on(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO('{not json\n{"id": 2, "summary": "Lunch"}\n'))
    assert main(["classify"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["id"] == 2
    assert "line 1" in captured.err


def test_bad_command_line_exits_2():
    out = subprocess.run([str(BIN / "syncd"), "frobnicate"], capture_output=True, text=True)
    assert out.returncode == 2
    out = subprocess.run([str(BIN / "syncd"), "ack", "abc"], capture_output=True, text=True)
    assert out.returncode == 2


def test_console_script_is_installed():
    out = subprocess.run([str(BIN / "syncd"), "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for verb in ("run", "once", "status", "ack", "classify", "check-config", "auth"):
        assert verb in out.stdout
