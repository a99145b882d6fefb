"""The one error hierarchy. Errors carry fields; ``syncd.cli`` turns them into sentences."""

from __future__ import annotations

from dataclasses import dataclass


class SyncdError(Exception):
    """Base of every error syncd raises on purpose."""


@dataclass
class ConfigProblem:
    """One problem in a config file: where, what was found, what was expected."""

    file: str
    key: str
    value: object
    expected: str

    def __str__(self) -> str:
        shown = "" if self.value is None else f" = {self.value!r}"
        return f"{self.file}: {self.key}{shown}: {self.expected}"


class ConfigError(SyncdError):
    """The config is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ProviderError(SyncdError):
    """A provider call failed. ``status`` is the HTTP status where there is one."""

    def __init__(self, message: str, *, status: int | None = None, account: str = ""):
        self.status = status
        self.account = account
        super().__init__(message)


class TransientError(ProviderError):
    """Worth retrying: timeouts, connection errors, 5xx. ``retry_after`` in seconds if known."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 account: str = ""):
        self.retry_after = retry_after
        super().__init__(message, status=status, account=account)


class RateLimited(TransientError):
    """The server asked us to slow down (429, quota errors)."""


class PreconditionFailed(ProviderError):
    """The resource changed under us (HTTP 412) or already exists (If-None-Match)."""


class Gone(ProviderError):
    """The resource or calendar no longer exists (404/410)."""


class SyncTokenInvalid(ProviderError):
    """The incremental-sync token expired: resync that calendar from scratch."""


class OutOfTime(ProviderError):
    """The account's time for this cycle ran out (or the daemon is stopping) before a call ended.

    The call is abandoned, not retried: the account has failed for this cycle, cleanly.
    """


class AuthError(ProviderError):
    """Credentials were refused or need a new sign-in (``syncd auth ACCOUNT``)."""


class NotOwned(SyncdError):
    """A code path tried to change an event without the syncd marker. Never allowed."""
