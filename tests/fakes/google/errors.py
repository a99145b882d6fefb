"""Google's JSON error responses, as the Calendar API documents them ("Handle API errors")."""

from __future__ import annotations

import json

# google.rpc.Code names of the HTTP statuses the fake answers with.
RPC_STATUS = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
    404: "NOT_FOUND", 409: "ALREADY_EXISTS", 412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "UNIMPLEMENTED", 503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An error answer: HTTP status, the ``errors[0]`` reason/domain/message, extra headers."""

    def __init__(self, status: int, reason: str, message: str, domain: str = "global",
                 location: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.headers = headers or {}

    def body(self) -> bytes:
        """The JSON body: ``{"error": {"code", "message", "errors": [...], "status"}}``."""
        detail = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location:
            detail.update(locationType="parameter", location=self.location)
        error = {"code": self.status, "message": self.message, "errors": [detail]}
        if self.status in RPC_STATUS:
            error["status"] = RPC_STATUS[self.status]
        return json.dumps({"error": error}).encode()


def bad_request(message: str, reason: str = "invalid", location: str | None = None) -> ApiError:
    """A 400 answer."""
    return ApiError(400, reason, message, location=location)


def not_found() -> ApiError:
    """The 404 Google answers for an unknown calendar or event."""
    return ApiError(404, "notFound", "Not Found")


def deleted() -> ApiError:
    """The 410 Google answers when deleting an event that is already deleted."""
    return ApiError(410, "deleted", "Resource has been deleted")


def full_sync_required() -> ApiError:
    """The 410 Google answers to an expired or unknown sync token."""
    return ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.",
                    domain="calendar")


def precondition_failed() -> ApiError:
    """The 412 answer to an If-Match that does not match the current etag."""
    return ApiError(412, "conditionNotMet", "Precondition Failed", location="If-Match")


def duplicate() -> ApiError:
    """The 409 answer to inserting an id that exists (deleted events keep their ids)."""
    return ApiError(409, "duplicate", "The requested identifier already exists.")
