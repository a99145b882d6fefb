"""Scaffolding of the fault-injection tests: what the calendars hold against what is desired,
and the summary of a long run.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


from syncd.config import load
from syncd.cycle import Engine
from syncd.reconcile import owned_in
from syncd.state import State
from tests.system import faultexchange
from tests.system.faultdaemon import (
    BURST_SECONDS, cli, DaemonProcess, FAULT_RATE, Notifications, Run, status, StatusPoller,
    UNEXPECTED_IN_LOG,
)
from tests.system.faultworld import (
    ATTENDED, CANNOT_ATTEND, DEADLINE, dav_objects, google_owned, GOOGLE_WORK, keys_in, ME, ref_of, World,
)


# -- what the calendars hold vs what is desired -------------------------------------------------

def desired(config_path: Path) -> tuple[dict[tuple[str, str], list[str]], list[str], dict[str, str]]:
    """Plan in-process over the calendars as they are (dry run on a copy of the state).

    Returns (account, calendar id) -> desired keys, the operations still to do, and the
    accounts that failed to sync.
    """
    config = load(config_path)
    state = State.open_copy(config.daemon["state_dir"])
    engine = Engine(config, state, dry_run=True)
    try:
        report = engine.cycle(datetime.now(timezone.utc))
    finally:
        engine.close()
        state.close()
    out: dict[tuple[str, str], list[str]] = {}
    for art in report.plan.artifacts:
        out.setdefault((art.account, art.calendar), []).append(art.key)
    return out, report.ops, report.failed


def actual(env: World) -> dict[tuple[str, str], list[str]]:
    """(account, calendar id) -> keys of the owned events found in each calendar, directly."""
    out = {("home", "personal"): [k for p in sorted(env.folder.glob("*.ics"))
                                  for k in keys_in(p.read_text(encoding="utf-8"))]}
    for account in env.dav_accounts():  # a CalDAV calendar's id is its URL's last segment,
        objects = dav_objects(env.server(account), env.calendars[account])  # named as the account
        out[(account, account)] = [k for _, text in objects.values() for k in keys_in(text)]
    out[("gmail", GOOGLE_WORK)] = google_owned(env.fake, GOOGLE_WORK)
    assert google_owned(env.fake, ME) == [], "nothing may be written to an unwatched calendar"
    out[(faultexchange.ACCOUNT, faultexchange.calendar_id(env.ews))] = faultexchange.owned_keys(env.ews)
    return out


def compare(want: dict[tuple[str, str], list[str]], have: dict[tuple[str, str], list[str]]
            ) -> dict[str, int]:
    """Count duplicates, orphans and missing artifacts over every calendar."""
    dup = orphan = missing = 0
    for where in set(want) | set(have):
        wanted, found = Counter(want.get(where, [])), Counter(have.get(where, []))
        assert all(n == 1 for n in wanted.values()), f"the plan itself repeats a key in {where}"
        dup += sum(n - 1 for n in found.values() if n > 1)
        orphan += sum(1 for k in found if k not in wanted)
        missing += sum(1 for k in wanted if k not in found)
    return {"duplicates": dup, "orphans": orphan, "missing": missing}


def touched_user_events(env: World) -> list[str]:
    """User events that differ from what the test itself last stored (must be none)."""
    touched = []
    for name, data in env.local_files.items():
        if (env.folder / name).read_bytes() != data:
            touched.append(f"home/{name}")
    for account in env.dav_accounts():
        now = {h: e for h, (e, _) in dav_objects(env.server(account), env.calendars[account]).items()}
        touched += [f"{account}{h}" for h, etag in env.dav_etags[account].items() if now.get(h) != etag]
    for event_id, before in env.google_events.items():
        stored = next(b for b in env.fake.events_of(GOOGLE_WORK) if b["id"] == event_id)
        if json.dumps(stored, sort_keys=True) != before:
            touched.append(f"gmail/{event_id}")
    return touched + faultexchange.touched(env.ews, env.ews_items)


def writes_to_user_events(env: World) -> list[str]:
    """Write requests that targeted anything but a syncd artifact (must be none)."""
    bad = []
    for account in env.dav_accounts():
        bad += [f"{account}: {m} {p}" for m, p, _ in env.proxies[account].writes
                if not re.search(r"/syncd-[0-9a-f]{26,}\.ics$", p)]
    user_ids = set(env.google_events)
    for r in env.fake.requests:
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and r.path != "/token":
            target = r.path.rsplit("/", 1)[-1] if r.method != "POST" else (r.body or {}).get("id")
            if target in user_ids or not re.fullmatch(r"[0-9a-f]{26,}", str(target)):
                bad.append(f"gmail: {r.method} {r.path}")
    return bad + faultexchange.bad_writes(env.ews, set(env.ews_items))


def state_keys(state_dir: Path) -> dict[tuple[str, str], list[str]]:
    """What the daemon's state believes it owns, per calendar."""
    state = State.open(state_dir)
    try:
        out: dict[tuple[str, str], list[str]] = {}
        for owned in owned_in(state.items()):
            out.setdefault((owned.account, owned.calendar), []).append(owned.key)
        return out
    finally:
        state.close()


def live_drafts(drafts_dir: Path) -> Counter:
    """ref -> number of draft files in the Maildir's cur/ that still carry the draft flag."""
    found: Counter = Counter()
    for path in (drafts_dir / "cur").glob("*:2,*D*"):
        match = re.search(r"^X-Syncd-Event: (\S+)", path.read_text(errors="replace"), re.M)
        if match:
            found[match.group(1)] += 1
    return found


