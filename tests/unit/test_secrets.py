"""Password sources, the 0600 writer, and redaction of secrets from log lines."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from syncd import secrets
from syncd.errors import ProviderError, SyncdError
from syncd.secrets import REDACTED, RedactingFilter, SecretError, redact, resolve_password, write_private

SYNCD = str(Path(sys.executable).parent / "syncd")


@pytest.fixture(autouse=True)
def _forget(monkeypatch):
    monkeypatch.setattr(secrets, "_known", set())


def account(**keys) -> dict:
    return {"name": "work", "type": "caldav", **keys}


def script(tmp_path, body: str) -> list[str]:
    path = tmp_path / "pw.py"
    path.write_text(body)
    return [sys.executable, str(path)]


def test_no_source_means_no_password():
    assert resolve_password(account()) is None


def test_inline_password():
    assert resolve_password(account(password="s3cret-inline")) == "s3cret-inline"


def test_command_first_line_of_stdout_without_a_shell(tmp_path):
    argv = script(tmp_path, "import sys; print(sys.argv[1:]); print('second line')\n") + ["$HOME", "a b"]
    assert resolve_password(account(password_command=argv)) == "['$HOME', 'a b']"


def test_command_failure_names_account_and_program_but_not_output(tmp_path):
    argv = script(tmp_path, "import sys; print('leaked-out'); print('leaked-err', file=sys.stderr); sys.exit(3)\n")
    with pytest.raises(SecretError) as caught:
        resolve_password(account(password_command=argv))
    text = str(caught.value)
    assert "'work'" in text and sys.executable in text and "status 3" in text
    assert "leaked" not in text
    assert isinstance(caught.value, ProviderError) and isinstance(caught.value, SyncdError)
    assert caught.value.account == "work"


def test_command_that_hangs_times_out(tmp_path, monkeypatch):
    monkeypatch.setattr(secrets, "COMMAND_TIMEOUT", 0.5)
    argv = script(tmp_path, "import time; time.sleep(30)\n")
    with pytest.raises(SecretError, match="did not finish within"):
        resolve_password(account(password_command=argv))


def test_missing_command_and_empty_output(tmp_path):
    with pytest.raises(SecretError, match="/nonexistent/pass could not be run"):
        resolve_password(account(password_command=["/nonexistent/pass", "show"]))
    with pytest.raises(SecretError, match="printed no password"):
        resolve_password(account(password_command=script(tmp_path, "pass\n")))


def test_env(monkeypatch):
    monkeypatch.setenv("WORK_PW", "from-the-env")
    assert resolve_password(account(password_env="WORK_PW")) == "from-the-env"
    monkeypatch.delenv("WORK_PW")
    with pytest.raises(SecretError, match=r"\$WORK_PW, which is not set"):
        resolve_password(account(password_env="WORK_PW"))


def test_credential(tmp_path, monkeypatch):
    (tmp_path / "work-pw").write_text("from-a-credential\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert resolve_password(account(password_credential="work-pw")) == "from-a-credential"
    with pytest.raises(SecretError, match="'other'.*cannot read"):
        resolve_password(account(password_credential="other"))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    with pytest.raises(SecretError, match="LoadCredential=work-pw:"):
        resolve_password(account(password_credential="work-pw"))


def test_resolved_values_are_remembered_and_redacted(monkeypatch):
    monkeypatch.setenv("WORK_PW", "hunter2-xyz")
    resolve_password(account(password_env="WORK_PW"))
    assert redact("login with hunter2-xyz failed") == f"login with {REDACTED} failed"


def test_config_secrets_are_remembered_without_running_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("PW", "env-secret")
    marker = tmp_path / "ran"
    secrets.remember_config_secrets([
        account(password="inline-secret"), account(password_env="PW"), account(password_env="UNSET_X"),
        account(password_command=["touch", str(marker)]), account(password_credential="nope"),
    ])
    assert not marker.exists()
    assert redact("inline-secret env-secret") == f"{REDACTED} {REDACTED}"


@pytest.mark.parametrize("line", [
    "Authorization: Basic dXNlcjpodW50ZXIy",
    "headers={'Authorization': 'Bearer ya29.a0AfH6SMBx'}",
    "sent Bearer ya29.a0AfH6SMBxTOKENVALUE",
    '{"access_token": "ya29.tokentoken", "refresh_token": "1//0gRefresh"}',
    "https://alex:pa55word@dav.example.com/cal/",
    "password=pa55word&user=alex",
])
def test_credential_shapes_are_redacted_whatever_their_value(line):
    out = redact(line)
    for token in ("dXNlcjpodW50ZXIy", "ya29", "1//0gRefresh", "pa55word"):
        assert token not in out
    assert REDACTED in out


def test_ordinary_words_survive():
    text = "auth_type basic authentication failed for the bearer of bad news; see password_env"
    assert redact(text) == text


def test_short_values_are_not_redacted_everywhere():
    secrets.remember("ab")
    assert redact("about a tab") == "about a tab"


def test_filter_scrubs_message_arguments_and_tracebacks():
    secrets.remember("topsecret99")
    logger = logging.getLogger("test.secrets")
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.error("password is %s", "topsecret99")
        try:
            raise ValueError("bad credentials topsecret99")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert all("topsecret99" not in r for r in records)
    assert records[0] == f"password is {REDACTED}"
    assert f"ValueError: bad credentials {REDACTED}" in records[1]


def test_write_private_is_0600_and_atomic(tmp_path):
    target = tmp_path / "tokens" / "google.json"
    write_private(target, '{"refresh_token": "x"}\n')
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    target.chmod(0o644)  # an old file with loose permissions is replaced, not reused
    write_private(target, "new\n")
    assert target.read_text() == "new\n" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["google.json"]


def test_write_private_ignores_a_loose_umask(tmp_path):
    old = os.umask(0)
    try:
        write_private(tmp_path / "t", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "t").stat().st_mode) == 0o600


def test_inline_password_in_a_readable_config_is_refused_through_the_cli(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[[accounts]]\nname = "work"\ntype = "caldav"\nurl = "http://127.0.0.1:9/"\n'
                      'password = "inline-pw-123"\n')
    config.chmod(0o644)
    done = subprocess.run([SYNCD, "--config", str(config), "check-config"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 78, done.stderr
    assert "accounts[0].password" in done.stderr and "chmod 600" in done.stderr
    assert "inline-pw-123" not in done.stdout + done.stderr
    config.chmod(0o600)
    done = subprocess.run([SYNCD, "--config", str(config), "check-config"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
