"""The shared provider suite on the fake Exchange server, and Exchange-specific tests.

The adapter talks to :mod:`tests.fakes.exchange` through the real exchangelib; user items are
stored straight into the fake (``add_event``), bypassing the adapter, as Outlook would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from providers.exchange import ExchangeProvider
from syncd.model import Calendar
from tests.contract.suite import ProviderContract
from tests.fakes.ews import FakeExchange

ACCOUNT = "work-exchange"
BERLIN = ZoneInfo("Europe/Berlin")


def rrule_xml(rrule: str, start) -> str:
    """The EWS Recurrence of the simple RRULEs the suite uses (FREQ=DAILY;COUNT=n)."""
    parts = dict(p.split("=") for p in rrule.split(";"))
    assert parts["FREQ"] == "DAILY", rrule
    return ("<t:DailyRecurrence><t:Interval>1</t:Interval></t:DailyRecurrence>"
            f"<t:NumberedRecurrence><t:StartDate>{start.date().isoformat()}</t:StartDate>"
            f"<t:NumberOfOccurrences>{parts['COUNT']}</t:NumberOfOccurrences></t:NumberedRecurrence>")


class ExchangeEnv:
    """The ``env`` of the shared suite, on the fake."""

    def __init__(self, fake: FakeExchange, **overrides: Any):
        self.fake = fake
        self.account = {"name": ACCOUNT, "type": "exchange", "email": fake.email,
                        "username": fake.username, "password": fake.password,
                        "service_endpoint": fake.service_endpoint, "auth_type": "basic",
                        "version": "Exchange2016", "autodiscover": False,
                        "timeout": timedelta(seconds=5), **overrides}
        self.provider = self.new_provider()
        self.calendar = self.provider.calendars()[0]
        self.ids: dict[str, str] = {}

    def new_provider(self, cache: dict[str, str] | None = None) -> ExchangeProvider:
        return ExchangeProvider(self.account, BERLIN, cache)

    def add_user_event(self, uid, summary, start, end, rrule=None, **extra):
        xml = rrule_xml(rrule, start) if rrule else None
        self.ids[uid] = self.fake.add_event(summary, start, end, uid=uid, recurrence_xml=xml,
                                            organizer=("recruiter@acme.example", "Rita Recruiter"),
                                            **extra)
        return self.ids[uid]

    def edit_user_event(self, uid, summary):
        self.fake.edit_event(self.ids[uid], Subject=summary)

    def remove_user_event(self, uid):
        self.fake.remove_event(self.ids[uid])

    def fingerprint(self, uid):
        return self.fake.fingerprint(self.ids[uid])


@pytest.fixture
def fake() -> Iterator[FakeExchange]:
    server = FakeExchange().start()
    yield server
    server.stop()


@pytest.fixture
def env(fake) -> Iterator[ExchangeEnv]:
    environment = ExchangeEnv(fake)
    fake.reset_log()
    yield environment
    environment.provider.close()


class TestExchangeContract(ProviderContract):
    """The shared suite: the ``env`` fixture above provides the fake."""


def test_the_calendar_is_the_distinguished_folder(env, fake):
    [cal] = env.provider.calendars()
    assert cal == Calendar(ACCOUNT, fake.box.distinguished("calendar").id, "Calendar", True, "")
