"""The engine with a CalDAV account (real Radicale and Xandikos) next to a local folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from syncd.config import validate
from syncd.cycle import Engine
from syncd.state import State
from syncd.status import status_data
from tests.configfile import write_config
from tests.contract.test_local import user_ics
from tests.proxy import CountingProxy
from tests.servers import request, start_server

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
IV_START = NOW + timedelta(days=1, hours=5)
ME = "alex@example.com"


@pytest.fixture(scope="module", params=["radicale", "xandikos"])
def server(request):
    with start_server(request.param) as dav:
        yield dav


def interview_ics(start: datetime) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//other client//EN", "BEGIN:VEVENT",
        "UID:iv-globex@globex.example", "DTSTAMP:20261101T000000Z",
        f"DTSTART:{start:{fmt}}", f"DTEND:{start + timedelta(hours=1):{fmt}}",
        "SUMMARY:Interview with Globex – Data Engineer",
        "LOCATION:https://globex.zoom.us/j/42",
        "ORGANIZER;CN=Morgan Yu:mailto:talent@globex.example",
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}",
        "END:VEVENT", "END:VCALENDAR", ""])


@pytest.fixture
def setup(server, tmp_path):
    """A fresh CalDAV calendar behind a counting proxy, a local folder, and their config."""
    cal_id = "jobs-" + uuid.uuid4().hex[:8]
    cal_url = server.make_calendar(cal_id, displayname=f"Jobs {cal_id}")
    proxy = CountingProxy(server.url).start()
    folder = tmp_path / "cal" / "personal"
    folder.mkdir(parents=True)
    config = validate({
        "daemon": {"state_dir": str(tmp_path / "state"), "timezone": "UTC"},
        "accounts": [
            {"name": "home", "type": "local", "path": str(tmp_path / "cal")},
            {"name": "dav", "type": "caldav", "url": proxy.url, "username": server.username,
             "password_env": "SYNCD_TEST_DAV_PASSWORD", "calendars": [f"Jobs {cal_id}"]},
        ],
        "interviews": {"self": [ME]},
        "followup": {"drafts_dir": str(tmp_path / "drafts")},
    }, tmp_path / "config.toml")
    yield config, folder, cal_url, proxy
    proxy.stop()


def put(server, url: str, body: str) -> None:
    status, _, _ = request("PUT", url, body.encode(), auth=server.auth(),
                           headers={"Content-Type": "text/calendar"})
    assert status in (201, 204), status


def etag(server, url: str) -> str:
    status, headers, _ = request("GET", url, auth=server.auth())
    assert status == 200
    return headers["etag"]


def owned_kinds(server, cal_url: str) -> list[str]:
    status, _, text = request("PROPFIND", cal_url, auth=server.auth(), headers={"Depth": "1"})
    kinds = []
    for href in sorted(set(part.split("<")[0] for part in text.split("href>")[1:]
                           if "syncd-" in part.split("<")[0])):
        _, _, body = request("GET", server.url.rstrip("/") + href, auth=server.auth())
        kinds += [line.split(":", 1)[1].strip() for line in body.splitlines()
                  if line.startswith("X-SYNCD-KIND:")]
    return sorted(kinds)


def run_cycles(config, count: int = 1, proxy=None):
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        reports = []
        for i in range(count):
            if proxy is not None and i == count - 1:
                proxy.reset()
            reports.append(engine.cycle(NOW))
        return reports
    finally:
        engine.close()
        state.close()


def test_caldav_interview_clashing_with_a_local_meeting_is_flagged(server, setup, monkeypatch):
    monkeypatch.setenv("SYNCD_TEST_DAV_PASSWORD", server.password)
    config, folder, cal_url, proxy = setup
    iv_url = cal_url + "iv.ics"
    put(server, iv_url, interview_ics(IV_START))
    before = etag(server, iv_url)
    (folder / "m.ics").write_text(user_ics("m-1", "Quarterly review", IV_START + timedelta(minutes=30),
                                           IV_START + timedelta(minutes=90)))
    [report] = run_cycles(config)
    assert not report.failed
    assert [(c.a.summary, c.b.summary) for c in report.plan.conflicts if c.kind == "hard"] == [
        ("Interview with Globex – Data Engineer", "Quarterly review")]
    assert owned_kinds(server, cal_url) == ["buffer-after", "buffer-before", "conflict"]
    assert etag(server, iv_url) == before


def test_a_first_cycle_writes_each_block_once_though_it_is_sent_while_reading(server, setup,
                                                                            monkeypatch):
    """The interview's buffers go out while the calendar is read (syncd.early): one PUT each,
    no second try, nothing more for the plan to write, and the user's events as they were."""
    monkeypatch.setenv("SYNCD_TEST_DAV_PASSWORD", server.password)
    config, _, cal_url, proxy = setup
    for i in (i for i in range(30) if i != 15):  # none at the interview's hour
        put(server, cal_url + f"m{i}.ics", user_ics(f"m-{i}", f"Sync {i} with the data team",
                                                     IV_START + timedelta(hours=i - 15),
                                                     IV_START + timedelta(hours=i - 14)))
    put(server, cal_url + "iv.ics", interview_ics(IV_START))
    before = {name: etag(server, cal_url + name) for name in ("iv.ics", "m3.ics")}
    sent = []
    from syncd import early

    seen = early.EarlyWrites.seen
    monkeypatch.setattr(early.EarlyWrites, "seen",
                        lambda self, *args: (seen(self, *args), sent.append(len(self.pending))))
    [report] = run_cycles(config)
    assert not report.failed and max(sent) == 2  # both buffers, sent from the reading thread
    puts = [path for method, path in proxy.log if method == "PUT"]
    assert len(puts) == len(set(puts)) == 2, proxy.log
    assert not [method for method, _ in proxy.log if method in ("GET", "DELETE")], proxy.log
    assert owned_kinds(server, cal_url) == ["buffer-after", "buffer-before"]
    assert {name: etag(server, cal_url + name) for name in before} == before
    assert run_cycles(config)[0].ops == []


