"""The fake Google Calendar server; the code lives in the package :mod:`tests.fakes.google`."""

from tests.fakes.google import CLIENT_ID, CLIENT_SECRET, FakeGoogleCalendar, Recorded

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "FakeGoogleCalendar", "Recorded"]
