"""``syncd run`` as systemd runs it: the notify protocol, signals, reloads, scheduling, logs.

Each test starts the real console script as a subprocess on a seeded demo folder, with
``NOTIFY_SOCKET`` pointing at a datagram socket the test binds, the way systemd does.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from syncd.demo import OWNER, _ics, seed
from syncd.reconcile import owned_in
from syncd.state import State

STOP_TIMEOUT = 30  # seconds: systemd's TimeoutStopSec (systemd/syncd.service); no wall-clock race
SYNCD = str(Path(sys.executable).parent / "syncd")
EXPECTED_OWNED = 5  # the demo's artifacts: see EXPECTED in tests/system/test_local_loop.py


class NotifySocket:
    """What systemd would hear: every sd_notify datagram, collected by a thread."""

    def __init__(self, address: str):
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)
        self.sock.settimeout(0.2)
        self.messages: list[str] = []
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while not self.closed.is_set():
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue
            except OSError:
                return

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 30) -> list[str]:
        """Wait until ``predicate(messages)`` holds; returns the messages."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(list(self.messages)):
                return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"timed out; sd_notify messages so far: {self.messages}")

    def close(self) -> None:
        self.closed.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def demo(tmp_path) -> Path:
    return seed(tmp_path / "demo")


@pytest.fixture
def notify(tmp_path) -> Iterator[NotifySocket]:
    listener = NotifySocket(str(tmp_path / "notify.sock"))
    yield listener
    listener.close()


