"""A fake Google Calendar v3 server, written from Google's documentation. See ``server``."""

from tests.fakes.google.server import CLIENT_ID, CLIENT_SECRET, FakeGoogleCalendar, Recorded

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "FakeGoogleCalendar", "Recorded"]
