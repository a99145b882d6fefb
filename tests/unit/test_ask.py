"""Asking the owner: the durable question, what falls due when, learning from a miss, the
page's guards (secret, Host, same origin, escaping), all without a browser or a daemon."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.client import HTTPConnection

import pytest

from syncd.ask import questions
from syncd.ask.asker import Asker
from syncd.ask.policy import due_steps
from syncd.ask.address import page_url
from syncd.ask.web import PageServer, host_allowed
from syncd.learn import learning_from
from syncd.plan import make_plan
from syncd.state import State
from tests.unit.test_plan import NOW, by_kind, interview, make_config

END = NOW + timedelta(hours=1)


@pytest.fixture
def state(tmp_path):
    opened = State.open(tmp_path / "state")
    yield opened
    opened.close()


def test_the_first_answer_wins_and_codes_are_checked(state):
    q = questions.ask(state, "r1", "IV", NOW)
    assert questions.ask(state, "r1", "IV", NOW).code == q.code, "asking again keeps the question"
    assert questions.record_answer(state, "attended", "ntfy", NOW, code="wrong") == "refused"
    assert questions.record_answer(state, "bogus", "ntfy", NOW, code=q.code) == "refused"
    assert questions.record_answer(state, "missed", "ntfy", NOW, code=q.code) == "recorded"
    assert questions.record_answer(state, "attended", "web", NOW, ref="r1") == "duplicate"
    assert questions.record_answer(state, "attended", "ntfy", NOW, code=q.code) == "duplicate"
    [pending] = questions.pending(state)
    assert (pending.answer, pending.channel, pending.state) == ("missed", "ntfy", "answered")
    questions.mark_acted(state, "r1")
    assert questions.pending(state) == []


def test_answers_racing_from_many_threads_count_once(tmp_path):
    State.open(tmp_path / "s").close()
    first = State.open(tmp_path / "s")
    code = questions.ask(first, "r1", "IV", NOW).code
    first.close()
    outcomes: list[str] = []

    def answer(channel: str) -> None:
        s = State.open(tmp_path / "s")
        outcomes.append(questions.record_answer(s, "attended", channel, NOW, code=code))
        s.close()

    threads = [threading.Thread(target=answer, args=(f"c{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate"] * 7 + ["recorded"]


def test_steps_fall_due_in_order_and_once(state):
    config = make_config(ask={"after": "15m"}, followup={"grace": "2h"})
    iv = make_plan([interview(start=NOW, minutes=60)], config, NOW).interviews
    at = lambda minutes: END + timedelta(minutes=minutes)  # noqa: E731
    assert due_steps(iv, {}, {}, config, at(10)) == []
    assert [d.step for d in due_steps(iv, {}, {}, config, at(15))] == ["ask"]
    asked = {iv[0].ref: questions.ask(state, iv[0].ref, "", at(15))}
    assert due_steps(iv, {}, asked, config, at(30)) == []
    assert [d.step for d in due_steps(iv, {}, asked, config, at(70))] == ["remind"]
    assert [d.step for d in due_steps(iv, {}, asked, config, at(120))] == ["expire"]
    assert [d.step for d in due_steps(iv, {iv[0].ref: "attended"}, asked, config, at(30))] == ["close"]
    assert due_steps(iv, {iv[0].ref: "attended"}, {}, config, at(30)) == [], "acknowledged: never asked"


def test_an_answer_recorded_before_a_crash_is_acted_on_once(tmp_path):
    config = make_config(daemon={"state_dir": str(tmp_path / "state"), "timezone": "Europe/Berlin"},
                         followup={"drafts_dir": str(tmp_path / "drafts")})
    state = State.open(tmp_path / "state")
    plan = make_plan([interview(start=NOW, minutes=60)], config, END + timedelta(minutes=20))
    ref = plan.interviews[0].ref
    questions.ask(state, ref, "IV", NOW)
    assert questions.record_answer(state, "attended", "web", NOW, ref=ref) == "recorded"
    # ... the process dies here; the next one acts, and acting again changes nothing.
    for _ in range(2):
        Asker(config, []).act(state, plan, END + timedelta(minutes=21))
    assert state.acks() == {ref: "attended"}
    assert len(list((tmp_path / "drafts" / "cur").iterdir())) == 1
    assert state.followups()[ref]["kind"] == "thank-you"
    state.close()


def test_learning_widens_prep_and_travel_and_adds_alarms_for_the_period_only():
    config = make_config(buffers={"before": "20m"}, travel={"default_minutes": 40})
    missed = NOW - timedelta(days=3)
    learning = learning_from({"old": ("missed", missed)}, config.learn, NOW)
    assert learning is not None and learning.until == missed + timedelta(days=60)
    plain = by_kind(make_plan([interview()], config, NOW).artifacts)
    strong = by_kind(make_plan([interview()], config, NOW, learning=learning).artifacts)
    assert strong["buffer-before"].end - strong["buffer-before"].start == timedelta(minutes=30)
    assert strong["travel-to"].end - strong["travel-to"].start == timedelta(minutes=60)
    assert strong["travel-to"].end == strong["buffer-before"].start
    prep, start = strong["buffer-before"], interview().start
    leads = sorted(start - (prep.start - a.before) for a in prep.alarms)
    assert leads == [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(days=1)]
    assert len(plain["buffer-before"].alarms) == 2
    assert learning_from({"old": ("missed", missed)}, config.learn, missed + timedelta(days=60)) is None
    off = make_config(learn={"enabled": False})
    assert learning_from({"old": ("missed", missed)}, off.learn, NOW) is None
    # No churn: every moment inside the period plans the same artifacts.
    mid = learning_from({"old": ("missed", missed)}, config.learn, NOW + timedelta(days=40))
    again = by_kind(make_plan([interview()], config, NOW, learning=mid).artifacts)
    assert again == strong


def test_the_host_header_must_be_an_ip_literal_or_localhost_with_our_port():
    assert host_allowed("127.0.0.1:8737", 8737) and host_allowed("localhost:8737", 8737)
    assert host_allowed("[::1]:8737", 8737)
    assert not host_allowed("evil.example:8737", 8737), "a DNS-rebinding name"
    assert not host_allowed("127.0.0.1:80", 8737) and not host_allowed(None, 8737)


@pytest.fixture
def page(tmp_path):
    config = make_config(daemon={"state_dir": str(tmp_path / "state"), "timezone": "Europe/Berlin"},
                         web={"listen": "127.0.0.1:0"}, followup={"drafts_dir": str(tmp_path / "d")})
    server = PageServer(config)
    server.start(Asker(config, [server]))
    yield config, server
    server.stop()


def request(server: PageServer, method: str, path: str, headers: dict | None = None, body: str = ""):
    conn = HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, path, body=body or None,
                 headers={"Host": f"127.0.0.1:{server.port}", **(headers or {})})
    response = conn.getresponse()
    data = response.read().decode()
    conn.close()
    return response, data


def test_without_the_secret_the_page_shows_and_changes_nothing(page, tmp_path):
    config, server = page
    secret = server.secret
    assert (tmp_path / "state" / "web-secret").stat().st_mode & 0o777 == 0o600
    assert page_url(config, State.open(tmp_path / "state")).endswith(f":{server.port}/{secret}/")
    ok, text = request(server, "GET", f"/{secret}/")
    assert ok.status == 200 and "Upcoming interviews" in text
    assert ok.getheader("Access-Control-Allow-Origin") is None
    for path in ("/", "/x/", f"/{secret[:-1]}/", f"/{secret}x/"):
        response, text = request(server, "GET", path)
        assert response.status == 404 and "interview" not in text.lower()
    response, _ = request(server, "GET", f"/{secret}/", {"Host": f"rebind.example:{server.port}"})
    assert response.status == 421
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response, _ = request(server, "POST", f"/{secret}/answer", {**form, "Origin": "https://evil.example"},
                          "ref=x&answer=attended")
    assert response.status == 403
    response, _ = request(server, "POST", f"/{secret}/answer", {**form, "Sec-Fetch-Site": "cross-site"},
                          "ref=x&answer=attended")
    assert response.status == 403
    response, _ = request(server, "OPTIONS", f"/{secret}/answer", {"Origin": "https://evil.example"})
    assert response.status == 405 and response.getheader("Access-Control-Allow-Origin") is None
    response, _ = request(server, "POST", "/nosecret/answer", form, "ref=x&answer=attended")
    assert response.status == 404


def test_every_calendar_string_is_escaped(tmp_path):
    from syncd.ask.page import _ENV

    hostile = {"ref": "r", "summary": "<script>alert(1)</script>", "company": "<b>", "location": "\"'><img>",
               "format": "video", "when": "", "until": "", "clock": "", "blocks": [], "clashes": ["<i>x</i>"],
               "started": True, "past": False, "question": None, "ack": None, "followup": None}
    html = _ENV.get_template("page.html").render(upcoming=[hostile], recent=[], week=[], said="", now="",
                                                 learning="", accounts=[], conflicts=[])
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img>" not in html and "<i>x</i>" not in html



class Recorder:
    """A channel that remembers what it was asked to do."""

    name = "fake"

    def __init__(self) -> None:
        self.sent: list[tuple[str, bool]] = []
        self.withdrawn: list[str] = []

    def start(self, asker) -> None:
        pass

    def send(self, question, interview, reminder):
        self.sent.append((question.ref, reminder))
        return f"id-{len(self.sent)}"

    def withdraw(self, question) -> None:
        self.withdrawn.append(question.ref)

    def stop(self) -> None:
        pass


def test_asked_once_reminded_once_then_expired_even_across_restarts(tmp_path):
    config = make_config(daemon={"state_dir": str(tmp_path / "state"), "timezone": "Europe/Berlin"},
                         followup={"drafts_dir": str(tmp_path / "drafts"), "grace": "2h"},
                         ask={"after": "15m"})
    plan = make_plan([interview(start=NOW, minutes=60)], config, NOW)
    ref = plan.interviews[0].ref
    channel = Recorder()
    for minutes in (20, 25, 30):  # three cycles, a "restart" (a new Asker) between each
        state = State.open(tmp_path / "state")
        Asker(config, [channel]).after_cycle(state, plan, END + timedelta(minutes=minutes))
        state.close()
    assert channel.sent == [(ref, False)]
    state = State.open(tmp_path / "state")
    assert questions.get(state, ref).sent == {"fake": "id-1"}
    for minutes in (80, 90):
        Asker(config, [channel]).after_cycle(state, plan, END + timedelta(minutes=minutes))
    assert channel.sent == [(ref, False), (ref, True)]
    Asker(config, [channel]).after_cycle(state, plan, END + timedelta(minutes=121))
    assert questions.get(state, ref).state == "expired" and channel.withdrawn == [ref]
    # An answer after the grace still counts (it turns the apology into a thank-you), once.
    assert questions.record_answer(state, "attended", "web", END, ref=ref) == "recorded"
    Asker(config, [channel]).act(state, plan, END + timedelta(minutes=130))
    assert state.acks()[ref] == "attended" and channel.withdrawn == [ref, ref]
    state.close()


def test_status_says_when_interviews_are_strengthened(tmp_path):
    from syncd.status import render_text, status_data

    config = make_config(daemon={"state_dir": str(tmp_path / "state"), "timezone": "Europe/Berlin"},
                         web={"listen": "127.0.0.1:8737"})
    state = State.open(tmp_path / "state")
    state.set_ack("gone", "missed", NOW - timedelta(days=1))
    data = status_data(config, state, NOW)
    text = render_text(data, NOW, config.tz)
    assert "strengthened after the miss on Sun 29 Nov 09:00, until Thu 28 Jan 09:00" in text
    assert data["page"].startswith("http://127.0.0.1:8737/") and data["page"] in text
    state.close()


def test_a_hostile_title_cannot_mark_up_a_desktop_notification():
    from syncd.ask.desktop import notification_body

    title = '<a href="https://evil.example">Click</a> & <img src=x>'
    assert notification_body(title, "Mon", markup=True) == \
        '&lt;a href="https://evil.example"&gt;Click&lt;/a&gt; &amp; &lt;img src=x&gt; (Mon)'
    assert notification_body(title, "Mon", markup=False).startswith("<a href")
    assert len(notification_body("x" * 10_000, "Mon", markup=False)) < 220
