"""Real CalDAV servers for tests and benchmarks, without pytest.

``start_radicale`` and ``start_xandikos`` run the servers installed next to the current
interpreter as subprocesses on free 127.0.0.1 ports, each in its own folder, and return a
:class:`DavServer` that stops the process on ``stop()`` or when used as a context manager.
(``tests.proxy`` puts a counting, fault-injecting proxy in front of one.)
``request`` is a tiny raw HTTP client so that tests can act as "another client" without
going through the adapter under test.
"""

from __future__ import annotations

import base64
import http.client
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

HOST = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 20.0,
                  log: Path | None = None) -> None:
    """Block until something accepts connections on ``port``.

    Raises RuntimeError, with the tail of ``log``, when ``proc`` exits or ``timeout`` passes.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {_tail(log)}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on {HOST}:{port} after {timeout}s: {_tail(log)}")


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return log.read_text(errors="replace")[-2000:]


def _executable(name: str) -> list[str]:
    """The console script installed next to the running interpreter (works from any venv)."""
    script = Path(sys.executable).parent / name
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", name]


@dataclass
class DavServer:
    """A running CalDAV server: where it listens, who to log in as, how to stop it."""

    kind: str
    url: str  # http(s)://127.0.0.1:PORT/
    port: int
    folder: Path
    process: subprocess.Popen
    home: str  # path of the calendar home, e.g. /alice/ or /user/calendars/
    username: str = "alice"
    password: str = "secret"
    log: Path | None = None
    _owned_folder: bool = False

    def stop(self) -> None:
        """Terminate the server (kill it if it does not go within 5 s); idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._owned_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> DavServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def auth(self) -> tuple[str, str]:
        """The (username, password) pair the server accepts."""
        return (self.username, self.password)

    def calendar_url(self, cal_id: str) -> str:
        """The URL a calendar with this id has (whether or not it exists yet)."""
        return f"{self.url.rstrip('/')}{self.home}{quote(cal_id, safe='')}/"

    def make_calendar(self, cal_id: str, displayname: str | None = None) -> str:
        """Create a calendar collection with MKCALENDAR and return its URL.

        Raises RuntimeError when the server refuses.
        """
        url = self.calendar_url(cal_id)
        name = f"<D:displayname>{displayname}</D:displayname>" if displayname else ""
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                f"<D:set><D:prop>{name}</D:prop></D:set></C:mkcalendar>")
        status, _, text = request("MKCALENDAR", url, body.encode(), auth=self.auth(),
                                  headers={"Content-Type": "application/xml"})
        if status not in (200, 201):
            raise RuntimeError(f"MKCALENDAR {url} failed: {status} {text[:300]!r}")
        return url


def _new_folder(folder: Path | str | None, prefix: str) -> tuple[Path, bool]:
    if folder is not None:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        return path, False
    return Path(tempfile.mkdtemp(prefix=prefix)), True


def _spawn(argv: list[str], port: int, folder: Path, owned: bool) -> tuple[subprocess.Popen, Path]:
    log = folder / "server.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=folder)
    try:
        wait_for_port(port, proc, log=log)
    except Exception:
        proc.kill()
        proc.wait()
        if owned:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return proc, log


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """Create a throw-away certificate and key for 127.0.0.1 with the openssl CLI.

    Raises RuntimeError when openssl is not installed.
    """
    if shutil.which("openssl") is None:
        raise RuntimeError("openssl is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def start_radicale(folder: Path | str | None = None, *, users: Mapping[str, str] | None = None,
                   max_sync_token_age: int | None = None, tls: bool = False,
                   username: str = "alice", password: str = "secret") -> DavServer:
    """Start Radicale on a free port with its storage in ``folder`` (a temp folder if None).

    ``users`` switches on htpasswd (plain) authentication with those users; otherwise any
    login is accepted and each user owns ``/<user>/``. ``max_sync_token_age`` (seconds)
    makes sync tokens expire quickly. ``tls`` serves HTTPS with a self-signed certificate.
    Raises RuntimeError when the server does not come up.
    """
    path, owned = _new_folder(folder, "syncd-radicale-")
    port = free_port()
    lines = ["[server]", f"hosts = {HOST}:{port}", "[storage]",
             f"filesystem_folder = {path / 'collections'}", "[logging]", "level = warning",
             "[rights]", "type = owner_only", "[auth]", "delay = 0"]
    if users:
        htpasswd = path / "htpasswd"
        htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in users.items()))
        lines += ["type = htpasswd", f"htpasswd_filename = {htpasswd}",
                  "htpasswd_encryption = plain"]
    else:
        lines += ["type = none"]
    if max_sync_token_age is not None:
        lines.insert(lines.index("[logging]"), f"max_sync_token_age = {max_sync_token_age}")
    if tls:
        cert, key = self_signed_certificate(path)
        lines[1:2] += ["ssl = True", f"certificate = {cert}", f"key = {key}"]
    config = path / "config"
    config.write_text("\n".join(lines) + "\n")
    proc, log = _spawn(_executable("radicale") + ["--config", str(config)], port, path, owned)
    scheme = "https" if tls else "http"
    if users and username not in users:
        username, password = next(iter(users.items()))
    return DavServer("radicale", f"{scheme}://{HOST}:{port}/", port, path, proc,
                     home=f"/{username}/", username=username, password=password, log=log,
                     _owned_folder=owned)


def start_xandikos(folder: Path | str | None = None) -> DavServer:
    """Start Xandikos (``serve --defaults``) on a free port with its data in ``folder``.

    The principal is ``/user/``, calendars live under ``/user/calendars/``. Xandikos has
    no authentication without TLS, so any credentials are ignored.
    Raises RuntimeError when the server does not come up.
    """
    path, owned = _new_folder(folder, "syncd-xandikos-")
    port = free_port()
    argv = _executable("xandikos") + [
        "serve", "--defaults", "-d", str(path / "data"), "--state-dir", str(path / "state"),
        "-l", HOST, "-p", str(port), "--no-detect-systemd"]
    proc, log = _spawn(argv, port, path, owned)
    return DavServer("xandikos", f"http://{HOST}:{port}/", port, path, proc,
                     home="/user/calendars/", username="user", password="unused", log=log,
                     _owned_folder=owned)


def start_server(kind: str, folder: Path | str | None = None, **options: object) -> DavServer:
    """Start a server by name: ``radicale`` or ``xandikos``."""
    if kind == "radicale":
        return start_radicale(folder, **options)  # type: ignore[arg-type]
    if kind == "xandikos":
        return start_xandikos(folder)
    raise ValueError(f"unknown server kind {kind!r}")


def request(method: str, url: str, body: bytes = b"", *, headers: Mapping[str, str] | None = None,
            auth: tuple[str, str] | None = None,
            timeout: float = 60.0) -> tuple[int, dict[str, str], str]:
    """Send one plain HTTP request; return (status, headers, body text). No TLS checks."""
    parts = urlsplit(url)
    conn = connection(parts.scheme, parts.hostname or HOST, parts.port, timeout)
    all_headers = dict(headers or {})
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        all_headers["Authorization"] = f"Basic {token}"
    try:
        conn.request(method, parts.path or "/", body=body, headers=all_headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data.decode(
            "utf-8", errors="replace")
    finally:
        conn.close()


def connection(scheme: str, host: str, port: int | None, timeout: float) -> http.client.HTTPConnection:
    """An http.client connection; HTTPS without certificate checks (test servers only)."""
    if scheme == "https":
        import ssl

        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ctx)
    return http.client.HTTPConnection(host, port, timeout=timeout)
