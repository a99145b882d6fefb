"""A fake Microsoft Graph (calendars, events, drafts) and identity platform, written from
Microsoft's documentation. See ``server``."""

from tests.fakes.msgraph.identity import CLIENT_ID
from tests.fakes.msgraph.server import FakeGraph, Recorded

__all__ = ["CLIENT_ID", "FakeGraph", "Recorded"]
