"""The verbs of SPEC.md, and the one place errors become sentences and exit codes."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from syncd import config as config_mod
from syncd.errors import ConfigError, SyncdError
from syncd.secrets import RedactingFilter, redact, remember_config_secrets

EX_OK, EX_USAGE, EX_TEMPFAIL, EX_CONFIG = 0, 2, 75, 78
ACKS = {"attended": "attended", "missed": "missed", "cannot_attend": "cannot-attend",
        "dismiss": "dismissed"}
log = logging.getLogger("syncd")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``syncd`` console script."""
    args = parser().parse_args(argv)
    setup_logging(args.verbose, args.log_format)
    try:
        return args.handler(args)
    except ConfigError as exc:
        print(f"syncd: invalid config:\n{redact(str(exc))}", file=sys.stderr)
        return EX_CONFIG
    except SyncdError as exc:
        print(f"syncd: {redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="syncd", description="Keeps a job seeker's calendars honest.")
    p.add_argument("--config", type=Path, default=None,
                   help="config file (default: $XDG_CONFIG_HOME/syncd/config.toml)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    p.add_argument("--log-format", choices=("plain", "json"), default="plain")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    verbs.add_parser("run", help="the daemon: poll, plan, apply, forever").set_defaults(handler=cmd_run)
    once = verbs.add_parser("once", help="one full cycle, then exit")
    once.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    once.set_defaults(handler=cmd_once)
    status = verbs.add_parser("status", help="accounts, interviews, conflicts, artifacts")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)
    ack = verbs.add_parser("ack", help="acknowledge an interview")
    ack.add_argument("ref", help="the interview's REF, as printed by status")
    which = ack.add_mutually_exclusive_group(required=True)
    for flag in ("--attended", "--missed", "--cannot-attend", "--dismiss"):
        which.add_argument(flag, action="store_true")
    ack.set_defaults(handler=cmd_ack)
    verbs.add_parser("classify", help="JSON lines in, verdicts out").set_defaults(handler=cmd_classify)
    verbs.add_parser("check-config", help="validate the config").set_defaults(handler=cmd_check_config)
    auth = verbs.add_parser("auth", help="sign in to a Google or Microsoft account")
    auth.add_argument("account")
    auth.add_argument("--console", action="store_true", help="no browser on this machine")
    auth.set_defaults(handler=cmd_auth)
    return p


class _JsonFormatter(logging.Formatter):
    """One JSON object a line, for log shippers; a traceback goes in ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class _JournalFormatter(logging.Formatter):
    """Plain lines with a syslog priority prefix (``<4>``) that journald turns into PRIORITY=."""

    PRIORITIES = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
                  logging.CRITICAL: 2}

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{self.PRIORITIES.get(record.levelno, 6)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines())


def stderr_is_journal() -> bool:
    """True when stderr is systemd-journald's stream ($JOURNAL_STREAM names its device:inode)."""
    try:
        device, inode = (int(x) for x in os.environ.get("JOURNAL_STREAM", "").split(":"))
        info = os.fstat(sys.stderr.fileno())
    except (ValueError, OSError, AttributeError):
        return False
    return (info.st_dev, info.st_ino) == (device, inode)


def setup_logging(verbose: bool, fmt: str) -> None:
    """Configure logging once: plain lines (no timestamps under journald) or JSON.

    Every line passes through :class:`syncd.secrets.RedactingFilter`, so a secret that some
    library puts in a message or a traceback is scrubbed before it is written.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(_JsonFormatter())
    elif stderr_is_journal():
        handler.setFormatter(_JournalFormatter("%(levelname)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s: %(message)s", "%H:%M:%S"))
    handler.syncd = True  # type: ignore[attr-defined]  # replaced on reconfiguration, others kept
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "syncd", False)] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("googleapiclient", "urllib3", "caldav", "exchangelib", "httpx", "niquests"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def load_config(args: argparse.Namespace) -> config_mod.Config:
    """The config named on the command line, or the default one; its secrets kept out of logs."""
    config = config_mod.load(args.config or config_mod.default_path())
    remember_config_secrets(config.accounts)
    return config


def now_utc() -> datetime:
    """The clock, read in one place."""
    return datetime.now(timezone.utc)


def cmd_run(args: argparse.Namespace) -> int:
    from syncd.daemon import Daemon

    daemon = Daemon(load_config(args))
    daemon.install_signals()
    return daemon.run()


def cmd_once(args: argparse.Namespace) -> int:
    from syncd.cycle import Engine
    from syncd.daemon import Narrator
    from syncd.state import State

    config = load_config(args)
    state_dir = config.daemon["state_dir"]
    state = State.open_copy(state_dir) if args.dry_run else State.open(state_dir)
    engine = Engine(config, state, dry_run=args.dry_run)
    try:
        report = engine.cycle(now_utc(), on_plan=Narrator(config.tz).tell)
    finally:
        engine.close()
        state.close()
    if args.dry_run:
        _print_dry_run(report)
    return EX_TEMPFAIL if report.failed else EX_OK


def _print_dry_run(report) -> None:
    print(f"{len(report.plan.interviews)} interviews, {len(report.plan.conflicts)} conflicts")
    for line in report.ops or ["nothing to change"]:
        print(line)
    for due in report.plan.followups:
        if due.kind:
            print(f"would make sure '{due.interview.event.summary}' has a {due.kind} draft")


def _with_state(args: argparse.Namespace, work: Callable) -> int:
    from syncd.state import State

    config = load_config(args)
    state = State.open(config.daemon["state_dir"])
    try:
        return work(config, state)
    finally:
        state.close()


def cmd_status(args: argparse.Namespace) -> int:
    from syncd.status import render_text, status_data

    def show(config, state) -> int:
        now = now_utc()
        data = status_data(config, state, now)
        print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else render_text(data, now, config.tz))
        return EX_OK
    return _with_state(args, show)


def cmd_ack(args: argparse.Namespace) -> int:
    from syncd.cycle import apply_followups
    from syncd.plan import plan_followups
    from syncd.status import current_plan

    ack = next(value for flag, value in ACKS.items() if getattr(args, flag))

    def record(config, state) -> int:
        now = now_utc()
        plan = current_plan(config, state, now)
        matches = [iv for iv in plan.interviews if iv.ref.startswith(args.ref.lower())]
        if len(matches) != 1:
            what = "no interview" if not matches else f"{len(matches)} interviews"
            print(f"syncd: {what} with REF {args.ref!r}; see `syncd status`", file=sys.stderr)
            return EX_USAGE
        iv = matches[0]
        state.set_ack(iv.ref, ack, now)
        print(f"{iv.ref} '{iv.event.summary}': {ack}")
        for line in apply_followups(plan_followups([iv], {iv.ref: ack}, config, now), state, config, now):
            print(line)
        return EX_OK
    return _with_state(args, record)


def cmd_classify(args: argparse.Namespace) -> int:
    from syncd.detect import Rules, classify

    try:
        config = load_config(args) if args.config or config_mod.default_path().exists() else None
    except ConfigError:
        raise
    base: dict[str, Any] = config.interviews if config else {"self": (), "threshold": 0.5, "include": (), "exclude": ()}
    status = EX_OK
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            owner = tuple(base["self"]) + ((row["self"],) if row.get("self") else ())
            rules = Rules(self_addresses=tuple(a.lower() for a in owner), threshold=base["threshold"],
                          include=tuple(base["include"]), exclude=tuple(base["exclude"]))
            v = classify(row.get("summary", ""), row.get("description", ""), row.get("location", ""),
                         row.get("organizer", ""), row.get("attendees", []), rules)
        except (ValueError, TypeError, AttributeError) as exc:
            print(f"syncd: stdin line {number}: not a JSON event object ({exc})", file=sys.stderr)
            print(json.dumps({"id": None, "error": str(exc)}), flush=True)
            status = 1
            continue
        print(json.dumps({"id": row.get("id"), "interview": v.interview, "score": v.score,
                          "format": v.format, "company": v.company, "reasons": list(v.reasons)},
                         ensure_ascii=False), flush=True)
    return status


def cmd_check_config(args: argparse.Namespace) -> int:
    config = load_config(args)
    print(f"{config.path}: ok, {len(config.accounts)} accounts "
          f"({', '.join(a['name'] + ' (' + a['type'] + ')' for a in config.accounts)})")
    return EX_OK


def cmd_auth(args: argparse.Namespace) -> int:
    config = load_config(args)
    try:
        account = config.account(args.account)
    except KeyError:
        print(f"syncd: no account named {args.account!r} in {config.path}", file=sys.stderr)
        return EX_USAGE
    if account["type"] == "google":
        from providers.google.auth import authorize

        authorize(account, console=args.console)
        print(f"Signed in; token stored in {account['token_file']} (mode 0600)")
        return EX_OK
    if account["type"] == "msgraph" and not account.get("token_command"):
        from providers.msgraph.auth import authorize as graph_authorize

        sink = config.followup.get("sink") == f"account:{account['name']}"
        graph_authorize(account, draft_sink=sink)
        print(f"Signed in; token cache stored in {account['token_file']} (mode 0600)")
        return EX_OK
    print(f"syncd: account {args.account!r} is of type {account['type']!r}, which needs no sign-in "
          "here (use password, password_env or password_command)", file=sys.stderr)
    return EX_USAGE
