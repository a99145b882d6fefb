"""An idle ``syncd once`` that rests (syncd.rest) ends exactly where a full cycle would.

Two identical worlds (a local calendar folder, a Maildir, a state) see the same edits at the
same clock times; one runs ``once`` as shipped, the other always plans in full. After every
step both hold the same calendar files, drafts, state decisions and ``status --json``. Then one
test per thing the clock alone changes: each must end a rest when it falls due.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd import rest
from syncd.config import validate
from syncd.cycle import Engine
from syncd.state import State
from syncd.status import status_data
from tests.system.test_engine_machine import OWNER, event_ics

DTSTAMP = re.compile(rb"DTSTAMP:[0-9TZ]+\r\n")  # when a file was written, by the wall clock
T0 = datetime(2026, 12, 1, 8, 17, tzinfo=timezone.utc)
HORIZON = timedelta(days=14)


class World:
    """A local calendar folder, its drafts and state; ``once`` runs one ``syncd once``."""

    def __init__(self, **sections: dict) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="syncd-rest-"))
        self.folder = self.root / "cal" / "work"
        self.folder.mkdir(parents=True)
        raw = {"daemon": {"state_dir": str(self.root / "state"), "timezone": "UTC", "horizon": "14d"},
               "accounts": [{"name": "home", "type": "local", "path": str(self.root / "cal")}],
               "interviews": {"self": [OWNER], "include": ["^IV "]},
               "followup": {"drafts_dir": str(self.root / "drafts"), "from": f"Me <{OWNER}>"}}
        for name, values in sections.items():
            raw[name] = {**raw.get(name, {}), **values}
        self.config = validate(raw, self.root / "config.toml")

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def write(self, name: str, text: str) -> None:
        (self.folder / name).write_text(text)

    def once(self, now: datetime, may_rest: bool = True) -> bool:
        """One ``syncd once`` at ``now`` in a fresh engine (a new process). Returns whether it rested."""
        state = State.open(self.config.daemon["state_dir"])
        engine = Engine(self.config, state)
        try:
            failed, rested = engine.once(now, may_rest=may_rest)
        finally:
            engine.close()
            state.close()
        assert not failed
        return rested

    def ack(self, ref: str, ack: str, now: datetime) -> None:
        with self._state() as state:
            state.set_ack(ref, ack, now)

    def _state(self):
        from contextlib import closing
        return closing(State.open(self.config.daemon["state_dir"]))

    def outcome(self, now: datetime) -> dict:
        """Everything a cycle leaves behind that the owner or a later cycle can see."""
        with self._state() as state:
            decisions = {table: state.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                         for table in ("acks", "marks", "followups", "held", "suspect", "questions")}
            status = json.loads(json.dumps(status_data(self.config, state, now), default=str))
        status.pop("page")  # its secret is the world's own
        files = {p.name: DTSTAMP.sub(b"", p.read_bytes()) for p in sorted(self.folder.glob("*.ics"))}
        drafts = sorted(_draft(p) for p in (self.root / "drafts").rglob("*") if p.is_file())
        return {"files": files, "drafts": drafts, "decisions": decisions, "status": status}

    def seen(self, now: datetime) -> str:
        """The outcome, its Maildir file names (when, by which process, in which world a draft
        was written) replaced by the folder they are in."""
        return re.sub(r'[^"\']*/drafts/(cur|new)/[^"\']*', r"<draft in \1>", repr(self.outcome(now)))

    def owned(self) -> list[str]:
        return sorted(p.name for p in self.folder.glob("syncd-*.ics"))


def _draft(path: Path) -> tuple[str, ...]:
    message = message_from_bytes(path.read_bytes())
    body = message.get_payload(decode=True) if not message.is_multipart() else b""
    return (path.parent.name, *(str(message[h]) for h in ("X-Syncd-Event", "Subject", "To", "Date")),
            (body or b"").decode("utf-8", "replace"))


def interview(world: World, uid: str, start: datetime, minutes: int = 60, in_person: bool = False,
              summary: str = "") -> None:
    location = "1 Market St, San Francisco" if in_person else "https://zoom.us/j/1"
    world.write(f"{uid}.ics", event_ics(uid, summary or f"IV Acme {uid}", start, minutes, location,
                                        "hr@acme.test"))


def refs(world: World, now: datetime) -> list[str]:
    return [i["ref"] for i in world.outcome(now)["status"]["interviews"]]


EVENTS = st.lists(st.tuples(st.integers(-80, 24 * 16), st.sampled_from([30, 60]), st.booleans(),
                            st.booleans()), min_size=1, max_size=4)
STEPS = st.lists(st.tuples(st.sampled_from([0, 1, 14, 59, 61, 200, 1440, 6000]),
                           st.sampled_from([None, None, "missed", "attended", "edit"])),
                 min_size=2, max_size=6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=EVENTS, steps=STEPS)
def test_a_rested_once_ends_where_a_full_cycle_ends(events, steps) -> None:
    worlds = (World(learn={"period": "2h"}), World(learn={"period": "2h"}))
    try:
        for world in worlds:
            for i, (hours, minutes, is_interview, in_person) in enumerate(events):
                start = T0 + timedelta(hours=hours)
                if is_interview:
                    interview(world, f"iv-{i}", start, minutes, in_person)
                else:
                    world.write(f"m-{i}.ics", event_ics(f"m-{i}", f"Meeting {i}", start, minutes, "",
                                                        "boss@example.org"))
        now = T0
        for step, (minutes, action) in enumerate(steps):
            now += timedelta(minutes=minutes)
            for world in worlds:
                if action == "edit":
                    interview(world, f"late-{step}", now + timedelta(hours=3))
                elif action and (known := refs(world, now)):
                    world.ack(known[0], action, now)
            worlds[0].once(now, may_rest=True)
            worlds[1].once(now, may_rest=False)
            assert worlds[0].seen(now) == worlds[1].seen(now)
    finally:
        for world in worlds:
            world.close()


def test_an_idle_once_rests_and_leaves_status_as_it_was() -> None:
    world = World()
    try:
        interview(world, "iv", T0 + timedelta(days=2), in_person=True)
        assert not world.once(T0)  # writes the blocks
        before = world.outcome(T0)
        assert len(world.owned()) == 4
        assert world.once(T0 + timedelta(minutes=1))
        assert world.once(T0 + timedelta(minutes=2))
        after = world.outcome(T0 + timedelta(minutes=2))
        assert after["files"] == before["files"] and after["drafts"] == before["drafts"]
        assert after["status"]["interviews"] == before["status"]["interviews"]
    finally:
        world.close()


def test_a_new_event_or_a_changed_config_ends_the_rest() -> None:
    world = World()
    try:
        world.once(T0)
        assert world.once(T0)
        interview(world, "iv", T0 + timedelta(days=2))
        assert not world.once(T0)  # the sync brought an item: plan
        assert len(world.owned()) == 2
        assert world.once(T0)
        world.config.buffers["before"] = timedelta(minutes=45)
        assert not world.once(T0)
    finally:
        world.close()


def test_the_apology_is_drafted_when_its_grace_ends() -> None:
    world = World(followup={"grace": "2h"})
    try:
        due = T0 + timedelta(minutes=20)  # before the snapshot's next hourly step
        interview(world, "iv", due - timedelta(hours=3))
        world.once(T0)
        assert world.outcome(T0)["drafts"] == []
        assert world.once(due - timedelta(seconds=1))
        assert not world.once(due)
        assert len(world.outcome(due)["drafts"]) == 1
    finally:
        world.close()


def test_an_event_entering_the_window_gets_its_blocks() -> None:
    world = World()
    try:
        start = T0 + HORIZON + timedelta(days=1, hours=2)  # beyond the snapshot: no blocks yet
        interview(world, "iv", start)
        world.once(T0)
        assert world.owned() == []
        assert world.once(T0 + timedelta(minutes=30))
        assert not world.once(T0 + timedelta(hours=2))
        assert len(world.owned()) == 2
    finally:
        world.close()


def test_the_end_of_learning_from_a_miss_shrinks_the_blocks() -> None:
    world = World(learn={"period": "30m"})
    try:
        interview(world, "past", T0 - timedelta(hours=2))
        interview(world, "next", T0 + timedelta(days=3), in_person=True)
        world.once(T0)
        world.ack(refs(world, T0)[0], "missed", T0)
        world.once(T0)
        wide = world.outcome(T0)["files"]
        assert world.once(T0 + timedelta(minutes=29))
        assert not world.once(T0 + timedelta(minutes=30))
        assert world.outcome(T0)["files"] != wide
    finally:
        world.close()


def test_an_orphan_block_is_removed_once_the_window_reaches_it() -> None:
    world = World()
    try:
        start = T0 + timedelta(days=4, minutes=35)  # its 15-minute prep block starts at 08:37
        interview(world, "iv", start)
        world.once(T0)
        assert len(world.owned()) == 2
        (world.folder / "iv.ics").unlink()
        world.config.daemon["horizon"] = timedelta(days=4)  # the blocks now lie beyond the window
        assert not world.once(T0)
        assert len(world.owned()) == 2
        enters = start - timedelta(minutes=15) - timedelta(days=4)
        record = json.loads(_setting(world))
        assert datetime.fromisoformat(record["due"]) == enters + rest.TICK
        assert world.once(enters)
        assert not world.once(enters + timedelta(minutes=1))
        assert len(world.owned()) == 1  # the prep block went; the one after it is still beyond
    finally:
        world.close()


def _setting(world: World) -> str:
    with world._state() as state:
        return state.setting(rest.SETTING) or "{}"


def test_a_new_calendar_folder_is_read_by_the_next_once() -> None:
    world = World()
    try:
        world.once(T0)
        assert world.once(T0)
        other = world.folder.parent / "other"
        other.mkdir()
        (other / "iv.ics").write_text(event_ics("iv", "IV Acme", T0 + timedelta(days=2), 60,
                                                "https://zoom.us/j/1", "hr@acme.test"))
        assert not world.once(T0)  # a folder is listed in every new process: no request spared
        assert len(list(other.glob("syncd-*.ics"))) == 2
    finally:
        world.close()
