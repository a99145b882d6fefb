"""Asking on the desktop, end to end: the daemon as a process, a private D-Bus session bus and
a notification server that presses the buttons."""

from __future__ import annotations

import pytest

from tests.fakes.notifications import NotificationServer, PrivateBus, dbus_daemon
from tests.servers import free_port
from tests.system.asking import Running, drafts_for, just_ended_ref, seed_asking, wait_until

pytestmark = pytest.mark.skipif(dbus_daemon() is None, reason="needs dbus-daemon: apt-get install dbus")


@pytest.fixture
def bus(tmp_path):
    private = PrivateBus(str(tmp_path))
    server = NotificationServer(private.address)
    yield private, server
    server.stop()
    private.stop()


def test_a_desktop_button_drafts_once_and_forgeries_are_refused(tmp_path, bus):
    private, server = bus
    config = seed_asking(tmp_path / "demo", f'desktop = true\n[web]\nlisten = "127.0.0.1:{free_port()}"\n')
    daemon = Running(config, env={"DBUS_SESSION_BUS_ADDRESS": private.address})
    try:
        [shown] = server.wait_shown(1)
        assert shown["app"] == "syncd" and "Initech" in shown["body"]
        assert list(shown["actions"]) == ["Attended", "Missed", "Dismiss"]
        server.invoke(shown["id"], "forged-code attended")
        daemon.wait_log("Refused an answer from desktop")
        server.invoke(shown["id"], shown["actions"]["Attended"])
        wait_until(lambda: [k for _, k in drafts_for(config, just_ended_ref())] == ["thank-you"],
                   "the thank-you draft", proc=daemon.proc, log=daemon.log_path)
        server.invoke(shown["id"], shown["actions"]["Missed"])
        daemon.wait_log("Ignored a later answer from desktop")
        assert [k for _, k in drafts_for(config, just_ended_ref())] == ["thank-you"]
        assert daemon.stop() == 0
    finally:
        daemon.close()
    assert len(server.shown) == 1


def test_an_answer_on_the_page_closes_the_desktop_notification(tmp_path, bus):
    import json
    import subprocess

    import httpx

    from tests.system.asking import SYNCD

    private, server = bus
    config = seed_asking(tmp_path / "demo", f'desktop = true\n[web]\nlisten = "127.0.0.1:{free_port()}"\n')
    daemon = Running(config, env={"DBUS_SESSION_BUS_ADDRESS": private.address})
    try:
        [shown] = server.wait_shown(1)
        out = subprocess.run([SYNCD, "--config", str(config), "status", "--json"], capture_output=True,
                             text=True, check=True)
        page = json.loads(out.stdout)["page"]
        answer = httpx.post(page + "answer", data={"ref": just_ended_ref(), "answer": "dismissed"})
        assert answer.status_code == 303
        wait_until(lambda: server.closed == [shown["id"]], "CloseNotification", proc=daemon.proc,
                   log=daemon.log_path)
        assert drafts_for(config, just_ended_ref()) == []
        assert daemon.stop() == 0
    finally:
        daemon.close()
