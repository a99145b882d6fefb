"""A fake ntfy server, written from ntfy's published API documentation (publish, subscribe).

What it does, as documented:
- publish by POST/PUT to ``/<topic>`` (body = message; ``X-Title``/``Title``/``t``,
  ``X-Tags``, ``X-Priority``, ``X-Click``, ``X-Actions`` as a JSON array or the short
  ``action, label, url, key=value; ...`` format), or as JSON to the root URL ``/`` with a
  required ``topic``; up to three actions, each ``view``/``http``/``broadcast`` with a
  ``label`` (and ``url`` for view and http); answers with the message as JSON;
- subscribe with GET ``/<topic>/json``: an ``open`` event, the cached messages selected by
  ``since=`` (``all``, ``latest``, a message id, a Unix time or a duration like ``10m``), then
  live messages and ``keepalive`` events, one JSON object a line; ``poll=1`` returns the cached
  messages and closes;
- access tokens: with ``token`` set, every request needs ``Authorization: Bearer <token>``,
  else 401 with ntfy's JSON error body.
``PhoneApp.tap`` does what the ntfy app does when an ``http`` action button is tapped.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
ACTIONS = ("view", "http", "broadcast")
_DURATION = re.compile(r"^(\d+)([smhd])$")


def _message_id() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))


class NtfyError(Exception):
    """An error ntfy answers with {"code", "http", "error"}."""

    def __init__(self, status: int, code: int, text: str):
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


@dataclass
class Store:
    """Every published message, in order, and a condition for live subscribers."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, topic: str, fields: dict[str, Any]) -> dict[str, Any]:
        if not TOPIC.match(topic):
            raise NtfyError(400, 40010, "invalid topic")
        message = {"id": _message_id(), "time": int(time.time()), "expires": int(time.time()) + 43200,
                   "event": "message", "topic": topic, **{k: v for k, v in fields.items() if v not in (None, "")}}
        message.setdefault("message", "triggered")
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()
        return message

    def since(self, topic: str, since: str) -> int:
        """The index in ``messages`` from which a subscriber with ``since=`` starts."""
        mine = [i for i, m in enumerate(self.messages) if m["topic"] == topic]
        if since == "all":
            return 0
        if since == "latest":
            return mine[-1] if mine else len(self.messages)
        if since.isdigit():
            return next((i for i in mine if self.messages[i]["time"] >= int(since)), len(self.messages))
        match = _DURATION.match(since)
        if match:
            seconds = int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
            return self.since(topic, str(int(time.time()) - seconds))
        found = next((i for i in mine if self.messages[i]["id"] == since), None)
        if found is None:
            raise NtfyError(400, 40008, "invalid since parameter")
        return found + 1


def parse_actions(value: str) -> list[dict[str, Any]]:
    """``X-Actions``: a JSON array, or the short format (``;`` between actions, ``,`` between keys)."""
    value = value.strip()
    if value.startswith("["):
        return json.loads(value)
    out = []
    for part in value.split(";"):
        fields = [f.strip() for f in part.split(",") if f.strip()]
        action: dict[str, Any] = {}
        positional = ["action", "label", "url"]
        for f in fields:
            key, eq, val = f.partition("=")
            if eq and key in ("action", "label", "url", "method", "body", "clear") or key.startswith("headers."):
                if key.startswith("headers."):
                    action.setdefault("headers", {})[key[8:]] = val
                else:
                    action[key] = val == "true" if key == "clear" else val
            elif positional:
                action[positional.pop(0)] = f
        out.append(action)
    return out


def check_actions(actions: Any) -> list[dict[str, Any]]:
    if not isinstance(actions, list) or len(actions) > 3:
        raise NtfyError(400, 40018, "invalid request: too many actions, max 3 allowed")
    for a in actions:
        if not isinstance(a, dict) or a.get("action") not in ACTIONS or not a.get("label"):
            raise NtfyError(400, 40018, "invalid request: action invalid")
        if a["action"] in ("view", "http") and not a.get("url"):
            raise NtfyError(400, 40018, "invalid request: url required")
    return actions