# A cycle ends by its accounts' deadline; planning, the sleep before the next cycle and a busy
# machine get the rest. A stall under the default request timeout (60 s) would blow it.
CYCLE_BOUND = DEADLINE + 12.0


def verify(env: World, daemon: DaemonProcess, notify: Notifications, run: Run,
           poller: StatusPoller, faulty_seconds: float) -> dict[str, Any]:
    """Everything the long run must end with, measured (the test asserts on the result)."""
    dry = cli(env.config, "once", "--dry-run")
    want, ops, failed = desired(env.config)
    have = actual(env)
    final = status(env.config)
    acks = {i["ref"]: i["ack"] for i in final["interviews"]}
    followups = {i["ref"]: i["followup"] for i in final["interviews"]}
    drafts = live_drafts(env.root / "drafts")
    faults: Counter = Counter()
    for proxy in env.proxies.values():
        faults.update(proxy.faults)
    log = daemon.log()
    touched, writes = touched_user_events(env), writes_to_user_events(env)
    return {
        "cycles": notify.cycles,
        "cycles_with_a_failing_account": sum("failing" in s for s in notify.statuses),
        "cycles_per_second": round(notify.cycles / faulty_seconds, 2),
        "longest_cycle_seconds": round(max(notify.spans, default=0.0), 1),
        "cycle_bound_seconds": CYCLE_BOUND,
        "fault_rate": FAULT_RATE, "burst_seconds_at_100_percent": BURST_SECONDS,
        "faults_by_kind": dict(sorted(faults.items())),
        "faults_total": sum(faults.values()),
        "requests": {name: p.summary() for name, p in env.proxies.items()},
        "kills": run.kills, "kills_right_after_a_write": run.kills_after_write,
        "daemon_starts": daemon.starts, "user_edits": run.edits,
        **compare(want, have),
        "artifacts": sum(len(v) for v in have.values()),
        "state_matches_calendars": {k: sorted(v) for k, v in state_keys(env.state_dir).items()}
        == {k: sorted(v) for k, v in have.items() if v},
        "ops_left_after_clean_cycle": ops, "failed_in_clean_cycle": failed,
        "dry_run_says_nothing_to_change": "nothing to change" in dry.stdout,
        "user_events_touched": len(touched), "user_events_touched_which": touched,
        "writes_to_user_events": len(writes), "writes_to_user_events_which": writes,
        "acks_kept": sum(acks.get(ref_of(u)) == a for u, a in ((ATTENDED, "attended"),
                                                               (CANNOT_ATTEND, "cannot-attend"))),
        "drafts_ok": (followups.get(ref_of(ATTENDED)) or {}).get("kind") == "thank-you"
        and (followups.get(ref_of(CANNOT_ATTEND)) or {}).get("kind") == "reschedule"
        and all(n == 1 for n in drafts.values()),
        "live_drafts": dict(drafts),
        "status_polls": poller.polls, "status_errors_seen": len(poller.errors),
        "accounts_with_errors_seen": sorted({a for a, _ in poller.errors}),
        "status_errors_at_end": [a["name"] for a in final["accounts"] if a["last_error"]],
        "unexpected_errors_in_log": sum(log.count(w) for w in UNEXPECTED_IN_LOG),
    }


def report(summary: dict[str, Any], path: Path) -> None:
    """Print the summary and keep it as JSON next to the test's files."""
    text = json.dumps(summary, indent=2, default=str)
    path.write_text(text)
    print(f"\nfault-injection summary ({path}):\n{text}")


def prep_start(env: World, uid: str) -> str | None:
    """Start of the Google prep buffer of the interview with ``uid``, as stored on the fake."""
    for body in env.fake.events_of(GOOGLE_WORK):
        private = (body.get("extendedProperties") or {}).get("private") or {}
        if (body.get("status") != "cancelled" and private.get("syncd-kind") == "buffer-before"
                and private.get("syncd-source") == uid):
            return body["start"]["dateTime"]
    return None


def google_sources(env: World, kind: str) -> Counter:
    """How many live artifacts of ``kind`` each source UID has on the Google calendar."""
    found: Counter = Counter()
    for body in env.fake.events_of(GOOGLE_WORK):
        private = (body.get("extendedProperties") or {}).get("private") or {}
        if body.get("status") != "cancelled" and private.get("syncd-kind") == kind:
            found[private.get("syncd-source")] += 1
    return found


def local_sources(env: World) -> Counter:
    """How many artifacts each source UID has in the local folder."""
    found: Counter = Counter()
    for path in env.folder.glob("syncd-*.ics"):
        match = re.search(r"^X-SYNCD-SOURCE:(\S+)", path.read_text(), re.M)
        if match:
            found[match.group(1)] += 1
    return found


def dav_sources(env: World, account: str) -> Counter:
    """How many artifacts each source UID has in a CalDAV calendar, read from the server."""
    found: Counter = Counter()
    for _, text in dav_objects(env.server(account), env.calendars[account]).values():
        match = re.search(r"^X-SYNCD-SOURCE:(\S+)", text, re.M)
        if match:
            found[match.group(1)] += 1
    return found


def errors_by_account(env: World) -> dict[str, str | None]:
    """account -> last_error, from ``syncd status --json``."""
    return {a["name"]: a["last_error"] for a in status(env.config)["accounts"]}
