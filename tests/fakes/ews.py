"""The fake Exchange Web Services server; the code lives in the package :mod:`tests.fakes.exchange`."""

from tests.fakes.exchange import FakeExchange, Recorded

__all__ = ["FakeExchange", "Recorded"]
