"""The whole loop with drafts on a real Dovecot: `syncd once` drafts, `syncd ack` replaces,
status names the draft by its IMAP URL; nothing lands in the local Maildir."""

from __future__ import annotations

import email
import email.policy
import imaplib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.cli import main
from syncd.demo import seed
from tests.dovecot import INSTALL, Dovecot, binary, start_dovecot
from tests.system.killed import once_killed_before_recording

pytestmark = pytest.mark.skipif(binary() is None, reason=INSTALL)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with start_dovecot() as server:
        yield server


def drafts(server: Dovecot, folder: str = "Drafts") -> list[email.message.EmailMessage]:
    conn = imaplib.IMAP4(server.host, server.port, timeout=10)
    conn.login(server.user, server.password)
    conn.select(f'"{folder}"')
    _, found = conn.uid("SEARCH", "UNDELETED", "DRAFT")
    out = []
    for uid in (found[0] or b"").split():
        _, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
        out.append(email.message_from_bytes(bytes(data[0][1]), policy=email.policy.default))
    conn.logout()
    return out


def demo_on_imap(dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 folder: str = "Drafts") -> Path:
    """The demo's config with its drafts going to ``folder`` on Dovecot."""
    monkeypatch.setenv("SYNCD_RETRY_BASE", "0.01")
    monkeypatch.setenv("SYNCD_TEST_IMAP_PASSWORD", dovecot.password)
    config = seed(tmp_path / "demo")
    text = config.read_text().replace("[followup]\n", '[followup]\nsink = "imap"\n')
    config.write_text(text + f'''
[followup.imap]
host = "{dovecot.host}"
port = {dovecot.port}
username = "{dovecot.user}"
password_env = "SYNCD_TEST_IMAP_PASSWORD"
tls = "none"
folder = "{folder}"
''')
    return config


def test_once_and_ack_draft_on_the_mail_server(dovecot, tmp_path, monkeypatch, capsys):
    config = demo_on_imap(dovecot, tmp_path, monkeypatch)
    assert main(["--config", str(config), "once"]) == 0
    [apology] = drafts(dovecot)
    assert apology["X-Syncd-Kind"] == "apology" and apology["To"].addresses[0].addr_spec
    assert not (tmp_path / "demo" / "drafts").exists()
    assert main(["--config", str(config), "once"]) == 0
    assert len(drafts(dovecot)) == 1  # one live draft per interview, whatever the cycles
    capsys.readouterr()
    assert main(["--config", str(config), "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    iv = next(i for i in data["interviews"] if i["followup"])
    assert iv["followup"]["path"].startswith(f"imap://{dovecot.user}@{dovecot.host}:{dovecot.port}/Drafts;")
    assert main(["--config", str(config), "ack", iv["ref"], "--attended"]) == 0
    assert "replaced by a thank-you in imap://" in capsys.readouterr().out
    assert [m["X-Syncd-Kind"] for m in drafts(dovecot)] == ["thank-you"]
    assert dovecot.password not in Path(config).read_text()


def test_kill_9_between_append_and_record_leaves_one_draft(dovecot, tmp_path, monkeypatch):
    folder = "Drafts-killed"
    config = demo_on_imap(dovecot, tmp_path, monkeypatch, folder)
    once_killed_before_recording(config)
    assert len(drafts(dovecot, folder)) == 1  # appended, not recorded
    for _ in range(2):
        assert main(["--config", str(config), "once"]) == 0
    assert len(drafts(dovecot, folder)) == 1
