"""A Google Calendar account on the fake, beside the account a loop test is about."""

from __future__ import annotations

import json
from pathlib import Path

from tests.contract.test_google import token_info
from tests.fakes.google import FakeGoogleCalendar

WORK = "c_work@group.calendar.google.com"  # the Google calendar syncd watches


def google_beside(owner: str) -> FakeGoogleCalendar:
    """A started fake with the owner's primary calendar and a "Work" one; stop it when done."""
    server = FakeGoogleCalendar().start()
    server.add_calendar(owner, owner, primary=True, time_zone="UTC")
    server.add_calendar(WORK, "Work")
    return server


def google_account(google: FakeGoogleCalendar, root: Path) -> dict:
    """The config table of an account "gmail" on ``google`` watching "Work" (its token in ``root``)."""
    token = root / "google-token.json"
    token.write_text(json.dumps(token_info(google)))
    token.chmod(0o600)
    return {"name": "gmail", "type": "google", "token_file": str(token),
            "api_endpoint": google.api_endpoint, "token_uri": google.token_uri, "calendars": ["Work"]}
