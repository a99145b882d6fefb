"""Writing a config dict as the TOML file a user would keep, for tests that run syncd as a process."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def toml_config(data: Mapping[str, Any]) -> str:
    """``data`` as TOML: each mapping a table, ``accounts`` an array of tables. Values are written
    with JSON's spelling, which TOML reads alike for strings, numbers, booleans and lists."""
    lines: list[str] = []
    for name, table in data.items():
        for entry in (table if name == "accounts" else [table]):
            lines.append(f"[[{name}]]" if name == "accounts" else f"[{name}]")
            lines += [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


def write_config(path: Path, data: Mapping[str, Any]) -> Path:
    """Write ``data`` to ``path`` (mode 0600, as a file holding secrets should be); return it."""
    path.write_text(toml_config(data))
    path.chmod(0o600)
    return path
