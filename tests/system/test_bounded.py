"""A cycle is a budget: a server that never finishes answering costs its own account the
cycle, and nothing else; SIGTERM is honoured even while a request hangs.

Each test runs the real ``syncd`` as a process next to a local demo folder, with a CalDAV
account pointed at a :class:`tests.stalling.StallingServer`. The CalDAV account keeps the
default per-request ``timeout`` (60 s): only its per-cycle ``deadline`` can end its sync. The
processes are given far less time than the old behaviour needed (60 s per request, four tries)
and a little more than the deadline, so a regression hangs the test instead of passing it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from syncd.demo import seed
from tests.configs import append_account
from tests.stalling import StallingServer
from tests.system.test_local_loop import EXPECTED  # the demo's artifacts, said in one place

SYNCD = str(Path(sys.executable).parent / "syncd")
DEADLINE = 10  # seconds, the CalDAV account's deadline: enough to reach the server on a busy machine
ENOUGH = 90  # seconds: a once that has not ended by then did not honour the deadline (it used to take 240)
STOP_TIMEOUT = 30  # systemd's TimeoutStopSec in systemd/syncd.service


def with_stalled_account(tmp_path: Path, url: str, deadline: str) -> Path:
    """The demo config plus a CalDAV account at ``url`` with the default request timeout."""
    return append_account(seed(tmp_path / "demo"), name="slow", type="caldav", url=url,
                          username="alex", password="secret", deadline=deadline)


def kinds(config: Path) -> list[str]:
    out = []
    for path in (config.parent / "calendars" / "personal").glob("syncd-*.ics"):
        line = next(x for x in path.read_text().splitlines() if x.startswith("X-SYNCD-KIND:"))
        out.append(line.split(":", 1)[1])
    return sorted(out)


def env() -> dict[str, str]:
    return {**os.environ, "SYNCD_RETRY_BASE": "0.01"}


@pytest.mark.parametrize("mode", ["silent", "trickle"])
def test_a_stalling_server_fails_its_account_within_the_deadline_and_the_others_go_on(tmp_path, mode):
    with StallingServer(mode, every=2.0) as server:
        config = with_stalled_account(tmp_path, server.url, f"{DEADLINE}s")
        done = subprocess.run([SYNCD, "--config", str(config), "once"], capture_output=True,
                              text=True, timeout=ENOUGH, env=env())
        assert server.requests.is_set(), "the CalDAV account never reached the server"
    assert done.returncode == 75, done.stderr
    assert "Traceback" not in done.stderr
    assert kinds(config) == EXPECTED  # the local folder was planned and written all the same
    status = subprocess.run([SYNCD, "--config", str(config), "status", "--json"],
                            capture_output=True, text=True, timeout=ENOUGH, env=env())
    accounts = {a["name"]: a for a in json.loads(status.stdout)["accounts"]}
    assert accounts["demo"]["last_error"] is None
    assert f"deadline of {DEADLINE}s" in accounts["slow"]["last_error"]


def test_sigterm_is_honoured_while_a_request_hangs(tmp_path):
    with StallingServer("silent") as server:
        config = with_stalled_account(tmp_path, server.url, "10m")
        proc = subprocess.Popen([SYNCD, "--config", str(config), "run"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, env=env())
        try:
            assert server.requests.wait(ENOUGH), "the daemon never reached the server"
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=STOP_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
            _, stderr = proc.communicate()
    assert code == 0, stderr
    assert "syncd stopped" in stderr
    assert "Traceback" not in stderr
