"""Artifact writes to a real CalDAV server, several at once: never more than the bound in
flight, and a write that fails neither loses nor doubles an artifact, now or next cycle.

The proxy in front of the server holds every PUT until the bound is reached, so the test sees
the writes overlap whatever the machine's speed (it waits for an event, never for time).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from providers.caldav.connection import CACHE_ONE_WRITE
from syncd import retry
from syncd.model import Artifact, Window
from syncd.reconcile import IN_FLIGHT, Op, apply, diff, owned_in
from syncd.state import State
from tests.contract.conftest import CalDAVEnv
from tests.contract.suite import T0, make_artifact

ARTIFACTS = IN_FLIGHT + 3  # more than may be in flight, so that the bound shows


def artifacts(env: CalDAVEnv) -> list[Artifact]:
    """Prep blocks of as many interviews, each its own key."""
    return [make_artifact(env, source=f"user-{i}", summary=f"Prep {i}") for i in range(ARTIFACTS)]


def hold_puts_until_the_bound(env: CalDAVEnv) -> threading.Event:
    """Hold each PUT in the proxy until ``IN_FLIGHT`` of them are in flight together (or, if
    the writes never overlap that much, a generous while), then let every PUT through."""
    full = threading.Event()

    def rule(method: str, path: str, body: bytes) -> None:
        if method == "PUT":
            if env.proxy.in_flight["PUT"] >= IN_FLIGHT:
                full.set()
            full.wait(30)
        return None

    env.proxy.rules.append(rule)
    return full


def write(env: CalDAVEnv, state: State, ops: list[Op]) -> list[str]:
    """Apply ``ops`` to the calendar as a cycle does."""
    cal = env.calendar
    return apply(ops, {cal.account: env.provider}, {(cal.account, cal.id): cal}, state,
                 retry.caller(), lambda: False)


def syncd_hrefs(env: CalDAVEnv) -> set[str]:
    """The resources of the calendar that syncd made, listed on the server itself."""
    return {h for h in env.server_hrefs() if h.rsplit("/", 1)[-1].startswith("syncd-")}


def test_writes_overlap_up_to_the_bound_and_no_further(env: CalDAVEnv, tmp_path: Path):
    full = hold_puts_until_the_bound(env)
    state = State.open(tmp_path)
    wanted = artifacts(env)
    ops = [Op("create", a.account, a.calendar, artifact=a) for a in wanted]
    done = write(env, state, ops)
    assert full.is_set() and env.proxy.peak["PUT"] == IN_FLIGHT
    assert done == [f"{env.calendar.account}/{env.calendar.name}: {op.describe()}" for op in ops]
    owned = owned_in(state.items())
    assert sorted(o.key for o in owned) == sorted(a.key for a in wanted)
    assert {o.item.href for o in owned} == syncd_hrefs(env)
    state.close()


def test_a_failed_write_among_others_is_made_once_next_cycle(env: CalDAVEnv, tmp_path: Path):
    wanted = artifacts(env)
    refused = wanted[2].key
    full = hold_puts_until_the_bound(env)  # the refusal comes while others are in flight
    env.proxy.rules.append(lambda method, path, body: (
        (403, {"Content-Type": "text/plain"}, b"Forbidden")
        if method == "PUT" and refused in path else None))
    state = State.open(tmp_path)
    ops = [Op("create", a.account, a.calendar, artifact=a) for a in wanted]
    done = write(env, state, ops)
    assert full.is_set() and env.proxy.peak["PUT"] == IN_FLIGHT
    assert len(done) == ARTIFACTS - 1 and f"'{wanted[2].summary}'" not in " ".join(done)
    assert sorted(o.key for o in owned_in(state.items())) == sorted(
        a.key for a in wanted if a.key != refused)
    env.proxy.rules.clear()
    again = diff(wanted, owned_in(state.items()), Window(T0.replace(hour=0), T0.replace(hour=23)))
    assert [(op.action, op.artifact.key if op.artifact else None) for op in again] == [
        ("create", refused)]
    write(env, state, again)
    owned = owned_in(state.items())
    assert sorted(o.key for o in owned) == sorted(a.key for a in wanted)
    assert {o.item.href for o in owned} == syncd_hrefs(env) and len(syncd_hrefs(env)) == ARTIFACTS
    state.close()


def test_a_server_that_locks_out_writes_side_by_side_gets_one_at_a_time(
        env: CalDAVEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Xandikos answers 423 (Locked) to a write while another holds its store: the write is
    tried again, and the adapter writes one at a time from then on (kept in its cache)."""
    monkeypatch.setattr(retry, "BASE_SECONDS", 0.01)
    locked: list[str] = []
    once = threading.Lock()

    def lock_the_first_put(method: str, path: str, body: bytes):
        with once:  # the proxy answers in a thread per request
            if method == "PUT" and not locked:
                locked.append(path)
                return 423, {"Content-Type": "text/plain"}, b"Locked"
        return None

    env.proxy.rules.append(lock_the_first_put)
    assert env.provider.writes_in_flight == IN_FLIGHT
    state = State.open(tmp_path)
    wanted = artifacts(env)
    done = write(env, state, [Op("create", a.account, a.calendar, artifact=a) for a in wanted])
    assert len(done) == ARTIFACTS and len(locked) == 1
    assert env.provider.writes_in_flight == 1 and env.provider.cache[CACHE_ONE_WRITE]
    assert len(syncd_hrefs(env)) == ARTIFACTS
    env.proxy.reset()
    more = [make_artifact(env, source=f"later-{i}") for i in range(3)]
    write(env, state, [Op("create", a.account, a.calendar, artifact=a) for a in more])
    assert env.proxy.peak["PUT"] == 1
    state.close()
