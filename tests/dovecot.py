"""A real Dovecot IMAP server for tests, on a free 127.0.0.1 port, with its own config.

Everything lives in one temporary folder: the config, ``base_dir`` (sockets), ``state_dir``,
the log, a passwd-file with one user and that user's Maildir. As root (CI), Dovecot runs its
login and internal processes as Debian's ``dovenull`` / ``dovecot`` users and the mail user as
``nobody``: it refuses mail access as UID 0, and its unprivileged processes must reach
``base_dir``, so the folder is opened to them. As another user it runs everything as that user.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import HOST, free_port, wait_for_port

INSTALL = "install Dovecot to run the IMAP tests: apt-get install dovecot-imapd"
USER, PASSWORD = "alex", "s3cret-imap-pw"


@dataclass
class Dovecot:
    """A running Dovecot: where it listens, its user, its folder, and its process."""

    host: str
    port: int
    user: str
    password: str
    root: Path
    proc: subprocess.Popen

    def maildir(self, folder: str = "Drafts") -> Path:
        """The on-disk Maildir of a mailbox of the test user (Dovecot's Maildir++ layout)."""
        return self.root / "home" / self.user / "Maildir" / f".{folder}"


def binary() -> str | None:
    """The dovecot executable, or None when it is not installed."""
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


def _accounts() -> tuple[str, str, str, str]:
    """(login user, internal user, mail uid, mail gid) for this process."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, str(os.geteuid()), str(os.getegid())
    nobody = pwd.getpwnam("nobody")
    return "dovenull", "dovecot", str(nobody.pw_uid), str(grp.getgrnam("nogroup").gr_gid)


def _config(root: Path, port: int) -> str:
    login, internal, uid, gid = _accounts()
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = {HOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login}
default_internal_user = {internal}
first_valid_uid = {uid}
last_valid_uid = 0
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@contextmanager
def start_dovecot() -> Iterator[Dovecot]:
    """Start Dovecot in the foreground (``-F``), wait until it accepts connections, stop it after.

    Raises RuntimeError (with the log's tail) when it does not come up.
    """
    exe = binary()
    assert exe, INSTALL
    root = Path(tempfile.mkdtemp(prefix="syncd-dovecot-"))
    try:
        port = free_port()
        for sub in ("run", "state", f"home/{USER}"):
            (root / sub).mkdir(parents=True)
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        (root / "dovecot.conf").write_text(_config(root, port))
        if os.geteuid() == 0:  # the unprivileged processes must reach base_dir and the Maildir
            root.chmod(0o755)
            _, _, uid, gid = _accounts()
            shutil.chown(root / "home", int(uid), int(gid))
            shutil.chown(root / "home" / USER, int(uid), int(gid))
        log = root / "dovecot.log"
        proc = subprocess.Popen([exe, "-F", "-c", str(root / "dovecot.conf")],
                                stdout=log.open("ab"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            wait_for_port(port, proc, timeout=30, log=log)
            yield Dovecot(HOST, port, USER, PASSWORD, root, proc)
        finally:
            _stop(proc)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _stop(proc: subprocess.Popen) -> None:
    """Stop Dovecot and its children (they share its session)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