class Daemon:
    """A running ``syncd run`` and its log file."""

    def __init__(self, config: Path, notify: NotifySocket, *args: str, env: dict[str, str] | None = None):
        self.log_path = config.parent / "daemon.log"
        self.log_file = self.log_path.open("w")
        self.env = {**os.environ, "NOTIFY_SOCKET": notify.address, "SYNCD_RETRY_BASE": "0.01", **(env or {})}
        self.env.pop("JOURNAL_STREAM", None)
        self.proc = subprocess.Popen([SYNCD, *args, "--config", str(config), "run"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=self.log_file)

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_log(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return self.log()
            assert self.proc.poll() is None, self.log()
            time.sleep(0.02)
        raise AssertionError(f"{text!r} not logged:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> tuple[int, float]:
        """Send ``sig``; returns the exit code and how long the exit took."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        return code, time.monotonic() - started

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()


@pytest.fixture
def start(notify) -> Iterator[Callable[..., Daemon]]:
    daemons: list[Daemon] = []

    def run(config: Path, *args: str, env: dict[str, str] | None = None) -> Daemon:
        daemons.append(Daemon(config, notify, *args, env=env))
        return daemons[-1]

    yield run
    for daemon in daemons:
        daemon.close()


def cli(config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "SYNCD_RETRY_BASE": "0.01", **(env or {})}
    full.pop("JOURNAL_STREAM", None)
    return subprocess.run([SYNCD, *args[:-1], "--config", str(config), args[-1]] if args else [SYNCD],
                          capture_output=True, text=True, timeout=120, env=full)


def owned_files(config: Path) -> dict[str, bytes]:
    folder = config.parent / "calendars" / "personal"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("syncd-*.ics"))}


def keys_on_disk(config: Path) -> list[str]:
    out = []
    for text in owned_files(config).values():
        out += [line.split(":", 1)[1] for line in text.decode().splitlines() if line.startswith("X-SYNCD-KEY:")]
    return out


def keys_in_state(config: Path) -> list[str]:
    state = State.open(config.parent / "state")
    try:
        return sorted(o.key for o in owned_in(state.items()))
    finally:
        state.close()


def fast(config: Path) -> Path:
    """The demo config with a one-second poll interval, so cycles come quickly."""
    config.write_text(config.read_text().replace('poll_interval = "1m"', 'poll_interval = "1s"'))
    return config


def cycles_done(count: int) -> Callable[[list[str]], bool]:
    return lambda messages: sum("accounts ok" in m or "account ok" in m for m in messages) >= count


# -- the notify protocol -------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["path", "abstract"])
def test_ready_status_watchdog_stopping(demo, tmp_path, kind):
    address = str(tmp_path / "n.sock") if kind == "path" else f"@syncd-test-{os.getpid()}-{time.time_ns()}"
    listener = NotifySocket(address)
    daemon = Daemon(demo, listener)
    try:
        messages = listener.wait_for(cycles_done(1))
        code, took = daemon.stop()
        assert code == 0 and took < STOP_TIMEOUT
        messages = listener.wait_for(lambda ms: any("STOPPING=1" in m for m in ms), timeout=5)
    finally:
        daemon.close()
        listener.close()
    lines = [line for m in messages for line in m.splitlines()]
    assert lines.index("READY=1") < next(i for i, x in enumerate(lines) if x.startswith("STATUS=1 account"))
    assert "STATUS=1 account ok, 1 interview ahead, 1 conflict" in lines
    assert "WATCHDOG=1" in lines
    assert lines[-1] == "STOPPING=1"
    assert len(owned_files(demo)) == EXPECTED_OWNED


# -- stopping ------------------------------------------------------------------------------

def add_interviews(config: Path, count: int) -> None:
    """Many more in-person interviews, so that the first cycle has hundreds of writes."""
    folder = config.parent / "calendars" / "personal"
    base = datetime.now(timezone.utc).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=2)
    for i in range(count):
        start = base + timedelta(days=i // 3, hours=3 * (i % 3))
        (folder / f"extra-{i}.ics").write_text(_ics(
            f"extra-{i}", f"Onsite interview – Engineer (Company{i})", start, 60,
            location="1 Market St, San Francisco", organizer=f"hr@company{i}.com",
            attendees=(("Alex Doe", OWNER),)))


def assert_converges_without_duplicates(config: Path, total: int) -> None:
    done = cli(config, "once")
    assert done.returncode == 0, done.stderr
    keys = keys_on_disk(config)
    assert len(keys) == len(set(keys)) == total
    assert keys_in_state(config) == sorted(keys)


def test_sigterm_during_the_first_cycle_finishes_the_write_and_records_it(demo, start, notify):
    add_interviews(demo, 60)
    daemon = start(demo)
    deadline = time.monotonic() + 60
    while not owned_files(demo) and time.monotonic() < deadline:
        time.sleep(0.005)
    code, took = daemon.stop()
    assert code == 0 and took < STOP_TIMEOUT
    log = daemon.log()
    assert "Stopping (SIGTERM)" in log and "Traceback" not in log
    written = keys_on_disk(demo)
    assert 0 < len(written) < EXPECTED_OWNED + 60 * 4, "the signal should land mid-cycle"
    assert keys_in_state(demo) == sorted(written)  # every write that happened is recorded
    assert not cycles_done(1)(notify.messages)  # no STATUS: the cycle was cut short
    assert_converges_without_duplicates(demo, EXPECTED_OWNED + 60 * 4)


def test_sigterm_while_sleeping_exits_at_once_and_leaves_nothing_to_do(demo, start, notify):
    daemon = start(demo)
    notify.wait_for(cycles_done(1))
    before = owned_files(demo)
    code, took = daemon.stop()
    assert code == 0 and took < STOP_TIMEOUT
    assert_converges_without_duplicates(demo, EXPECTED_OWNED)
    assert owned_files(demo) == before


def test_sigint_stops_too(demo, start, notify):
    daemon = start(demo)
    notify.wait_for(cycles_done(1))
    assert daemon.stop(signal.SIGINT)[0] == 0


# -- reloading -----------------------------------------------------------------------------

def test_sighup_keeps_the_old_config_when_the_new_one_is_broken(demo, start, notify):
    fast(demo)
    good = demo.read_text()
    daemon = start(demo)
    notify.wait_for(cycles_done(1))
    demo.write_text(good.replace('horizon = "30d"', 'horizon = "a month"'))
    daemon.proc.send_signal(signal.SIGHUP)
    log = daemon.wait_log("Config reload failed")
    errors = [line for line in log.splitlines() if "ERROR" in line]
    assert len(errors) == 1, errors
    assert str(demo) in errors[0] and "daemon.horizon" in errors[0] and "'a month'" in errors[0]
    seen = len(notify.messages)
    notify.wait_for(lambda ms: cycles_done(2)(ms[seen:]))  # still cycling on the old config
    demo.write_text(good.replace('after = "10m"', 'after = "20m"') if 'after = "10m"' in good
                    else good + '\n[buffers]\nafter = "20m"\n')
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.wait_log("Config reloaded from")
    seen = len(notify.messages)
    notify.wait_for(lambda ms: cycles_done(1)(ms[seen:]))
    assert any("RELOADING=1" in m for m in notify.messages)
    assert any("STATUS=Config reloaded" in m for m in notify.messages)
    decompress = [t for t in owned_files(demo).values() if b"X-SYNCD-KIND:buffer-after" in t]
    assert decompress and all(_minutes(t) == 20 for t in decompress)  # the new config is in force
    assert daemon.stop()[0] == 0


def _minutes(ics: bytes) -> int:
    fields = dict(line.split(":", 1) for line in ics.decode().splitlines() if line.startswith(("DTSTART", "DTEND")))
    fmt = "%Y%m%dT%H%M%SZ"
    start, end = (datetime.strptime(fields[k], fmt) for k in ("DTSTART", "DTEND"))
    return int((end - start).total_seconds() // 60)


def test_a_broken_config_at_start_exits_78(demo, start):
    demo.write_text(demo.read_text().replace('poll_interval = "1m"', 'poll_interval = 5'))
    daemon = start(demo)
    assert daemon.proc.wait(timeout=30) == 78
    assert "daemon.poll_interval" in daemon.log()


def test_an_unusable_state_dir_exits_78(demo, start, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    demo.write_text(demo.read_text().replace(f'state_dir = "{demo.parent}/state"',
                                             f'state_dir = "{blocker}/state"'))
    daemon = start(demo)
    assert daemon.proc.wait(timeout=30) == 78
    assert "daemon.state_dir" in daemon.log()


# -- scheduling ----------------------------------------------------------------------------

def test_a_failing_account_backs_off_without_holding_up_the_others(demo, start, notify):
    fast(demo)
    demo.write_text(demo.read_text() + '\n[[accounts]]\nname = "gone"\ntype = "local"\n'
                    'path = "/nonexistent/syncd"\n')
    daemon = start(demo)
    notify.wait_for(cycles_done(4))
    log = daemon.log()
    assert "gone: 1 sync in a row failed; next try in" in log
    assert log.count("gone: sync failed") == 1  # backing off: not retried every second
    assert any("STATUS=1 account ok, 1 failing (gone), 1 interview ahead, 1 conflict" in m
               for m in notify.messages)
    assert len(owned_files(demo)) == EXPECTED_OWNED
    assert daemon.stop()[0] == 0


# -- logging and secrets -------------------------------------------------------------------

PASSWORD_ENV = "env-Secret-4711"
PASSWORD_INLINE = "inline-Secret-0815"


class EchoingServer(BaseHTTPRequestHandler):
    """A careless server: refuses every request and quotes the credentials in its answer."""

    def _refuse(self) -> None:
        header = self.headers.get("Authorization", "")
        body = f"<error>denied. Authorization: {header}"
        if header.startswith("Basic "):
            body += f" (you sent {base64.b64decode(header[6:]).decode()})"
        data = (body + "</error>").encode()
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="cal"')
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = do_PUT = _refuse

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/dav/"
    server.shutdown()
    server.server_close()


def with_caldav_accounts(config: Path, url: str) -> None:
    config.write_text(config.read_text() + f"""
[[accounts]]
name = "work-env"
type = "caldav"
url = "{url}"
username = "alex"
password_env = "SYNCD_TEST_PW"

[[accounts]]
name = "work-inline"
type = "caldav"
url = "{url}"
username = "alex"
password = "{PASSWORD_INLINE}"
""")
    config.chmod(0o600)


def forbidden(password: str) -> list[str]:
    return [password, base64.b64encode(f"alex:{password}".encode()).decode()]


@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_debug_output_never_shows_a_password(demo, echo_server, fmt):
    with_caldav_accounts(demo, echo_server)
    done = cli(demo, "-v", "--log-format", fmt, "once", env={"SYNCD_TEST_PW": PASSWORD_ENV})
    output = done.stdout + done.stderr
    assert done.returncode == 75, output
    for secret in forbidden(PASSWORD_ENV) + forbidden(PASSWORD_INLINE):
        assert secret not in output
    lines = done.stderr.splitlines()
    if fmt == "json":
        records = [json.loads(line) for line in lines]
        assert {"time", "level", "logger", "message"} <= set(records[0])
        assert any(r["level"] == "DEBUG" for r in records)
        messages = [r["message"] for r in records]
    else:
        messages = lines
    failing = {m.group(1) for m in map(re.compile(r"(\S+): sync failed").search, messages) if m}
    assert failing == {"work-env", "work-inline"}  # the account name on the lines about it


def test_under_journald_lines_carry_a_priority_and_no_timestamp(demo, tmp_path):
    log_path = tmp_path / "journal-stream"
    with log_path.open("w") as stream:
        info = os.fstat(stream.fileno())
        env = {**os.environ, "JOURNAL_STREAM": f"{info.st_dev}:{info.st_ino}", "SYNCD_RETRY_BASE": "0.01"}
        done = subprocess.run([SYNCD, "--config", str(demo), "once"], stdout=subprocess.DEVNULL,
                              stderr=stream, env=env, timeout=120)
    assert done.returncode == 0
    lines = log_path.read_text().splitlines()
    assert lines and all(line.startswith(("<6>INFO: ", "<4>WARNING: ")) for line in lines), lines


# -- the watchdog inside a cycle -----------------------------------------------------------

def test_a_long_cycle_feeds_the_watchdog_between_accounts_and_writes(demo):
    from syncd.config import load
    from syncd.cycle import Engine

    beats = []
    config = load(demo)
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state, heartbeat=lambda: beats.append(len(owned_files(demo))))
    try:
        engine.cycle(datetime.now(timezone.utc))
    finally:
        engine.close()
        state.close()
    assert len(beats) >= EXPECTED_OWNED + 1  # after the account, then before each write
    assert sorted(set(beats)) == list(range(EXPECTED_OWNED))  # one before every write


def test_watchdog_pings_are_spaced(notify, monkeypatch):
    from syncd.daemon import Watchdog

    monkeypatch.setenv("NOTIFY_SOCKET", notify.address)
    clock = iter([0.0, 1.0, 4.9, 5.0, 5.1, 12.0])
    dog = Watchdog(every=5.0, clock=lambda: next(clock))
    for _ in range(6):
        dog.ping()
    notify.wait_for(lambda ms: len(ms) >= 3)
    time.sleep(0.1)
    assert notify.messages == ["WATCHDOG=1"] * 3
