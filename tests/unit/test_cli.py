"""Command-line behaviour that needs no calendar: classify, usage errors."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from syncd.cli import main, parser

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
    assert set(out[0]) == {"id", "interview", "score", "format", "company", "role", "reasons"}
    assert 0.0 <= out[1]["score"] <= 1.0


def test_classify_takes_attendee_objects_and_categories_and_names_the_role(monkeypatch, capsys,
                                                                         tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    rows = [
        {"id": 1, "summary": "Interview for the Product Analyst role", "organizer": "hr@globex.com",
         "attendees": [{"email": "hr@globex.com", "name": "HR", "partstat": "ACCEPTED"},
                       "me@gmail.com"], "self": "me@gmail.com"},
        {"id": 2, "summary": "Block", "categories": ["Entrevista"], "self": "me@gmail.com"},
        {"id": 3, "summary": "x", "attendees": [{"name": "no address"}]},
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(json.dumps(r) for r in rows) + "\n"))
    assert main(["classify"]) == 1
    first, second, third = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert first["interview"] and first["role"] == "Product Analyst"
    assert first["company"] == "Globex"
    assert second["interview"] and "category" in second["reasons"][0]
    assert "error" in third


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


def test_version():
    out = subprocess.run([str(BIN / "syncd"), "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "syncd 0.1.0"


def test_global_options_work_after_the_verb_too(tmp_path, capsys):
    missing = str(tmp_path / "nope.toml")
    assert main(["check-config", "--config", missing]) == 78
    assert missing in capsys.readouterr().err
    args = parser().parse_args(["--config", "a.toml", "status", "-v", "--log-format", "json"])
    assert (str(args.config), args.verbose, args.log_format) == ("a.toml", True, "json")
    args = parser().parse_args(["--config", "a.toml", "status"])  # not reset by the verb's defaults
    assert (str(args.config), args.verbose, args.log_format) == ("a.toml", False, "plain")


def _verbs() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_verb_and_flag_has_help_and_an_example():
    top = parser()
    text = top.format_help()
    for name, sub in _verbs().items():
        assert sub.description, f"{name} has no description"
        assert f"  syncd {name}" in text, f"no example of {name} in syncd --help"
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
    for action in top._actions:
        assert action.help


def test_auth_help_names_the_providers_that_sign_in():
    auth = _verbs()["auth"]
    assert "Google" in (auth.description or "") and "Microsoft Graph" in (auth.description or "")


def test_classify_gives_one_error_line_per_bad_line_and_goes_on(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    bad = ["[" * 200_000, "[1, 2]", '{"summary": 5}', '{"attendees": "x"}', '"just a string"']
    good = json.dumps({"id": "ok", "summary": "Interview with Acme", "organizer": "hr@acme.com"})
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join([*bad, good]) + "\n"))
    assert main(["classify"]) == 1
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert len(out) == len(bad) + 1
    assert all("error" in o for o in out[:-1]) and out[-1]["id"] == "ok"
    assert len(captured.err.splitlines()) == len(bad)
    assert "Traceback" not in captured.err


def test_classify_bounds_a_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr("syncd.commands.MAX_LINE", 1000)
    long_line = json.dumps({"summary": "x" * 5000})
    monkeypatch.setattr("sys.stdin", io.StringIO(long_line + '\n{"id": 7, "summary": "Lunch"}\n'))
    assert main(["classify"]) == 1
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "longer than" in out[0]["error"] and out[1]["id"] == 7


def test_a_closed_pipe_ends_quietly():
    syncd = BIN / "syncd"
    out = subprocess.run(f"'{syncd}' --help | head -1", shell=True, capture_output=True, text=True)
    assert out.stdout.startswith("usage:") and out.stderr == ""
    script = "import io, sys; sys.stdout = io.TextIOWrapper(sys.stdout.buffer, line_buffering=False)\n" \
             "from syncd.cli import main; sys.exit(main(['classify']))"
    lines = "\n".join(json.dumps({"id": i, "summary": "Lunch"}) for i in range(3000)) + "\n"
    out = subprocess.run(f"'{sys.executable}' -c \"{script}\" | head -1", shell=True, input=lines,
                         capture_output=True, text=True, env={**os.environ, "XDG_CONFIG_HOME": "/nonexistent"})
    assert out.stdout.count("\n") == 1 and out.stderr == ""
