"""The systemd units in systemd/: they verify, they are hardened, and Python runs under them.

``systemd-analyze verify`` checks that ExecStart= exists, so each test copies the unit to a
temporary folder with ExecStart= pointing at this environment's ``syncd``.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from syncd.cli import EX_CONFIG
from syncd.demo import seed

ROOT = Path(__file__).resolve().parents[2]
# Documentation=man:syncd(1) must resolve: the page `pipx install` links, found here in the checkout.
# Without man(1) (a minimal CI image) systemd-analyze cannot look pages up: then it is told not to.
MAN_ENV = {**os.environ, "MANPATH": str(ROOT / "share" / "man")}
MAN = [] if shutil.which("man") else ["--man=no"]
USER_UNIT = ROOT / "systemd" / "syncd.service"
SYSTEM_UNIT = ROOT / "systemd" / "syncd-system.service"
SYNCD = Path(sys.executable).parent / "syncd"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")

HARDENING = {
    "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "PrivateDevices": "yes",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "RestrictNamespaces": "yes",
    "RestrictRealtime": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native", "UMask": "0077",
    "KeyringMode": "private",
}
SYSTEM_ONLY = {
    "CapabilityBoundingSet": "", "AmbientCapabilities": "", "ProtectHome": "yes", "PrivateUsers": "yes",
    "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes",
    "ProtectProc": "invisible", "ProcSubset": "pid", "DevicePolicy": "closed", "RemoveIPC": "yes",
    "DynamicUser": "yes", "StateDirectory": "syncd", "ConfigurationDirectory": "syncd",
}


def directives(path: Path) -> dict[str, list[str]]:
    """Key -> every value it is given, in order (unit files repeat keys)."""
    out: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out[key.strip()].append(value.strip())
    return out


def runnable_copy(unit: Path, folder: Path, name: str = "syncd.service") -> Path:
    """The unit with ExecStart= pointing at this environment's syncd."""
    text = re.sub(r"^ExecStart=\S+", f"ExecStart={SYNCD}", unit.read_text(), flags=re.M)
    target = folder / name
    target.write_text(text)
    return target


@pytest.mark.parametrize("unit", [USER_UNIT, SYSTEM_UNIT], ids=["user", "system"])
def test_units_notify_watchdog_restart_and_reload(unit):
    d = directives(unit)
    assert d["Type"] == ["notify"] and d["NotifyAccess"] == ["main"]
    assert d["WatchdogSec"] == ["10min"]
    assert d["Restart"] == ["on-failure"] and d["RestartPreventExitStatus"] == [str(EX_CONFIG)]
    assert d["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert d["SystemCallFilter"] == ["@system-service", "~@privileged @resources"]
    for key, value in HARDENING.items():
        assert d[key] == [value], key
    assert d["ExecStart"][0].endswith(" run")


def test_system_unit_is_fully_hardened_and_reads_etc():
    d = directives(SYSTEM_UNIT)
    for key, value in SYSTEM_ONLY.items():
        assert d[key] == [value], key
    assert d["ExecStart"] == ["/usr/local/bin/syncd --config /etc/syncd/config.toml run"]
    assert any(line.lstrip("#").startswith("LoadCredential=") for line in SYSTEM_UNIT.read_text().splitlines())


def test_user_unit_runs_the_pipx_install():
    assert directives(USER_UNIT)["ExecStart"] == ["%h/.local/bin/syncd run"]


@needs_analyze
def test_system_unit_verifies_clean(tmp_path):
    unit = runnable_copy(SYSTEM_UNIT, tmp_path)
    done = subprocess.run([ANALYZE, "verify", *MAN, str(unit)], capture_output=True, text=True,
                          timeout=60, env=MAN_ENV)
    assert done.returncode == 0, done.stderr
    assert "syncd" not in done.stdout + done.stderr


@needs_analyze
def test_user_unit_verifies_clean(tmp_path):
    unit = runnable_copy(USER_UNIT, tmp_path)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**MAN_ENV, "XDG_RUNTIME_DIR": str(runtime)}  # a user manager wants one, even offline
    done = subprocess.run([ANALYZE, "--user", "verify", *MAN, str(unit)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert "syncd" not in done.stdout + done.stderr


@needs_analyze
def test_verify_would_catch_a_missing_executable(tmp_path):
    """The check above means something: a unit whose ExecStart is missing fails."""
    unit = tmp_path / "syncd.service"
    unit.write_text(SYSTEM_UNIT.read_text().replace("/usr/local/bin/syncd", str(tmp_path / "nope")))
    done = subprocess.run([ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "nope" in done.stderr


@needs_analyze
def test_system_unit_exposure_is_ok(tmp_path):
    unit = runnable_copy(SYSTEM_UNIT, tmp_path)
    done = subprocess.run([ANALYZE, "security", "--offline=true", "--no-pager", str(unit)],
                          capture_output=True, text=True, timeout=60)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", done.stdout)
    assert match, done.stdout + done.stderr
    assert float(match.group(1)) <= 2.0 and match.group(2) == "OK", done.stdout


def _mdwe_supported() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return libc.prctl(66, 0, 0, 0, 0) >= 0  # PR_GET_MDWE: Linux 6.3 and later


@pytest.mark.skipif(not _mdwe_supported(), reason="the kernel has no PR_SET_MDWE (Linux >= 6.3)")
def test_syncd_runs_with_memory_deny_write_execute(tmp_path):
    """MemoryDenyWriteExecute=yes refuses writable+executable memory; CPython and our
    libraries must not need it. PR_SET_MDWE applies the same rule to a process tree."""
    config = seed(tmp_path / "demo")
    wrapper = ("import ctypes, os, sys\n"
               "libc = ctypes.CDLL(None, use_errno=True)\n"
               "assert libc.prctl(65, 1, 0, 0, 0) == 0, ctypes.get_errno()  # PR_SET_MDWE\n"
               "import providers.caldav, providers.google, googleapiclient.discovery, exchangelib\n"
               "os.execv(sys.argv[1], sys.argv[1:])\n")
    env = {**os.environ, "SYNCD_RETRY_BASE": "0.01"}
    done = subprocess.run([sys.executable, "-c", wrapper, str(SYNCD), "--config", str(config), "once"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "Drafted an apology" in done.stderr
