"""ntfy: the question as a push notification with answer buttons, answers from a reply topic.

``[ask] ntfy = "https://server/TOPIC"``. The question is published (as JSON, to the server's
root URL) on TOPIC with up to three ``http`` actions; each posts "<one-time code> <answer>"
to TOPIC-reply, which the daemon follows through its ``/json`` stream with ``since=`` the last
message it acted on, so no inbound port is needed and a restart misses nothing. A reply is
accepted only with the open question's own code; anything else is refused and logged.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from syncd.ask.questions import Question
from syncd.config import Config
from syncd.plan import Interview
from syncd.secrets import remember

if TYPE_CHECKING:
    from syncd.ask.asker import Asker

log = logging.getLogger(__name__)

BUTTONS = (("Attended", "attended"), ("Missed", "missed"), ("Dismiss", "dismissed"))
SINCE_KEY = "ntfy.since"
MAX_LINE = 64 * 1024  # a reply is a few dozen bytes; anything longer is not ours
READ_TIMEOUT = 120.0  # ntfy sends a keepalive every 45 s by default


class NtfyChannel:
    """Publishes questions to the topic and follows the reply topic in a daemon thread."""

    name = "ntfy"

    def __init__(self, config: Config, read_timeout: float = READ_TIMEOUT):
        url = urlsplit(config.ask["ntfy"])
        self.base = f"{url.scheme}://{url.netloc}"
        self.topic = url.path.strip("/")
        self.reply_topic = f"{self.topic}-reply"
        self.config = config
        headers = {"User-Agent": "syncd"}
        token = _token(config)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(headers=headers, timeout=httpx.Timeout(20.0, read=read_timeout))
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.asker: Asker | None = None

    def start(self, asker: Asker) -> None:
        """Follow the reply topic in the background."""
        self.asker = asker
        self.thread = threading.Thread(target=self._follow, name="syncd-ntfy", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop following; the open stream is closed so the thread ends at once."""
        self.stopping.set()
        self.client.close()
        if self.thread is not None:
            self.thread.join(5)

    def send(self, question: Question, interview: Interview, reminder: bool) -> str | None:
        """Publish the question; returns ntfy's message id."""
        ev = interview.event
        when = ev.start.astimezone(self.config.tz).strftime("%a %d %b %H:%M")
        body: dict[str, Any] = {
            "topic": self.topic,
            "title": ("Reminder: how" if reminder else "How") + " did the interview go?",
            "message": f"{ev.summary[:200]} ({when}). Tap an answer; syncd drafts the follow-up.",
            "tags": ["calendar"],
            "actions": [{"action": "http", "label": label, "url": f"{self.base}/{self.reply_topic}",
                         "method": "POST", "body": f"{question.code} {answer}", "clear": True}
                        for label, answer in BUTTONS],
        }
        page = _page(self.config)
        if page:
            body["click"] = page
        return str(self._publish(body).get("id") or "") or None

    def withdraw(self, question: Question) -> None:
        """ntfy cannot take a notification back: say that it has been answered instead."""
        if "ntfy" in question.sent and question.state == "answered":
            self._publish({"topic": self.topic, "title": "Answered",
                           "message": f"{question.summary[:200]}: {question.answer} (via {question.channel}).",
                           "tags": ["white_check_mark"], "priority": 2})

    def _publish(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(f"{self.base}/", json=body)
        response.raise_for_status()
        return dict(response.json())

    def _follow(self) -> None:
        """Read the reply topic's JSON stream forever, reconnecting with ``since=``."""
        wait = 1.0
        while not self.stopping.is_set():
            try:
                self._read_stream()
                wait = 1.0
            except (httpx.HTTPError, OSError, RuntimeError) as exc:
                if self.stopping.is_set():
                    return
                log.warning("ntfy: reading %s failed (%s); retrying in %.0fs", self.reply_topic,
                            type(exc).__name__, wait)
                self.stopping.wait(wait)
                wait = min(wait * 2, 60.0)

    def _read_stream(self) -> None:
        assert self.asker is not None
        with self.asker.state() as state:
            since = state.setting(SINCE_KEY) or "all"
        url = f"{self.base}/{self.reply_topic}/json"
        with self.client.stream("GET", url, params={"since": since}) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if self.stopping.is_set():
                    return
                if 0 < len(line) <= MAX_LINE:
                    self._handle(line)

    def _handle(self, line: str) -> None:
        """One stream line: act on a message event, then remember it as read."""
        assert self.asker is not None
        try:
            event = json.loads(line)
        except ValueError:
            return
        if not isinstance(event, dict) or event.get("event") != "message":
            return
        code, _, answer = str(event.get("message", "")).strip().partition(" ")
        self.asker.answer(answer.strip(), "ntfy", datetime.now(timezone.utc), code=code)
        with self.asker.state() as state:  # only once the answer is recorded
            state.set_setting(SINCE_KEY, str(event.get("id", "")))


def _token(config: Config) -> str | None:
    name = config.ask["ntfy_token_env"]
    token = os.environ.get(name) if name else None
    if token:
        remember(token)
    return token


def _page(config: Config) -> str | None:
    if not config.web["enabled"]:
        return None
    from syncd.ask.address import page_url
    from syncd.state import State

    state = State.open(config.daemon["state_dir"]) if config.web["listen"][1] == 0 else None
    try:
        return page_url(config, state)
    finally:
        if state is not None:
            state.close()