class FakeNtfy:
    """The server: ``start()`` binds 127.0.0.1 on a free port; ``url``; ``stop()``."""

    def __init__(self, token: str | None = None, keepalive: float = 1.0):
        self.store = Store()
        self.token = token
        self.keepalive = keepalive
        self.requests: list[tuple[str, str]] = []
        self.subscribers = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.closing = False

    def start(self) -> FakeNtfy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.closing = True
        with self.store.changed:
            self.store.changed.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()

    def messages(self, topic: str) -> list[dict[str, Any]]:
        return [m for m in self.store.messages if m["topic"] == topic]

    def wait_for(self, topic: str, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Block until ``topic`` holds ``count`` messages; raise AssertionError otherwise."""
        deadline = time.monotonic() + timeout
        with self.store.changed:
            while len(self.messages(topic)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{topic}: {len(self.messages(topic))} messages, wanted {count}")
                self.store.changed.wait(left)
        return self.messages(topic)


def _handler(fake: FakeNtfy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _error(self, err: NtfyError) -> None:
            self._json(err.status, {"code": err.code, "http": err.status, "error": err.text})

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = (json.dumps(body) + "\n").encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if fake.token and self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._error(NtfyError(401, 40101, "unauthorized"))
                return False
            return True

        def do_POST(self) -> None:
            fake.requests.append(("POST", self.path))
            if not self._authorised():
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path.strip("/")
            try:
                message = self._publish(path, body)
            except NtfyError as err:
                self._error(err)
                return
            except (ValueError, UnicodeDecodeError):
                self._error(NtfyError(400, 40017, "invalid request: request body must be message JSON"))
                return
            self._json(200, message)

        do_PUT = do_POST

        def _publish(self, path: str, body: bytes) -> dict[str, Any]:
            if not path:
                data = json.loads(body)
                if not isinstance(data, dict) or not data.get("topic"):
                    raise NtfyError(400, 40017, "invalid request: topic required")
                fields = {k: data.get(k) for k in ("message", "title", "tags", "priority", "click")}
                fields["actions"] = check_actions(data["actions"]) if "actions" in data else None
                return fake.store.publish(str(data["topic"]), fields)
            h = self.headers
            actions = h.get("X-Actions") or h.get("Actions") or h.get("Action")
            tags = h.get("X-Tags") or h.get("Tags") or h.get("ta")
            fields = {"message": body.decode("utf-8"),
                      "title": h.get("X-Title") or h.get("Title") or h.get("t"),
                      "click": h.get("X-Click") or h.get("Click"),
                      "tags": tags.split(",") if tags else None,
                      "actions": check_actions(parse_actions(actions)) if actions else None}
            return fake.store.publish(path, fields)

        def do_GET(self) -> None:
            fake.requests.append(("GET", self.path))
            if not self._authorised():
                return
            url = urlsplit(self.path)
            topic, _, kind = url.path.strip("/").partition("/")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if kind != "json" or not TOPIC.match(topic):
                self._error(NtfyError(404, 40401, "page not found"))
                return
            since = query.get("since")
            try:
                if since is None:  # documented: a plain subscription gets new messages only
                    start = 0 if query.get("poll") else len(fake.store.messages)
                else:
                    start = fake.store.since(topic, since)
            except NtfyError as err:
                self._error(err)
                return
            self._stream(topic, start, query.get("poll") in ("1", "true", "yes"))

        def _stream(self, topic: str, start: int, poll: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            fake.subscribers += 1
            try:
                if not poll:
                    self._line({"id": _message_id(), "time": int(time.time()), "event": "open", "topic": topic})
                index = start
                while not fake.closing:
                    with fake.store.changed:
                        batch = fake.store.messages[index:]
                        index += len(batch)
                        if not batch and not poll:
                            fake.store.changed.wait(fake.keepalive)
                    for m in batch:
                        if m["topic"] == topic:
                            self._line(m)
                    if poll:
                        break
                    if not batch:
                        self._line({"id": _message_id(), "time": int(time.time()), "event": "keepalive",
                                    "topic": topic})
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            finally:
                fake.subscribers -= 1

        def _line(self, obj: dict[str, Any]) -> None:
            data = (json.dumps(obj) + "\n").encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler


class PhoneApp:
    """What the ntfy app does when the owner taps a button of a notification."""

    def __init__(self, token: str | None = None):
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def tap(self, message: dict[str, Any], label: str) -> httpx.Response:
        """Send the ``http`` action labelled ``label`` as the app would (default method POST)."""
        action = next(a for a in message.get("actions", []) if a["label"] == label)
        assert action["action"] == "http"
        return httpx.request(action.get("method", "POST"), action["url"], content=action.get("body", ""),
                             headers={**self.headers, **action.get("headers", {})}, timeout=10)
