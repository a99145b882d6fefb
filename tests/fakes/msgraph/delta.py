"""calendarView delta rounds, as Graph documents them.

The first request of a round needs ``startDateTime`` and ``endDateTime``; the window is then
fixed in the state tokens. Pages (``Prefer: odata.maxpagesize``, capped by the server) end with
an ``@odata.nextLink`` carrying a ``$skiptoken``; the last page carries an ``@odata.deltaLink``
with a ``$deltatoken``. A delta token returns what changed since it was issued: changed and new
instances in full, deleted ones and those that left the window as ``@removed`` entries.
Tokens are opaque; an unknown or expired one answers 410 Gone (``SyncStateNotFound``, or the
code set by :meth:`Deltas.expire`). :attr:`Deltas.replay` makes the next incremental round
repeat entries already delivered, as Graph may.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.fakes.msgraph.errors import GraphError
from tests.fakes.msgraph.store import Mailbox

SERVER_PAGE = 200  # the most a page holds, whatever the client prefers


@dataclass(frozen=True)
class DeltaState:
    """What a delta token remembers: the calendar, the window, the sequence, what was seen."""

    calendar: str
    start: datetime
    end: datetime
    seq: int
    visible: frozenset[str]


@dataclass
class Deltas:
    """Issued delta and skip tokens of one mailbox."""

    mailbox: Mailbox
    page_limit: int = SERVER_PAGE
    replay: bool = False
    expired_code: str = "SyncStateNotFound"
    tokens: dict[str, DeltaState] = field(default_factory=dict)
    skips: dict[str, tuple[list[dict[str, Any]], DeltaState]] = field(default_factory=dict)

    def begin(self, cal_id: str, start: datetime, end: datetime, base: str,
              page_size: int | None) -> dict[str, Any]:
        """The first page of a full round over [start, end)."""
        if end <= start:
            raise GraphError(400, "ErrorInvalidParameter", "endDateTime must be after startDateTime")
        now = self.mailbox.instances(cal_id, start, end)
        entries = [_entry(i.body) for i in sorted(now.values(), key=lambda i: (i.start, i.id))]
        final = DeltaState(cal_id, start, end, self.mailbox.seq, frozenset(now))
        return self._page(entries, final, base, page_size)

    def follow_delta(self, token: str, cal_id: str, base: str,
                     page_size: int | None) -> dict[str, Any]:
        """The first page of an incremental round from a delta token."""
        state = self.tokens.get(token)
        if state is None or state.calendar != cal_id:
            raise self._gone()
        now = self.mailbox.instances(cal_id, state.start, state.end)
        changed = [i for i in now.values()
                   if self.replay or i.seq > state.seq or i.id not in state.visible]
        entries = [_entry(i.body) for i in sorted(changed, key=lambda i: (i.start, i.id))]
        entries += [{"@odata.type": "#microsoft.graph.event", "id": gone,
                     "@removed": {"reason": "deleted"}} for gone in sorted(state.visible - set(now))]
        self.replay = False
        final = DeltaState(cal_id, state.start, state.end, self.mailbox.seq, frozenset(now))
        return self._page(entries, final, base, page_size)

    def follow_skip(self, token: str, base: str, page_size: int | None) -> dict[str, Any]:
        """The next page of a round."""
        if token not in self.skips:
            raise self._gone()
        entries, final = self.skips.pop(token)
        return self._page(entries, final, base, page_size)

    def expire(self, code: str = "SyncStateNotFound") -> None:
        """Forget every issued token: their next use answers 410 with ``code``."""
        self.tokens.clear()
        self.skips.clear()
        self.expired_code = code

    def _gone(self) -> GraphError:
        return GraphError(410, self.expired_code,
                          "The sync state generation is not found; a full resync is required.")

    def _page(self, entries: list[dict[str, Any]], final: DeltaState, base: str,
              page_size: int | None) -> dict[str, Any]:
        size = max(1, min(page_size or self.page_limit, self.page_limit))
        page: dict[str, Any] = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata"
                                                  "#Collection(event)",
                                "value": entries[:size]}
        token = secrets.token_urlsafe(24)
        if len(entries) > size:
            self.skips[token] = (entries[size:], final)
            page["@odata.nextLink"] = f"{base}?$skiptoken={token}"
        else:
            self.tokens[token] = final
            page["@odata.deltaLink"] = f"{base}?$deltatoken={token}"
        return page


def _entry(body: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(body)
    out["@odata.type"] = "#microsoft.graph.event"
    out.pop("recurrence", None)
    return out
