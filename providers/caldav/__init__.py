"""CalDAV servers: adapter, transport and error mapping, and the collection reader."""

from providers.caldav.adapter import CACHE_CALENDARS, CalDAVProvider

__all__ = ["CACHE_CALENDARS", "CalDAVProvider"]
