"""A fake Exchange server (EWS over SOAP), written from Microsoft's EWS reference. See ``server``."""

from tests.fakes.exchange.server import FakeExchange, Recorded

__all__ = ["FakeExchange", "Recorded"]