def test_idle_cycle_is_one_request_and_changes_nothing(server, setup, monkeypatch):
    monkeypatch.setenv("SYNCD_TEST_DAV_PASSWORD", server.password)
    config, _, cal_url, proxy = setup
    put(server, cal_url + "iv.ics", interview_ics(IV_START))
    reports = run_cycles(config, count=3, proxy=proxy)
    assert reports[-1].ops == []
    assert [method for method, _ in proxy.log] == ["REPORT"], proxy.log


def test_an_idle_once_is_one_report_and_loads_no_calendar_library(server, setup, tmp_path):
    """A new ``syncd once`` process on an idle calendar: one REPORT, sent without loading caldav,
    niquests or icalendar (providers.caldav.wire), and no planning (syncd.rest). The first
    ``once`` loads no caldav nor niquests either (providers.caldav.quick), nor Jinja2 while no
    follow-up is due (the interview is tomorrow), nor tenacity while no request fails."""
    config, _, cal_url, proxy = setup
    put(server, cal_url + "iv.ics", interview_ics(IV_START))
    dav = config.account("dav")
    path = write_config(tmp_path / "once.toml", {
        "daemon": {"state_dir": str(config.daemon["state_dir"]), "timezone": "UTC"},
        "accounts": [{"name": "dav", "type": "caldav", "url": dav["url"], "username": dav["username"],
                      "password_env": "SYNCD_TEST_DAV_PASSWORD", "calendars": dav["calendars"]}],
        "interviews": {"self": [ME]}, "followup": {"drafts_dir": str(tmp_path / "drafts")}})
    env = {**os.environ, "SYNCD_TEST_DAV_PASSWORD": server.password}
    loaded = ("caldav", "niquests", "icalendar", "jinja2", "tenacity", "syncd.plan", "syncd.detect")
    script = ("import json, sys\nfrom syncd.cli import main\ncode = main(sys.argv[1:])\n"
              f"print(json.dumps([m for m in {loaded!r} if m in sys.modules]))\nsys.exit(code)")
    runs = []
    for _ in range(2):
        proxy.reset()
        done = subprocess.run([sys.executable, "-c", script, "--config", str(path), "once"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        runs.append((json.loads(done.stdout), [method for method, _ in proxy.log]))
    # the first signs in, reads and writes the blocks through the quick client too
    assert not {"caldav", "niquests", "jinja2", "tenacity"} & set(runs[0][0]), runs[0]
    assert "syncd.plan" in runs[0][0], runs[0]
    assert runs[1] == ([], ["REPORT"]), runs[1]


def test_moving_the_interview_on_the_server_moves_its_buffers(server, setup, monkeypatch):
    monkeypatch.setenv("SYNCD_TEST_DAV_PASSWORD", server.password)
    config, _, cal_url, _ = setup
    put(server, cal_url + "iv.ics", interview_ics(IV_START))
    run_cycles(config)
    put(server, cal_url + "iv.ics", interview_ics(IV_START + timedelta(hours=4)))
    [report] = run_cycles(config)
    assert sorted(op.split(":", 1)[1].split()[0] for op in report.ops) == ["move", "move"]
    assert owned_kinds(server, cal_url) == ["buffer-after", "buffer-before"]


def test_the_server_going_away_is_reported_and_the_local_account_goes_on(server, setup, monkeypatch):
    monkeypatch.setenv("SYNCD_TEST_DAV_PASSWORD", server.password)
    config, folder, _, proxy = setup
    proxy.stop()  # nothing listens on the account's URL any more
    (folder / "iv.ics").write_text(user_ics("iv-local", "Onsite interview – Acme (1 Main St)", IV_START,
                                            IV_START + timedelta(hours=1)).replace(
        "SUMMARY", "ORGANIZER:mailto:jobs@acme.example\r\nLOCATION:1 Main St\\, Springfield\r\nSUMMARY"))
    [report] = run_cycles(config)
    assert "dav" in report.failed and "Traceback" not in report.failed["dav"]
    assert any(f.name.startswith("syncd-") for f in folder.iterdir())
    state = State.open(config.daemon["state_dir"])
    try:
        accounts = {a["name"]: a for a in status_data(config, state, NOW)["accounts"]}
    finally:
        state.close()
    assert accounts["dav"]["last_error"] and accounts["home"]["last_error"] is None


def test_the_hostile_corpus_on_the_server(server, setup, monkeypatch, caplog):
    """tests/hostile PUT as another client would (what the server refuses never reaches syncd):
    two cycles end, the interview beside it is planned, no user resource changes, and the
    second cycle has nothing to warn about."""
    from tests.hostile import cases

    monkeypatch.setenv("SYNCD_TEST_DAV_PASSWORD", server.password)
    config, _, cal_url, _ = setup
    put(server, cal_url + "iv.ics", interview_ics(IV_START))
    stored = {}
    for entry in cases(NOW, small=True):
        status, _, _ = request("PUT", cal_url + entry.name, entry.text.encode(), auth=server.auth(),
                               headers={"Content-Type": "text/calendar"})
        if status in (201, 204):
            stored[entry.name] = etag(server, cal_url + entry.name)
    assert "secondly-forever.ics" in stored and "newline-summary.ics" in stored
    caplog.set_level("WARNING")
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        first = engine.cycle(NOW)
        caplog.clear()
        second = engine.cycle(NOW)
    finally:
        engine.close()
        state.close()
    assert not first.failed and not second.failed and second.ops == []
    assert [r.getMessage() for r in caplog.records] == []
    assert {"buffer-before", "buffer-after"} <= set(owned_kinds(server, cal_url))
    assert {name: etag(server, cal_url + name) for name in stored} == stored
