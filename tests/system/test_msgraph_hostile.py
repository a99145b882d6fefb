"""The hostile-input corpus (tests/hostile) through a Microsoft 365 account on the fake Graph.

Each VEVENT of the corpus becomes an event as an invitation would land in the mailbox, with the
same UID, subject, body, location, organizer and attendees (Graph's recurrence patterns cannot
say what an RRULE or RDATE flood says, so series are stored as their first instance). One
cycle, and a second, must end with the account synced, the interviews among them planned, and
every user event byte-identical, with the log bounded and escaped.
"""

from __future__ import annotations

import logging
from typing import Any

from syncd.config import validate
from tests.contract.test_msgraph import when
from tests.hostile import assert_safe_output, cases, two_cycles
from tests.system.test_exchange_hostile import MAX_ATTENDEES, party, text, vevents
from tests.system.test_exchange_hostile import when as ics_when
from tests.system.test_msgraph_loop import (  # noqa: F401 - fixtures
    NOW, calendar_id, google, graph, kind_of, make_config, owned, user_snapshot,
)


def address(value: str, name: str = "") -> dict[str, Any]:
    return {"emailAddress": {"name": name, "address": value}}


def store(fake, props: dict[str, list[str]]) -> str | None:
    start, end = ics_when(props.get("DTSTART")), ics_when(props.get("DTEND"))
    if start is None or end is None or end < start:
        return None  # Exchange stores no event without readable times
    body: dict[str, Any] = {
        "subject": text(props.get("SUMMARY")), "start": when(start), "end": when(end),
        "body": {"contentType": "text", "content": text(props.get("DESCRIPTION"))},
        "location": {"displayName": text(props.get("LOCATION"))},
        "attendees": [{"type": "required", "status": {"response": "none"}, **address(a, n)}
                      for a, n in (party(v) for v in props.get("ATTENDEE", [])[:MAX_ATTENDEES]) if a]}
    if "ORGANIZER" in props and party(props["ORGANIZER"][0])[0]:
        body["organizer"] = address(*party(props["ORGANIZER"][0]))
    uid = text(props.get("UID")) or None
    return str(fake.seed_event(calendar_id(fake, "Interviews"), body, uid=uid)["id"])


def test_the_hostile_corpus_through_graph(graph, google, tmp_path, caplog):  # noqa: F811
    caplog.set_level(logging.INFO)
    data = make_config(graph, google, tmp_path)
    # A marker per clash would be 300 events for the crowd alone: the core's business, not this test's.
    config = validate({**data, "conflicts": {"flag_in_calendar": False}}, tmp_path / "config.toml")
    stored = [i for case in cases(NOW, small=True) for props in vevents(case.text)
              for i in [store(graph, props)] if i]
    assert len(stored) > 300
    before = user_snapshot(graph)
    report, again = two_cycles(config, NOW)
    assert "m365" not in report.failed and "m365" not in again.failed
    assert "buffer-before" in [kind_of(e) for e in owned(graph)]
    assert user_snapshot(graph) == before
    assert not [r for r in graph.writes() if r.method != "POST"]
    assert_safe_output(caplog.text, max_lines=2000)
