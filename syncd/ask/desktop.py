"""Desktop: a freedesktop notification with answer buttons on the owner's session bus.

Talks ``org.freedesktop.Notifications`` over D-Bus with dbus-fast (asyncio) on a loop of its
own in a daemon thread. Each button's action key is "<one-time code> <answer>", so an
``ActionInvoked`` signal names its question; the answer goes through the same recording as
every other channel. Withdrawing closes the notification (``CloseNotification``).
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbus_fast import Variant
from dbus_fast.aio import MessageBus

from syncd.ask.questions import Question
from syncd.config import Config
from syncd.plan import Interview

if TYPE_CHECKING:
    from syncd.ask.asker import Asker

log = logging.getLogger(__name__)

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
BUTTONS = (("attended", "Attended"), ("missed", "Missed"), ("dismissed", "Dismiss"))
CALL_TIMEOUT = 10.0


def session_bus_address() -> str | None:
    """The session bus: $DBUS_SESSION_BUS_ADDRESS, else systemd's $XDG_RUNTIME_DIR/bus, else None."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and (Path(runtime) / "bus").exists():
        return f"unix:path={Path(runtime) / 'bus'}"
    return None


def notification_body(summary: str, when: str, markup: bool) -> str:
    """The body: a stranger's title, escaped where the server reads markup (``body-markup``)."""
    text = f"{summary[:200]} ({when})"
    return html.escape(text, quote=False) if markup else text


class DesktopChannel:
    """Sends notifications and hears their buttons, on a private asyncio loop."""

    name = "desktop"

    def __init__(self, config: Config, address: str | None = None):
        self.config = config
        self.address = address or session_bus_address()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="syncd-desktop", daemon=True)
        self.bus: MessageBus | None = None
        self.iface: Any = None
        self.asker: Asker | None = None
        self.markup = False

    def start(self, asker: Asker) -> None:
        """Connect to the session bus and listen for ``ActionInvoked``."""
        self.asker = asker
        self.thread.start()
        try:
            self._run(self._connect())
        except Exception as exc:  # no notification server: the other channels still ask
            log.warning("desktop: no notifications on the session bus (%s)", exc)

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(CALL_TIMEOUT)

    async def _connect(self) -> None:
        self.bus = await MessageBus(bus_address=self.address).connect()
        introspection = await self.bus.introspect(NAME, PATH)
        self.iface = self.bus.get_proxy_object(NAME, PATH, introspection).get_interface(NAME)
        self.iface.on_action_invoked(self._invoked)
        self.markup = "body-markup" in await self.iface.call_get_capabilities()

    def _invoked(self, notification: int, key: str) -> None:
        """A button was pressed (on the loop's thread): record the answer it carries."""
        code, _, answer = key.partition(" ")
        if self.asker is not None and answer:
            self.asker.answer(answer, "desktop", datetime.now(timezone.utc), code=code)

    def send(self, question: Question, interview: Interview, reminder: bool) -> str | None:
        """Show the notification; returns its id."""
        if self.iface is None:
            return None
        when = interview.event.start.astimezone(self.config.tz).strftime("%a %d %b %H:%M")
        actions = [part for answer, label in BUTTONS for part in (f"{question.code} {answer}", label)]
        title = ("Reminder: how" if reminder else "How") + " did the interview go?"
        body = notification_body(interview.event.summary, when, self.markup)
        hints = {"urgency": Variant("y", 1), "category": Variant("s", "im.received")}
        ident = self._run(self.iface.call_notify("syncd", 0, "x-office-calendar", title, body, actions, hints, 0))
        return str(ident)

    def withdraw(self, question: Question) -> None:
        """Close the notification, if this channel showed one."""
        ident = question.sent.get(self.name)
        if self.iface is not None and ident and ident.isdigit():
            self._run(self.iface.call_close_notification(int(ident)))

    def stop(self) -> None:
        """Disconnect and stop the loop."""
        if self.bus is not None:
            self.loop.call_soon_threadsafe(self.bus.disconnect)
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread.is_alive():
            self.thread.join(5)
