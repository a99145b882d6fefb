"""Graph's error answers: ``{"error": {"code", "message", "innerError"}}`` with a status."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone


class GraphError(Exception):
    """An error answer: HTTP status, Graph's error code, a message, extra headers."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> bytes:
        """The JSON error body as Graph writes it."""
        inner = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                 "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())}
        return json.dumps({"error": {"code": self.code, "message": self.message,
                                     "innerError": inner}}).encode()
