# ruff: noqa: F821, F722, UP037  (D-Bus signatures are written as string annotations)
"""A desktop notification server for tests: ``org.freedesktop.Notifications`` on a private bus.

``PrivateBus`` runs Debian's ``dbus-daemon`` (the session configuration) on a socket of its
own; ``NotificationServer`` owns the well-known name on it, implements the specification's
methods (Notify, CloseNotification, GetCapabilities, GetServerInformation) and signals
(ActionInvoked, NotificationClosed), records what it was asked to show, and ``invoke`` presses
a button as a user would.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from typing import Any

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


def dbus_daemon() -> str | None:
    return shutil.which("dbus-daemon")


class PrivateBus:
    """A session-type bus of our own; ``address`` for DBUS_SESSION_BUS_ADDRESS."""

    def __init__(self, folder: str):
        self.proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1",
                                      f"--address=unix:dir={folder}"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon printed no address")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class _Notifications(ServiceInterface):
    def __init__(self, server: NotificationServer):
        super().__init__(NAME)
        self.server = server

    @method()
    def Notify(self, app_name: "s", replaces_id: "u", app_icon: "s", summary: "s", body: "s",
               actions: "as", hints: "a{sv}", expire_timeout: "i") -> "u":
        return self.server.notified(app_name, summary, body, list(actions), replaces_id)

    @method()
    def CloseNotification(self, id: "u"):
        self.server.closed.append(int(id))
        self.NotificationClosed(id, 3)

    @method()
    def GetCapabilities(self) -> "as":
        return ["actions", "body", "body-markup"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["syncd-test", "syncd", "1", "1.2"]

    @signal()
    def ActionInvoked(self, id: int, key: str) -> "us":
        return [id, key]

    @signal()
    def NotificationClosed(self, id: int, reason: int) -> "uu":
        return [id, reason]


class NotificationServer:
    """Owns org.freedesktop.Notifications on ``address`` in a thread with its own loop."""

    def __init__(self, address: str):
        self.address = address
        self.shown: list[dict[str, Any]] = []
        self.closed: list[int] = []
        self.changed = threading.Condition()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.iface = _Notifications(self)
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    async def _start(self) -> None:
        self.bus = await MessageBus(bus_address=self.address).connect()
        self.bus.export(PATH, self.iface)
        await self.bus.request_name(NAME)

    def notified(self, app: str, summary: str, body: str, actions: list[str], replaces: int) -> int:
        with self.changed:
            ident = len(self.shown) + 1
            self.shown.append({"id": ident, "app": app, "summary": summary, "body": body,
                               "actions": dict(zip(actions[1::2], actions[0::2]))})  # label -> key
            self.changed.notify_all()
        return ident

    def wait_shown(self, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.shown) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.shown)} notifications shown, wanted {count}")
                self.changed.wait(left)
            return list(self.shown)

    def invoke(self, ident: int, key: str) -> None:
        """Press a button: emit ActionInvoked(id, key), as a notification daemon does."""
        self.loop.call_soon_threadsafe(self.iface.ActionInvoked, ident, key)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._disconnect(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def _disconnect(self) -> None:
        self.bus.disconnect()
