"""The daemon's side of asking: channels started beside the loop, answers acted on in the loop.

Channels (the page, the ntfy reply topic, desktop actions) run in daemon threads and only
*record* an answer (one transaction, see ``questions.record_answer``) and wake the loop; the
loop's thread then acts on it with the same functions as `syncd ack`. Drafting thus stays
single-threaded, and an answer recorded just before a crash is acted on after the restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from syncd.ask import questions
from syncd.ask.act import acknowledge
from syncd.ask.policy import due_steps
from syncd.ask.questions import Question
from syncd.config import Config
from syncd.plan import Interview, Plan
from syncd.state import State

log = logging.getLogger(__name__)


class Channel(Protocol):
    """A way to ask the owner; each runs its own listener thread."""

    name: str

    def start(self, asker: Asker) -> None:
        """Start listening for answers (in a daemon thread); answers go to ``asker.answer``."""

    def send(self, question: Question, interview: Interview, reminder: bool) -> str | None:
        """Ask (or remind); returns the channel's id of the message, if it has one."""

    def withdraw(self, question: Question) -> None:
        """Take the question back (it was answered elsewhere or has expired), where possible."""

    def stop(self) -> None:
        """Stop listening; returns within a few seconds."""


class Asker:
    """Owns the channels; called by the daemon's loop after each cycle and on each answer."""

    def __init__(self, config: Config, channels: list[Channel], wake: threading.Event | None = None):
        self.config = config
        self.channels = channels
        self.answered = threading.Event()
        self.wake = wake or threading.Event()

    @contextmanager
    def state(self) -> Iterator[State]:
        """A connection of the calling thread's own (SQLite connections stay in their thread)."""
        state = State.open(self.config.daemon["state_dir"])
        try:
            yield state
        finally:
            state.close()

    def start(self) -> None:
        """Start every channel's listener."""
        for channel in self.channels:
            channel.start(self)

    def stop(self) -> None:
        """Stop every channel's listener."""
        for channel in self.channels:
            channel.stop()

    def answer(self, answer: str, channel: str, now: datetime, *, ref: str | None = None,
               code: str | None = None, reason: str = "") -> str:
        """Record an answer from any thread; wake the loop to act on it.

        Returns "recorded", "duplicate" or "refused" (see ``questions.record_answer``).
        """
        with self.state() as state:
            outcome = questions.record_answer(state, answer, channel, now, ref=ref, code=code, reason=reason)
        if outcome == "recorded":
            log.info("Answer from %s: %s", channel, answer)
            self.answered.set()
            self.wake.set()
        elif outcome == "duplicate":
            log.info("Ignored a later answer from %s: the question was already answered", channel)
        else:
            log.warning("Refused an answer from %s: no open question has that code", channel)
        return outcome

    def act(self, state: State, plan: Plan, now: datetime) -> None:
        """Carry out every recorded answer not yet acted on, then withdraw the other channels' asks."""
        self.answered.clear()
        by_ref = {iv.ref: iv for iv in plan.interviews}
        for question in questions.pending(state):
            acknowledge(self.config, state, question.ref, question.answer or "", now, by_ref.get(question.ref),
                        reason=question.reason)
            questions.mark_acted(state, question.ref)
            self._withdraw(question, but=question.channel)

    def after_cycle(self, state: State, plan: Plan, now: datetime) -> None:
        """Act on answers, then ask, remind, expire or close questions as they fall due."""
        self.act(state, plan, now)
        current = questions.load(state)
        for due in due_steps(plan.interviews, state.acks(), current, self.config, now):
            ref = due.interview.ref
            if due.step == "ask":
                self._send(state, questions.ask(state, ref, due.interview.event.summary, now), due.interview, False)
            elif due.step == "remind" and questions.advance(state, ref, "reminded", now):
                self._send(state, current[ref], due.interview, True)
            elif due.step == "expire":
                self._expire(state, current.get(ref) or questions.ask(state, ref, "", now), due.interview, now)
            elif due.step == "close":
                questions.record_answer(state, state.acks()[ref], "cli", now, ref=ref, acted=True)
                self._withdraw(current[ref])

    def _expire(self, state: State, question: Question, interview: Interview, now: datetime) -> None:
        if not questions.advance(state, question.ref, "expired", now):
            return
        page = any(c.name == "web" for c in self.channels)
        link = " (or Attended on the status page, whose address `syncd status` prints)" if page else ""
        # The drafting says so at INFO, with the same command: said once is enough there.
        log.debug("No answer about '%s' [%s] by the end of the grace period, so the apology is "
                  "drafted; to turn it into a thank-you: syncd ack %s --attended%s",
                  interview.event.summary, question.ref, question.ref, link)
        self._withdraw(question)

    def _send(self, state: State, question: Question, interview: Interview, reminder: bool) -> None:
        for channel in self.channels:
            try:
                ident = channel.send(question, interview, reminder)
            except Exception as exc:  # one channel failing must not keep the others from asking
                log.warning("Could not ask on %s: %s", channel.name, exc)
                continue
            if ident:
                questions.note_sent(state, question.ref, channel.name, ident)
        log.info("%s the owner how '%s' went", "Reminded" if reminder else "Asked", interview.event.summary)

    def _withdraw(self, question: Question, but: str | None = None) -> None:
        for channel in self.channels:
            if channel.name != but:
                try:
                    channel.withdraw(question)
                except Exception as exc:
                    log.debug("Could not withdraw the question on %s: %s", channel.name, exc)


def build_channels(config: Config) -> list[Channel]:
    """The channels the config asks for; one that cannot start is logged and left out."""
    channels: list[Channel] = []
    if config.web["enabled"]:
        from syncd.ask.web import PageServer

        try:
            channels.append(PageServer(config))
        except OSError as exc:
            log.warning("Not serving the status page: cannot listen on %s:%s (%s)", *config.web["listen"], exc)
    if config.ask["ntfy"]:
        from syncd.ask.ntfy import NtfyChannel

        channels.append(NtfyChannel(config))
    if config.ask["desktop"]:
        from syncd.ask.desktop import DesktopChannel, session_bus_address

        if session_bus_address():
            channels.append(DesktopChannel(config))
        else:
            log.warning("ask.desktop is on, but there is no session bus (DBUS_SESSION_BUS_ADDRESS)")
    return channels
