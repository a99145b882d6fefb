"""A Hypothesis state machine drives the engine through random edits, crashes and restarts.

After every clean cycle the calendar holds exactly the desired artifacts (no duplicate, no
orphan) and every user file is byte-for-byte what the user last wrote.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from providers.local import LocalProvider
from syncd.config import validate
from syncd.cycle import Engine
from syncd.errors import TransientError
from syncd.state import State

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
OWNER = "me@example.org"


def event_ics(uid: str, summary: str, start: datetime, minutes: int, location: str, organizer: str) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", f"UID:{uid}",
        f"DTSTAMP:{start:{fmt}}", f"DTSTART:{start:{fmt}}",
        f"DTEND:{start + timedelta(minutes=minutes):{fmt}}", f"SUMMARY:{summary}",
        f"LOCATION:{location}", f"ORGANIZER:mailto:{organizer}", "END:VEVENT", "END:VCALENDAR", ""])


class Crash(Exception):
    """Stands for the process dying mid-cycle."""


class EngineMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="syncd-machine-"))
        self.folder = self.root / "cal" / "work"
        self.folder.mkdir(parents=True)
        self.config = validate({
            "daemon": {"state_dir": str(self.root / "state"), "timezone": "UTC", "horizon": "14d"},
            "accounts": [{"name": "home", "type": "local", "path": str(self.root / "cal")}],
            "interviews": {"self": [OWNER], "include": ["^IV "]},
            "followup": {"drafts_dir": str(self.root / "drafts")},
        }, self.root / "config.toml")
        self.user: dict[str, bytes] = {}
        self.counter = 0
        self.clean = False
        self._open()

    def _open(self):
        self.state = State.open(self.config.daemon["state_dir"])
        self.engine = Engine(self.config, self.state)

    def teardown(self):
        self.state.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _write(self, name: str, text: str):
        (self.folder / name).write_text(text)
        self.user[name] = (self.folder / name).read_bytes()
        self.clean = False

    @rule(hours=st.integers(1, 300), minutes=st.sampled_from([30, 45, 60, 90]),
          in_person=st.booleans(), interview=st.booleans())
    def add_event(self, hours, minutes, in_person, interview):
        self.counter += 1
        uid = f"ev-{self.counter}"
        summary = f"IV Acme round {self.counter}" if interview else f"Meeting {self.counter}"
        location = "1 Market St, San Francisco" if in_person else "https://zoom.us/j/1"
        start = NOW + timedelta(hours=hours)
        self._write(f"{uid}.ics", event_ics(uid, summary, start, minutes, location, "hr@acme.test"))

    @precondition(lambda self: self.user)
    @rule(data=st.data(), shift=st.integers(-48, 48))
    def move_event(self, data, shift):
        name = data.draw(st.sampled_from(sorted(self.user)))
        text = (self.folder / name).read_text()
        lines = text.split("\r\n")
        for i, line in enumerate(lines):
            if line.startswith(("DTSTART:", "DTEND:")):
                key, value = line.split(":", 1)
                moved = datetime.strptime(value, "%Y%m%dT%H%M%SZ") + timedelta(hours=shift)
                lines[i] = f"{key}:{moved:%Y%m%dT%H%M%SZ}"
        self._write(name, "\r\n".join(lines))

    @precondition(lambda self: self.user)
    @rule(data=st.data())
    def delete_event(self, data):
        name = data.draw(st.sampled_from(sorted(self.user)))
        (self.folder / name).unlink()
        del self.user[name]
        self.clean = False

    @rule()
    def cycle(self):
        report = self.engine.cycle(NOW)
        assert not report.failed
        self.clean = not report.held and not report.suspects

    @rule(after=st.integers(0, 6))
    def crash_mid_cycle(self, after):
        """The process dies after ``after`` writes; a new process starts on the same state."""
        calls = {"n": 0}
        real_create = LocalProvider.create

        def dying_create(provider, calendar, artifact):
            calls["n"] += 1
            if calls["n"] > after:
                raise Crash()
            return real_create(provider, calendar, artifact)

        LocalProvider.create = dying_create
        try:
            self.engine.cycle(NOW)
        except Crash:
            pass
        finally:
            LocalProvider.create = real_create
        self.state.close()
        self._open()
        self.clean = False

    @rule()
    def flaky_writes(self):
        """Every write fails as if the disk were away: nothing lost, the next cycle catches up."""
        real = LocalProvider.create

        def failing(*args, **kwargs):
            raise TransientError("disk away")

        LocalProvider.create = failing
        try:
            self.engine.cycle(NOW)
        finally:
            LocalProvider.create = real
        self.clean = False

    @rule()
    def lose_state(self):
        self.state.close()
        shutil.rmtree(self.config.daemon["state_dir"])
        self._open()
        self.clean = False

    @invariant()
    def user_files_untouched(self):
        for name, data in self.user.items():
            assert (self.folder / name).read_bytes() == data
        stray = {p.name for p in self.folder.glob("*.ics")} - set(self.user)
        assert all(n.startswith("syncd-") for n in stray)

    @invariant()
    def exactly_the_desired_artifacts_after_a_clean_cycle(self):
        if not self.clean:
            return
        owned = sorted(p.name[len("syncd-"):-len(".ics")] for p in self.folder.glob("syncd-*.ics"))
        report = Engine(self.config, self.state, dry_run=True).cycle(NOW)
        desired = sorted(a.key for a in report.plan.artifacts)
        assert owned == desired
        assert report.ops == []


EngineMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestEngineMachine = EngineMachine.TestCase
