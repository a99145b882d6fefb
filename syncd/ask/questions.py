"""The durable question per interview, kept in the state database.

A question is asked at most once and reminded at most once; its answer is recorded in one
transaction before anything acts on it (``acted`` says whether the acknowledgement has been
carried out), so a crash between the two is repaired by acting again, and acting is idempotent.
The first answer wins; later ones, from any channel, are refused as duplicates.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from syncd.state import State

OPEN = ("asked", "reminded")
ANSWERS = ("attended", "missed", "cannot-attend", "dismissed")
COLUMNS = ("ref", "summary", "code", "state", "asked_at", "reminded_at", "answer", "reason",
           "channel", "answered_at", "acted", "sent")


@dataclass(frozen=True)
class Question:
    """One interview's question and, once given, its answer."""

    ref: str
    summary: str
    code: str
    state: str  # asked | reminded | answered | expired
    asked_at: datetime | None = None
    reminded_at: datetime | None = None
    answer: str | None = None
    reason: str = ""
    channel: str | None = None
    answered_at: datetime | None = None
    acted: bool = False
    sent: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The question as ``status --json`` shows it (without its code)."""
        return {"state": self.state, "asked": _iso(self.asked_at), "reminded": _iso(self.reminded_at),
                "answer": self.answer, "channel": self.channel, "answered": _iso(self.answered_at)}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _row(row: tuple) -> Question:
    d = dict(zip(COLUMNS, row))
    return Question(ref=d["ref"], summary=d["summary"] or "", code=d["code"], state=d["state"],
                    asked_at=_when(d["asked_at"]), reminded_at=_when(d["reminded_at"]),
                    answer=d["answer"], reason=d["reason"] or "", channel=d["channel"],
                    answered_at=_when(d["answered_at"]), acted=bool(d["acted"]),
                    sent=json.loads(d["sent"] or "{}"))


def load(state: State) -> dict[str, Question]:
    """ref -> question, for every question in the state."""
    rows = state.db.execute(f"SELECT {', '.join(COLUMNS)} FROM questions")
    return {q.ref: q for q in map(_row, rows)}


def get(state: State, ref: str) -> Question | None:
    """The question about ``ref``, or None."""
    row = state.db.execute(f"SELECT {', '.join(COLUMNS)} FROM questions WHERE ref=?", (ref,)).fetchone()
    return _row(row) if row else None


def ask(state: State, ref: str, summary: str, now: datetime) -> Question:
    """Record that the question about ``ref`` is being asked (once: an existing one is kept).

    Recorded before any channel sends it, so a crash never leads to asking twice in a row.
    """
    with state.transaction() as db:
        db.execute("INSERT OR IGNORE INTO questions (ref, summary, code, state, asked_at) "
                   "VALUES (?,?,?,?,?)", (ref, summary[:200], secrets.token_urlsafe(18), "asked",
                                          now.isoformat()))
    question = get(state, ref)
    assert question is not None
    return question


def advance(state: State, ref: str, to: str, now: datetime) -> bool:
    """Move an open question to "reminded" or "expired". False when it was not open."""
    args: tuple[str, ...]
    if to == "reminded":
        sql, args = ("UPDATE questions SET state='reminded', reminded_at=? WHERE ref=? AND state='asked'",
                     (now.isoformat(), ref))
    else:
        sql, args = ("UPDATE questions SET state='expired' WHERE ref=? AND state IN ('asked', 'reminded')",
                     (ref,))
    with state.transaction() as db:
        cursor = db.execute(sql, args)
    return cursor.rowcount == 1


def note_sent(state: State, ref: str, channel: str, ident: str) -> None:
    """Remember a channel's own id for the message it sent (to withdraw it later)."""
    with state.transaction() as db:
        row = db.execute("SELECT sent FROM questions WHERE ref=?", (ref,)).fetchone()
        if row is not None:
            sent = {**json.loads(row[0] or "{}"), channel: ident}
            db.execute("UPDATE questions SET sent=? WHERE ref=?", (json.dumps(sent), ref))


def record_answer(state: State, answer: str, channel: str, now: datetime, *, ref: str | None = None,
                  code: str | None = None, reason: str = "", acted: bool = False) -> str:
    """Record the owner's answer durably, in one transaction, before anything acts on it.

    Either ``code`` (the question's one-time code, for channels anyone could post to) or
    ``ref`` (for channels that authenticate the owner themselves) names the question.
    Returns "recorded", "duplicate" (already answered: ignored) or "refused" (no such
    question, a wrong code, or not an answer).
    """
    if answer not in ANSWERS or (ref is None and code is None):
        return "refused"
    with state.transaction() as db:
        row = _find(db, ref, code)
        if code is not None and (row is None or not hmac.compare_digest(row[2].encode(), code.encode())):
            return "refused"
        if row is not None and row[3] == "answered":
            return "duplicate"
        if row is None:
            db.execute("INSERT INTO questions (ref, summary, code, state) VALUES (?,?,?,?)",
                       (ref, "", secrets.token_urlsafe(18), "answered"))
        db.execute("UPDATE questions SET state='answered', answer=?, reason=?, channel=?, answered_at=?, "
                   "acted=? WHERE ref=?", (answer, reason[:500], channel, now.isoformat(), int(acted),
                                          row[0] if row is not None else ref))
    return "recorded"


def _find(db: Any, ref: str | None, code: str | None) -> tuple | None:
    if code is not None:
        row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM questions WHERE code=?", (code,)).fetchone()
        return row if row is not None and (ref is None or row[0] == ref) else None
    return db.execute(f"SELECT {', '.join(COLUMNS)} FROM questions WHERE ref=?", (ref,)).fetchone()


def pending(state: State) -> list[Question]:
    """Answers recorded but not yet acted on (after a crash, or just now)."""
    rows = state.db.execute(f"SELECT {', '.join(COLUMNS)} FROM questions "
                            "WHERE state='answered' AND NOT acted ORDER BY answered_at")
    return [_row(r) for r in rows]


def mark_acted(state: State, ref: str) -> None:
    """The answer about ``ref`` has been carried out."""
    with state.transaction() as db:
        db.execute("UPDATE questions SET acted=1 WHERE ref=?", (ref,))
