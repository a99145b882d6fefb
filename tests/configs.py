"""Editing test configs: add an account table to a config file."""

from __future__ import annotations

import json
from pathlib import Path


def append_account(config: Path, **keys: str) -> Path:
    """Append an ``[[accounts]]`` table with ``keys`` (strings) to ``config``; mode 0600, since
    the table may hold a password. Returns ``config``."""
    lines = "".join(f"{key} = {json.dumps(value)}\n" for key, value in keys.items())
    config.write_text(config.read_text() + "\n[[accounts]]\n" + lines)
    config.chmod(0o600)
    return config
