"""The status page's content: what it shows (rendered with Jinja2, every value escaped) and
what its forms do. The HTTP side, with its checks, is in ``syncd.ask.web``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import jinja2

from syncd.ask.questions import ANSWERS
from syncd.config import Config
from syncd.followup.ack import AckRefused, check_fit
from syncd.state import State
from syncd.status import status_data, strengthened

if TYPE_CHECKING:
    from syncd.ask.asker import Asker

SAID = {"recorded": "Thank you: recorded. syncd acts on it within moments.",
        "duplicate": "That interview was already answered; the first answer stands.",
        "marked": "Noted: syncd will not treat that event as an interview."}
KINDS = {"buffer-before": "Prep", "buffer-after": "Decompress", "travel-to": "Travel there",
         "travel-back": "Travel back", "conflict": "Double-booking marker"}
_ENV = jinja2.Environment(loader=jinja2.PackageLoader("syncd.ask", "."), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)


def render_page(config: Config, state: State, now: datetime, said: str = "") -> str:
    """The whole page as HTML: upcoming and recent interviews, the week, conflicts."""
    data = status_data(config, state, now)
    tz = config.tz
    blocks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in data["artifacts"]:
        blocks[a["source"]].append(a)
    clashes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in data["conflicts"]:
        clashes[c["a"]].append(c)
        if c["b"] != c["a"]:
            clashes[c["b"]].append(c)
    cards = [_card(i, blocks[i["ref"]], clashes[i["ref"]], now, tz) for i in data["interviews"]]
    return _ENV.get_template("page.html").render(
        upcoming=[c for c in cards if not c["past"]], recent=[c for c in cards if c["past"]],
        week=_week(cards, now, tz), said=SAID.get(said, ""), now=_fmt(now, tz),
        learning=strengthened(data["learning"], tz) if data["learning"] else "",
        accounts=data["accounts"], conflicts=data["conflicts"])


def _card(i: dict[str, Any], blocks: list[dict[str, Any]], clashes: list[dict[str, Any]],
          now: datetime, tz: Any) -> dict[str, Any]:
    start, end = datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"])
    question = dict(i["question"] or {})
    for key in ("asked", "reminded", "answered"):
        if question.get(key):
            question[key] = _fmt(datetime.fromisoformat(question[key]), tz)
    draft = dict(i["followup"] or {})
    if draft.get("path"):
        draft["file"] = draft["path"].rsplit("/", 1)[-1]
    return {**i, "question": question or None, "followup": draft or None, "past": end < now,
            "started": start <= now, "when": _fmt(start, tz),
            "until": end.astimezone(tz).strftime("%H:%M"), "day": start.astimezone(tz).date(),
            "clock": start.astimezone(tz).strftime("%H:%M"),
            "blocks": [{"kind": KINDS.get(b["kind"], b["kind"]), "span": _span(b, tz)}
                       for b in sorted(blocks, key=lambda b: b["start"])],
            "clashes": [f"{c['kind']} clash {_span(c, tz)}: {c['a_summary']} / {c['b_summary']}"
                        for c in clashes]}


def _span(item: dict[str, Any], tz: Any) -> str:
    start = datetime.fromisoformat(item["start"]).astimezone(tz)
    end = datetime.fromisoformat(item["end"]).astimezone(tz)
    return f"{start:%H:%M}–{end:%H:%M}"


def _fmt(moment: datetime, tz: Any) -> str:
    return moment.astimezone(tz).strftime("%a %d %b %H:%M")


def _week(cards: list[dict[str, Any]], now: datetime, tz: Any) -> list[dict[str, Any]]:
    """Seven days from today, each with its interviews."""
    today = now.astimezone(tz).date()
    days = [today + timedelta(days=n) for n in range(7)]
    return [{"label": f"{d:%a %d}", "today": d == today,
             "items": [c for c in cards if c["day"] == d]} for d in days]


def handle_form(config: Config, asker: Asker, action: str, form: dict[str, str],
                now: datetime) -> tuple[HTTPStatus, str]:
    """Carry out one button. Returns (OK, what to say) or (an error status, a sentence)."""
    if action not in ("answer", "mark"):
        return HTTPStatus.NOT_FOUND, "No such action."
    ref, answer, reason = form.get("ref", ""), form.get("answer", ""), form.get("reason", "").strip()
    from syncd.status import current_plan

    with asker.state() as state:
        plan = current_plan(config, state, now)
        interview = next((iv for iv in plan.interviews if iv.ref == ref), None)
        if interview is None:
            return HTTPStatus.NOT_FOUND, "No interview with that REF; reload the page."
        if action == "mark":
            # What `syncd mark REF --not-interview` records: the whole series.
            state.set_mark(interview.event.uid, "not-interview", now)
            asker.wake.set()
            return HTTPStatus.OK, "marked"
    if answer not in ANSWERS:
        return HTTPStatus.BAD_REQUEST, "Unknown answer."
    reason = " ".join(reason.split())
    try:
        check_fit(interview, answer, reason, now, config.tz)  # the same rules as `syncd ack`
    except AckRefused as exc:
        return HTTPStatus.CONFLICT, str(exc)
    outcome = asker.answer(answer, "web", now, ref=ref, reason=reason)
    return HTTPStatus.OK, outcome
