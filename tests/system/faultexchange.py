"""The Exchange account of the fault run: user items on the fake EWS server, what syncd owns
there, and the checks that nothing of the user's was touched and nobody was invited.

The account ``corp`` reaches the fake through its own :class:`FaultProxy`, like the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.fakes.exchange.soap import T
from tests.fakes.ews import FakeExchange

ACCOUNT = "corp"
PASSWORD = "fault-test-password"
VALUE = f"{{{T}}}Value"


def start(owner: str) -> FakeExchange:
    """The fake mailbox of ``owner``, serving."""
    return FakeExchange(email=owner, username="CORP\\alex", password=PASSWORD).start()


def config_block(fake: FakeExchange, proxy_url: str, deadline: int) -> str:
    """The ``[[accounts]]`` table of the Exchange account, through the proxy at ``proxy_url``."""
    return f"""[[accounts]]
name = "{ACCOUNT}"
type = "exchange"
email = "{fake.email}"
username = "CORP\\\\alex"
password = "{PASSWORD}"
service_endpoint = "{proxy_url.rstrip('/')}/EWS/Exchange.asmx"
auth_type = "basic"
version = "Exchange2016"
poll_interval = "1s"
deadline = "{deadline}s"
"""


def calendar_id(fake: FakeExchange) -> str:
    """The id syncd knows the mailbox's calendar by (its FolderId)."""
    return fake.box.distinguished("calendar").id


def put(fake: FakeExchange, ids: dict[str, str], uid: str, summary: str, start: datetime,
        minutes: int, location: str, organizer: str, description: str) -> str:
    """Store (or move) a user item as Outlook would; returns its ItemId."""
    end = start + timedelta(minutes=minutes)
    if uid in ids:
        fake.edit_event(ids[uid], Start=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        End=end.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return ids[uid]
    ids[uid] = fake.add_event(summary, start, end, uid=uid, body=description, location=location,
                              organizer=(organizer, "Recruiting") if organizer else None)
    return ids[uid]


def owned_keys(fake: FakeExchange) -> list[str]:
    """The syncd-key of every marked item in the calendar."""
    return [str(e.findtext(VALUE)) for item in fake.items() for k, e in item.extended.items()
            if k[1] == "syncd-key"]


def touched(fake: FakeExchange, before: dict[str, str]) -> list[str]:
    """User items that differ from how the test last stored them."""
    out = []
    for item_id, print_ in before.items():
        now = fake.fingerprint(item_id) if item_id in fake.box.items else "(deleted)"
        if now != print_:
            out.append(f"{ACCOUNT}/{item_id[-12:]}")
    return out


def bad_writes(fake: FakeExchange, user_ids: set[str]) -> list[str]:
    """Writes aimed at a user item, and any write that would have notified someone."""
    out = [f"{ACCOUNT}: {d.operation} of a user item" for d in fake.dispositions if d.item_id in user_ids]
    out += [f"{ACCOUNT}: {d.operation} with {d.attributes}" for d in fake.dispositions
            if set(d.attributes.values()) - {"SendToNone", "SaveOnly"}]
    return out + [f"{ACCOUNT}: sent {item}" for item in fake.sent]
