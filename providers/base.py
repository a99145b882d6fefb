"""The one interface every provider adapter implements.

An adapter converts between its provider and :mod:`syncd.model` values and knows nothing of
interviews. The core reaches adapters only through :func:`load` and this class.

Ownership is enforced here, not trusted to each adapter: :meth:`Provider.update` and
:meth:`Provider.delete` refuse any item that does not carry the syncd marker, so no code path
can change a user's event even if the core had a bug.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from syncd.errors import NotOwned, ProviderError
from syncd.model import Artifact, Calendar, Changes, Item, Window, made_for

if TYPE_CHECKING:
    from syncd.followup.sink import DraftSink

# config ``type`` -> "module:Class", imported on use so that a missing optional library
# only matters to the accounts that need it.
REGISTRY: dict[str, str] = {
    "local": "providers.local:LocalProvider",
    "caldav": "providers.caldav:CalDAVProvider",
    "google": "providers.google:GoogleProvider",
    "exchange": "providers.exchange:ExchangeProvider",
    "msgraph": "providers.msgraph:GraphProvider",
}


class Watch(Protocol):
    """What a first read may tell the core as it goes (:attr:`Provider.watch`). Neither
    method raises."""

    def __call__(self, item: Item) -> None:
        """Take one item of the calendar, as soon as it is parsed."""

    def wanted(self, summary: str, location: str) -> bool:
        """Whether a resource whose event has this SUMMARY and LOCATION (as written, read
        at a glance) should be parsed and handed over before the rest: False lets the
        adapter parse it after the others."""


class Provider(ABC):
    """A calendar account.

    ``account`` is the account's config table (a mapping of its keys), ``tz`` the zone in which
    floating and all-day values are resolved, ``cache`` a small per-account key/value store
    (persisted in the state) for things like discovered calendar URLs.

    Methods raise :class:`syncd.errors.ProviderError` subclasses: ``TransientError`` /
    ``RateLimited`` for what is worth retrying, ``AuthError`` for refused credentials,
    ``SyncTokenInvalid`` for an expired sync token, ``PreconditionFailed`` when a resource
    changed under us or already exists, ``Gone`` when it no longer exists.
    """

    name: str
    # How many of its writes (create, update, delete) may be under way at once. One unless the
    # adapter's client is safe to share between threads and each write is one request of its
    # own; the core never runs more than ``syncd.reconcile.IN_FLIGHT`` writes at once anyway.
    writes_in_flight: int = 1
    # True when listing the calendars sends no request (a folder): a new process then lists them
    # every time instead of reusing the list an earlier one made (syncd.cycle.REDISCOVER).
    lists_calendars_free: bool = False
    # Modules a whole read (or the writes after it) will import: the engine imports them while
    # the server prepares its answer, instead of once the answer is there (see
    # syncd.cycle.prepare_planning).
    read_modules: tuple[str, ...] = ()
    # Set by the core while a calendar is read whole for the first time (see syncd.early and
    # :class:`Watch`). An adapter that reads such an answer item by item may hand each item
    # over as soon as it is parsed; the core then starts writing an interview's blocks before
    # the read ends. An adapter that never calls it loses nothing but that head start.
    watch: Watch | None = None

    def __init__(self, account: Mapping[str, Any], tz: ZoneInfo, cache: dict[str, str] | None = None):
        self.account = account
        self.name = str(account.get("name", ""))
        self.tz = tz
        self.cache = cache if cache is not None else {}

    @abstractmethod
    def calendars(self) -> list[Calendar]:
        """List the account's calendars (all of them; the core filters by config)."""

    @abstractmethod
    def changes(self, calendar: Calendar, token: str | None, known: Mapping[str, str],
                window: Window) -> Changes:
        """Return what changed in ``calendar`` since ``token``.

        ``known`` maps each cached href to its etag, for adapters that diff listings.
        Occurrences of recurring events are expanded within ``window``. With ``token`` None,
        or when the token is refused, the result is a full listing (``Changes.full``).
        Raises ``SyncTokenInvalid`` only if the adapter cannot recover by itself.
        """

    @abstractmethod
    def create(self, calendar: Calendar, artifact: Artifact) -> Item:
        """Create the artifact's event; idempotent by key.

        If an event with the artifact's key already exists, return it as found (with its marker)
        instead of creating a second one; the caller then compares and updates.
        """

    @abstractmethod
    def _update(self, calendar: Calendar, item: Item, artifact: Artifact) -> Item:
        """Replace an owned item's content with the artifact's (conditional on its etag)."""

    @abstractmethod
    def _delete(self, calendar: Calendar, item: Item) -> None:
        """Delete an owned item (conditional on its etag). A missing item is not an error."""

    def update(self, calendar: Calendar, item: Item, artifact: Artifact) -> Item:
        """Update an item syncd owns. Raises ``NotOwned`` for anything else."""
        self._require_owned(item, artifact.key, calendar)
        return self._update(calendar, item, artifact)

    def delete(self, calendar: Calendar, item: Item) -> None:
        """Delete an item syncd owns. Raises ``NotOwned`` for anything else."""
        self._require_owned(item, None, calendar)
        self._delete(calendar, item)

    def close(self) -> None:  # noqa: B027 - an optional hook, not an abstract one
        """Release connections. The default does nothing."""

    def draft_sink(self) -> DraftSink | None:
        """The account's drafts folder as a follow-up sink, or None if it has none.

        Used when ``followup.sink = "account:NAME"`` names this account. Adapters of providers
        that keep drafts (Gmail, Exchange, Microsoft Graph) override this to return a
        :class:`syncd.followup.sink.DraftSink` that shares the adapter's credentials and
        connection (see that module for the contract); the adapter stays its owner and the
        sink's ``close`` must not close the adapter. The default returns None.
        """
        return None

    @staticmethod
    def _require_owned(item: Item, key: str | None, calendar: Calendar) -> None:
        markers = [e.marker for e in item.events if e.marker is not None]
        if not markers or len(markers) != len(item.events):
            raise NotOwned(f"refusing to change {item.href!r}: it does not carry the syncd marker")
        if key is not None and any(m.key != key for m in markers):
            raise NotOwned(f"refusing to change {item.href!r}: it belongs to another artifact")
        if not all(made_for(m, calendar.account, calendar.id) for m in markers):
            raise NotOwned(f"refusing to change {item.href!r}: it was made for another account or "
                           "calendar (a copy is the owner's)")


def load(account: Mapping[str, Any], tz: ZoneInfo, cache: dict[str, str] | None = None) -> Provider:
    """Instantiate the adapter registered for ``account["type"]``."""
    kind = str(account["type"])
    module_name, _, class_name = REGISTRY[kind].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ProviderError(f"accounts of type {kind!r} are not supported by this version of syncd",
                            account=str(account.get("name", ""))) from None
    return getattr(module, class_name)(account, tz, cache)
