"""Exchange Server on premises, over EWS (exchangelib): the adapter and its helpers."""

from providers.exchange.adapter import ExchangeProvider

__all__ = ["ExchangeProvider"]
