"""A local calendar folder (a vdir, as vdirsyncer and khal keep it)."""

from providers.local.adapter import LocalProvider

__all__ = ["LocalProvider"]
