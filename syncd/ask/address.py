"""The status page's address: the port it listens on and its per-install secret.

Apart from :mod:`syncd.ask.web` (the server), so that ``syncd status`` prints the address
without loading ``http.server`` and the HTTP client under it.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from syncd.secrets import remember, write_private

if TYPE_CHECKING:
    from syncd.config import Config
    from syncd.state import State

SECRET_FILE = "web-secret"
PORT_KEY = "web.port"  # in the state's settings: the port the running daemon's page listens on


def secret(config: Config) -> str:
    """The page's per-install secret, created (mode 0600, in the state folder) on first use."""
    path = Path(config.daemon["state_dir"]) / SECRET_FILE
    try:
        value = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        value = ""
    if len(value) < 32:
        value = secrets.token_urlsafe(32)
        write_private(path, value + "\n")
    remember(value)  # never in a log line
    return value


def page_url(config: Config, state: State | None = None) -> str:
    """The page's address with its secret, as `syncd status` prints it.

    With ``listen`` port 0 the port is the one the running daemon recorded in ``state``.
    """
    host, port = config.web["listen"]
    if port == 0 and state is not None:
        port = int(state.setting(PORT_KEY) or 0)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/{secret(config)}/"
