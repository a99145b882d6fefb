"""Run `syncd once` in a child process that is killed (SIGKILL) right after a draft is written
and before the state records it: the moment a crash could leave two drafts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SCRIPT = """
import os, signal, sys
from syncd.state import State
State.set_followup = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
from syncd.cli import main
sys.exit(main(["--config", sys.argv[1], "once"]))
"""


def once_killed_before_recording(config: Path, env: dict[str, str] | None = None) -> int:
    """The child's return code: ``-SIGKILL`` when it was killed at that moment."""
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(config)], capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode(errors="replace")[-2000:]
    return done.returncode


def cycle_dying_before_recording(run_cycle: Callable[[], object],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Run one cycle in this process that dies (an uncaught KeyboardInterrupt, as the process
    would) at the first artifact it tries to record, right after the provider created it."""
    from syncd.state import State

    def die(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("killed")  # nothing catches it: like the process dying

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(State, "put_item", die)
        run_cycle()
