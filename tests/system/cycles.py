"""One cycle as a new ``syncd`` process would run it: a fresh engine on the state, closed after."""

from __future__ import annotations

from datetime import datetime

from syncd.config import Config
from syncd.cycle import Engine, Report
from syncd.state import State


def fresh_cycle(config: Config, now: datetime) -> Report:
    """Open the state, run one cycle at ``now`` in a new engine, close both."""
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        return engine.cycle(now)
    finally:
        engine.close()
        state.close()
