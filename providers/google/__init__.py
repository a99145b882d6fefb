"""Google Calendar: the adapter and the OAuth sign-in."""

from providers.google.adapter import GoogleProvider

__all__ = ["GoogleProvider"]
