"""One syncd per state folder: advisory locks on files in ``daemon.state_dir``.

Two locks, both ``flock`` (released by the kernel when the process dies, even by kill -9):

- ``daemon.lock`` says who looks after the calendars: ``run`` holds it for its life, ``once``
  and ``purge`` for theirs. A second one fails at once with :class:`StateBusy`, which names the
  holder's process id and verb.
- ``write.lock`` serialises the writers: a cycle holds it while it plans and writes, ``ack``
  (and any other command that changes the state or the drafts) waits for it, so an
  acknowledgement never races a cycle into a second draft.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syncd.errors import SyncdError

POLL = 0.05


class StateBusy(SyncdError):
    """Another process holds the state folder."""


def private_dir(folder: Path) -> Path:
    """Create ``folder`` (and parents) with mode 0700, and make an existing one 0700 too."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o777 != 0o700:
        os.chmod(folder, 0o700)
    return folder


def private_file(path: Path) -> None:
    """Make an existing file 0600 (a missing one is left missing)."""
    try:
        if path.stat().st_mode & 0o777 != 0o600:
            os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


def _open(path: Path) -> int:
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    pid, _, verb = text.partition(" ")
    return f"`syncd {verb}` (pid {pid})" if pid.isdigit() else "another syncd process"


@contextmanager
def instance(state_dir: Path, verb: str) -> Iterator[None]:
    """Hold ``daemon.lock`` for the block; raise :class:`StateBusy` at once if it is held."""
    path = state_dir / "daemon.lock"
    fd = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise StateBusy(f"{_holder(path)} already looks after the state in {state_dir}; "
                            f"stop it first (for the service: systemctl --user stop syncd)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {verb}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


@contextmanager
def writing(state_dir: Path, timeout: float = 300.0) -> Iterator[None]:
    """Hold ``write.lock`` for the block, waiting up to ``timeout`` seconds for a cycle to end."""
    path = state_dir / "write.lock"
    fd = _open(path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StateBusy(f"the state in {state_dir} stayed busy for {timeout:.0f}s; "
                                    "try again") from None
                time.sleep(POLL)
        yield
    finally:
        os.close(fd)
