"""``followup.sink``, ``followup.language`` and ``[followup.imap]``: every problem named by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd import config as config_mod
from syncd.errors import ConfigError

ACCOUNTS = [{"name": "home", "type": "local", "path": "/tmp"},
            {"name": "work", "type": "google", "token_file": "/tmp/token.json"}]


def problems(tmp_path: Path, **followup: object) -> str:
    path = tmp_path / "config.toml"
    path.write_text("")
    path.chmod(0o644)
    try:
        config_mod.validate({"followup": followup, "accounts": ACCOUNTS}, path)
    except ConfigError as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize("sink", ["maildir", "account:work"])
def test_good_sinks(tmp_path: Path, sink: str) -> None:
    assert problems(tmp_path, sink=sink) == ""


@pytest.mark.parametrize("sink, words", [
    ("smtp", "followup.sink = 'smtp'"),
    ("account:nobody", "there is no account named 'nobody'"),
    ("account:home", "'home' is a local account, which has no drafts folder"),
])
def test_bad_sinks_name_file_and_key(tmp_path: Path, sink: str, words: str) -> None:
    found = problems(tmp_path, sink=sink)
    assert str(tmp_path / "config.toml") in found and words in found


def test_imap_needs_host_user_and_a_password_source(tmp_path: Path) -> None:
    found = problems(tmp_path, sink="imap", imap={"tls": "none", "host": "imap.example.com"})
    assert "followup.imap.username" in found and "followup.imap.password_env" in found
    assert "only to a loopback host" in found
    ok = problems(tmp_path, sink="imap", imap={"host": "127.0.0.1", "tls": "none", "username": "a",
                                               "password_env": "X"})
    assert ok == ""


def test_imap_keys_are_checked_even_when_unused(tmp_path: Path) -> None:
    found = problems(tmp_path, imap={"port": 0, "tls": "maybe", "hots": "x"})
    assert "followup.imap.port = 0" in found and "followup.imap.tls = 'maybe'" in found
    assert "followup.imap.hots: unknown key; did you mean 'host'?" in found


def test_an_inline_imap_password_needs_a_private_file(tmp_path: Path) -> None:
    found = problems(tmp_path, sink="imap", imap={"host": "h.example", "username": "a",
                                                  "password": "hunter22"})
    assert "followup.imap.password" in found and "chmod 600" in found and "hunter22" not in found


@pytest.mark.parametrize("language, ok", [("auto", True), ("de", True), ("ES", True), ("it", False)])
def test_language(tmp_path: Path, language: str, ok: bool) -> None:
    assert (problems(tmp_path, language=language) == "") is ok
