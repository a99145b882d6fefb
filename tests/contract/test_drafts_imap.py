"""The IMAP sink passes the draft-sink contract against a real Dovecot."""

from __future__ import annotations

import imaplib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd import config as config_mod
from syncd.errors import AuthError
from syncd.followup.imap import ImapSink
from syncd.followup.sink import DraftSink, StoredDraft, open_sink
from tests.contract.drafts_suite import DraftSinkTests, message
from tests.dovecot import INSTALL, Dovecot, binary, start_dovecot

pytestmark = pytest.mark.skipif(binary() is None, reason=INSTALL)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with start_dovecot() as server:
        yield server


def client(server: Dovecot) -> imaplib.IMAP4:
    conn = imaplib.IMAP4(server.host, server.port, timeout=10)
    conn.login(server.user, server.password)
    return conn


class TestImapSink(DraftSinkTests):
    @pytest.fixture
    def sink(self, dovecot: Dovecot) -> Iterator[ImapSink]:
        sink = ImapSink(dovecot.host, dovecot.port, dovecot.user, dovecot.password, tls="none",
                        folder=f"Drafts-{uuid.uuid4().hex[:8]}")
        yield sink
        sink.close()

    def edit(self, sink: DraftSink, draft: StoredDraft, text: str) -> None:
        """As Thunderbird or Apple Mail save an edited draft: a new message, the old one gone."""
        assert isinstance(sink, ImapSink)
        conn = client(self.server(sink))
        conn.select(f'"{sink.folder}"')
        uid = draft.handle.rsplit("=", 1)[1]
        _, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = bytes(data[0][1])
        head, _, _ = raw.partition(b"\r\n\r\n")
        conn.append(f'"{sink.folder}"', r"(\Draft)", None, head + b"\r\n\r\n" + text.encode() + b"\r\n")
        conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        conn.expunge()
        conn.logout()

    def raw_drafts(self, sink: DraftSink) -> list[bytes]:
        assert isinstance(sink, ImapSink)
        conn = client(self.server(sink))
        conn.select(f'"{sink.folder}"')
        _, data = conn.uid("SEARCH", "UNDELETED", "DRAFT")
        out = []
        for uid in (data[0] or b"").split():
            _, fetched = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            out.append(bytes(fetched[0][1]))
        conn.logout()
        return out

    @staticmethod
    def server(sink: ImapSink) -> Dovecot:
        return Dovecot(sink.host, sink.port, sink.username, sink._password, Path("/"), None)  # type: ignore[arg-type]

    def test_appends_with_the_draft_flag_and_uidplus_expunges(self, sink: ImapSink) -> None:
        stored = sink.write(message())
        assert ";UIDVALIDITY=" in stored.handle and sink._uidplus
        conn = client(self.server(sink))
        conn.select(f'"{sink.folder}"')
        _, flags = conn.uid("FETCH", stored.handle.rsplit("=", 1)[1], "(FLAGS)")
        assert b"\\Draft" in flags[0]
        assert sink.remove(stored)
        conn.noop()
        _, left = conn.uid("SEARCH", "ALL")
        assert left == [b""]  # expunged, not just flagged
        conn.logout()

    def test_a_message_the_owner_sent_is_not_removed(self, sink: ImapSink) -> None:
        stored = sink.write(message())
        conn = client(self.server(sink))
        conn.select(f'"{sink.folder}"')
        conn.uid("STORE", stored.handle.rsplit("=", 1)[1], "-FLAGS.SILENT", r"(\Draft)")
        assert sink.find("3fa9c01b2e") == [] and sink.remove(stored) is False
        conn.noop()
        _, left = conn.uid("SEARCH", "ALL")
        assert len(left[0].split()) == 1
        conn.logout()


def test_a_wrong_password_is_an_auth_error_without_the_password(dovecot: Dovecot) -> None:
    sink = ImapSink(dovecot.host, dovecot.port, dovecot.user, "wrong-password-123", tls="none")
    with pytest.raises(AuthError) as refused:
        sink.find("3fa9c01b2e")
    assert "wrong-password-123" not in str(refused.value) and dovecot.user in str(refused.value)


def test_the_configured_sink_reads_its_password_like_caldav(dovecot: Dovecot, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_TEST_IMAP", dovecot.password)
    data = {"followup": {"sink": "imap", "imap": {
                "host": dovecot.host, "port": dovecot.port, "username": dovecot.user,
                "password_env": "SYNCD_TEST_IMAP", "tls": "none", "folder": "Drafts"}},
            "accounts": [{"name": "home", "type": "local", "path": str(tmp_path)}]}
    config = config_mod.validate(data, tmp_path / "config.toml")
    sink = open_sink(config.followup, lambda name: pytest.fail("no account is needed"))
    try:
        assert isinstance(sink, ImapSink)
        stored = sink.write(message())
        assert stored.handle.startswith(f"imap://{dovecot.user}@{dovecot.host}:{dovecot.port}/Drafts;")
        assert [d.kind for d in sink.find("3fa9c01b2e")] == ["apology"]
        assert list((dovecot.maildir("Drafts") / "cur").iterdir())  # really in Dovecot's store
        sink.remove(stored)
    finally:
        sink.close()


def test_a_connection_the_server_dropped_is_opened_again(dovecot: Dovecot) -> None:
    sink = ImapSink(dovecot.host, dovecot.port, dovecot.user, dovecot.password, tls="none",
                    folder="Drafts-dropped")
    try:
        sink.write(message())
        assert sink._conn is not None
        sink._conn.sock.close()  # as a server's idle timeout leaves it
        assert [d.kind for d in sink.find("3fa9c01b2e")] == ["apology"]
    finally:
        sink.close()


def test_a_server_that_is_down_is_a_transient_error(dovecot: Dovecot) -> None:
    from syncd.errors import TransientError
    from tests.servers import free_port

    sink = ImapSink(dovecot.host, free_port(), dovecot.user, dovecot.password, tls="none")
    with pytest.raises(TransientError):
        sink.find("3fa9c01b2e")
