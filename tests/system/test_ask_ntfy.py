"""Asking over ntfy, end to end: the daemon as a process, a fake ntfy server, the phone's taps."""

from __future__ import annotations

import signal
import threading

import httpx
import pytest

from tests.fakes.ntfy import FakeNtfy, PhoneApp
from tests.servers import free_port
from tests.system.asking import Running, drafts_for, just_ended_ref, seed_asking, wait_until

TOPIC = "syncd-test-7f3a9c"
TOKEN = "tk_testtoken0123456789abcdefghi"


@pytest.fixture
def ntfy():
    server = FakeNtfy(token=TOKEN, keepalive=0.5).start()
    yield server
    server.stop()


@pytest.fixture
def config(tmp_path, ntfy):
    return seed_asking(tmp_path / "demo", f'ntfy = "{ntfy.url}/{TOPIC}"\nntfy_token_env = "NTFY_TOKEN"\n'
                                          f'[web]\nlisten = "127.0.0.1:{free_port()}"\n')


def run(config, **kw) -> Running:
    return Running(config, env={"NTFY_TOKEN": TOKEN}, **kw)


def question(ntfy) -> dict:
    [message] = [m for m in ntfy.wait_for(TOPIC, 1) if m.get("actions")][:1]
    return message


def test_an_answer_from_the_phone_drafts_the_thank_you_once(config, ntfy):
    daemon = run(config)
    try:
        message = question(ntfy)
        assert [a["label"] for a in message["actions"]] == ["Attended", "Missed", "Dismiss"]
        assert all(a["action"] == "http" and a["url"].endswith(f"/{TOPIC}-reply") for a in message["actions"])
        assert "Initech" in message["message"] and message["click"].startswith("http://127.0.0.1:")
        phone = PhoneApp(TOKEN)
        # A forged reply (someone who knows the reply topic but not the code) is refused.
        httpx.post(f"{ntfy.url}/{TOPIC}-reply", content="not-the-code attended",
                   headers={"Authorization": f"Bearer {TOKEN}"})
        daemon.wait_log("Refused an answer from ntfy")
        assert phone.tap(message, "Attended").status_code == 200
        wait_until(lambda: [k for _, k in drafts_for(config, just_ended_ref())] == ["thank-you"],
                   "the thank-you draft", proc=daemon.proc, log=daemon.log_path)
        # The same tap again (a replay) is ignored; the draft stays the only one.
        phone.tap(message, "Missed")
        daemon.wait_log("Ignored a later answer from ntfy")
        assert [k for _, k in drafts_for(config, just_ended_ref())] == ["thank-you"]
        assert daemon.stop() == 0
    finally:
        daemon.close()
    assert TOKEN not in daemon.log()


def test_kill_9_around_an_answer_loses_nothing_and_asks_once(config, ntfy):
    daemon = run(config)
    try:
        message = question(ntfy)
        PhoneApp(TOKEN).tap(message, "Missed")
        daemon.proc.send_signal(signal.SIGKILL)  # somewhere between receiving and acting
        daemon.proc.wait()
    finally:
        daemon.close()
    again = run(config, name="again")
    try:
        wait_until(lambda: [k for _, k in drafts_for(config, just_ended_ref())] == ["apology"],
                   "the apology after the restart", proc=again.proc, log=again.log_path)
        again.wait_log("syncd started")
        assert again.stop() == 0
    finally:
        again.close()
    asked = [m for m in ntfy.messages(TOPIC) if m.get("actions")]
    assert len(asked) == 1, "a restart must not ask again"
    assert [k for _, k in drafts_for(config, just_ended_ref())] == ["apology"]


def test_the_page_and_the_phone_answering_at_once_count_once(config, ntfy):
    daemon = run(config)
    try:
        message = question(ntfy)
        page = wait_until(lambda: _page_url(config), "the page's address")
        results = {}

        def tap() -> None:
            results["phone"] = PhoneApp(TOKEN).tap(message, "Attended").status_code

        def click() -> None:
            results["web"] = httpx.post(page + "answer", data={"ref": just_ended_ref(), "answer": "missed"},
                                        headers={"Origin": page.split("/", 3)[0] + "//" + page.split("/")[2]},
                                        follow_redirects=False).status_code

        threads = [threading.Thread(target=tap), threading.Thread(target=click)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == {"phone": 200, "web": 303}
        daemon.wait_log(r"Answer from (web|ntfy)")
        daemon.wait_log(r"Ignored a later answer from (web|ntfy)|Refused an answer", timeout=60)
        wait_until(lambda: len(drafts_for(config, just_ended_ref())) == 1, "one draft", proc=daemon.proc,
                   log=daemon.log_path)
        assert len(drafts_for(config, just_ended_ref())) == 1
        assert daemon.log().count("Answer from ") == 1
        assert daemon.stop() == 0
    finally:
        daemon.close()


def _page_url(config) -> str | None:
    from syncd.ask.address import page_url
    from syncd.config import load
    from syncd.state import State

    cfg = load(config)
    state = State.open(cfg.daemon["state_dir"])
    try:
        return page_url(cfg, state) if state.setting("web.port") else None
    finally:
        state.close()
