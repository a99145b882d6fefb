"""An idle cycle costs each provider the least it can: for the local folder, no event file is
read at all (one listing per calendar); the network providers' tests count requests (CalDAV:
one REPORT, Google: one list, Exchange: one SyncFolderItems, Graph: one delta per calendar)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from providers.local.adapter import LocalProvider
from syncd import config as config_mod
from syncd.cycle import Engine
from syncd.demo import seed
from syncd.state import State


def test_an_idle_local_cycle_reads_no_event_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_mod.load(seed(tmp_path / "demo"))
    state = State.open(config.daemon["state_dir"])
    engine = Engine(config, state)
    try:
        now = datetime.now(timezone.utc)
        engine.cycle(now)
        engine.cycle(now)  # the artifacts written by the first are read back once
        reads: list[str] = []
        real = LocalProvider._read
        monkeypatch.setattr(LocalProvider, "_read", lambda self, folder, name, *rest: (
            reads.append(name), real(self, folder, name, *rest))[1])
        report = engine.cycle(now)
        assert report.ops == [] and not report.failed
        assert reads == []
        assert report.plan.interviews  # planned all the same
    finally:
        engine.close()
        state.close()
