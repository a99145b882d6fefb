"""Secrets and privacy: what libraries log, and what a conflict marker tells a shared calendar.

A CalDAV server that answers with a non-XML page echoing the Basic credential makes the caldav
library log that page at INFO through the root logger; the daemon must print neither the
password nor the bare base64 token, and libraries speak only from WARNING up. A double booking
with another account's event is named by account and time in the interview's calendar, unless
the owner opts in to quoting titles.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from syncd.demo import seed
from tests.configs import append_account

SYNCD = str(Path(sys.executable).parent / "syncd")
USER, PASSWORD = "alex", "s3cret-Pass-7"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRET_TITLE = "CONFIDENTIAL: layoffs planning with CFO"


class Echo(BaseHTTPRequestHandler):
    """Asks for Basic credentials, then answers every request with a page quoting them bare."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        auth = self.headers.get("Authorization")
        if not auth:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="echo"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = f"<html><body>Maintenance<br>Your session: {auth.split()[-1]}</body></html>".encode()
        self.send_response(207)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PROPFIND = do_REPORT = do_GET = do_OPTIONS = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/dav/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("verbose", [False, True])
def test_a_server_echoing_the_credential_gets_it_printed_by_no_library(tmp_path, echo_url, verbose):
    config = seed(tmp_path / "demo")
    append_account(config, name="echo", type="caldav", url=echo_url, username=USER, password=PASSWORD)
    argv = [SYNCD, "--config", str(config), *(["-v"] if verbose else []), "once"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SYNCD_RETRY_BASE": "0.01"})
    assert done.returncode == 75, done.stderr
    assert "echo: sync failed" in done.stderr
    assert PASSWORD not in done.stderr
    assert TOKEN not in done.stderr and TOKEN.rstrip("=") not in done.stderr
    if not verbose:  # libraries speak from WARNING up: caldav's INFO dump of the page is gone
        assert "Maintenance" not in done.stderr


def with_work_account(tmp_path: Path, quote: bool | None) -> Path:
    """The demo, plus a second folder whose one event clashes with tomorrow's onsite interview."""
    config = seed(tmp_path / "demo")
    onsite = (config.parent / "calendars" / "personal" / "acme-onsite.ics").read_text()
    start = next(x for x in onsite.splitlines() if x.startswith("DTSTART"))
    work = tmp_path / "work" / "office"
    work.mkdir(parents=True)
    (work / "layoffs.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:layoffs-1\r\nDTSTAMP:20261101T000000Z\r\n{start}\r\nDURATION:PT1H\r\n"
        f"SUMMARY:{SECRET_TITLE}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    text = config.read_text()
    if quote is not None:
        text = text.replace("[followup]", f"[conflicts]\nquote_other_accounts = {str(quote).lower()}\n\n[followup]")
    config.write_text(text)
    return append_account(config, name="work", type="local", path=str(tmp_path / "work"))


def markers(config: Path) -> str:
    return "".join(p.read_text() for p in (config.parent / "calendars" / "personal").glob("syncd-*.ics")
                   if "X-SYNCD-KIND:conflict" in p.read_text())


@pytest.mark.parametrize("quote", [None, True])
def test_a_conflict_marker_names_another_accounts_event_by_account_and_time(tmp_path, quote):
    config = with_work_account(tmp_path, quote)
    done = subprocess.run([SYNCD, "--config", str(config), "once"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "SYNCD_RETRY_BASE": "0.01"})
    assert done.returncode == 0, done.stderr
    text = markers(config)
    assert "Team sync" in text  # the same account's clash is quoted as before
    if quote:
        assert "CONFIDENTIAL" in text
    else:
        assert "CONFIDENTIAL" not in text and "layoffs" not in text
        assert "an event in work (" in text
