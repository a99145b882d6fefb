"""What each verb does. ``syncd.cli`` parses the command line and calls these.

Every handler takes the parsed arguments and returns an exit code; errors a user can cause
are raised as :class:`syncd.errors.SyncdError` and worded by ``syncd.cli``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from syncd import config as config_mod
from syncd import lock
from syncd.escape import escape_controls, json_safe
from syncd.secrets import remember_config_secrets
from syncd.text import article, plural, set_owner_zone

EX_OK, EX_FAIL, EX_USAGE, EX_TEMPFAIL, EX_CONFIG = 0, 1, 2, 75, 78
ACKS = {"attended": "attended", "missed": "missed", "cannot_attend": "cannot-attend",
        "dismiss": "dismissed"}
log = logging.getLogger("syncd")


def load_config(args: argparse.Namespace) -> config_mod.Config:
    """The config named on the command line, or the default one; its secrets kept out of logs."""
    config = config_mod.load(args.config or config_mod.default_path())
    remember_config_secrets(config.accounts)
    set_owner_zone(config.tz)
    return config


def now_utc() -> datetime:
    """The clock, read in one place."""
    return datetime.now(timezone.utc)


def cmd_run(args: argparse.Namespace) -> int:
    """``syncd run``: the daemon, holding the state folder for its whole life."""
    from syncd.daemon import Daemon

    config = load_config(args)
    with lock.instance(config.daemon["state_dir"], "run"):
        daemon = Daemon(config)
        daemon.install_signals()
        return daemon.run()


def cmd_once(args: argparse.Namespace) -> int:
    """``syncd once [--dry-run]``: one cycle; a dry run works on an in-memory copy of the state."""
    from syncd.cycle import Engine
    from syncd.narrator import Narrator
    from syncd.state import State, open_state

    config = load_config(args)
    state_dir = config.daemon["state_dir"]
    if args.dry_run:
        state = State.open_copy(state_dir)
        engine = Engine(config, state, dry_run=True)
        try:
            report = engine.cycle(now_utc(), on_plan=Narrator(config.tz, config).tell)
        finally:
            engine.close()
            state.close()
        _print_dry_run(report)
        return EX_TEMPFAIL if report.failed else EX_OK
    with lock.instance(state_dir, "once"), lock.writing(state_dir):
        state = open_state(config)
        engine = Engine(config, state)
        try:
            failed, _ = engine.once(now_utc(), on_plan=Narrator(config.tz, config).tell)
        finally:
            engine.close()
            state.close()
    return EX_TEMPFAIL if failed else EX_OK


def _print_dry_run(report: Any) -> None:
    print(f"{plural(len(report.plan.interviews), 'interview')}, "
          f"{plural(len(report.plan.conflicts), 'conflict')}")
    for line in report.ops or ["nothing to change"]:
        print(escape_controls(line))
    for due in report.plan.followups:
        if due.kind:
            print(escape_controls(f"would make sure '{due.interview.event.summary}' has "
                                  f"{article(due.kind)} draft"))


def with_state(args: argparse.Namespace, work: Callable[..., int], writes: bool = False) -> int:
    """Run ``work(config, state)`` on the opened state; ``writes`` waits for the write lock first.

    Commands that change the state or the drafts (``ack``, ``mark``) pass ``writes=True``, so
    they never run in the middle of a daemon's cycle.
    """
    from syncd.state import open_state

    config = load_config(args)
    state_dir = config.daemon["state_dir"]
    if writes:
        with lock.writing(state_dir):
            return _work_on(config, open_state(config), work)
    return _work_on(config, open_state(config), work)


def _work_on(config: config_mod.Config, state: Any, work: Callable[..., int]) -> int:
    try:
        return work(config, state)
    finally:
        state.close()


@contextmanager
def said_once(verbose: bool) -> Iterator[None]:
    """Hold back the drafting's INFO lines while a command prints the same outcome itself.

    Warnings (an edited draft kept, a sink that is down) still show; ``-v`` shows everything.
    """
    logger = logging.getLogger("syncd.followup")
    before = logger.level
    if not verbose:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(before)


def cmd_status(args: argparse.Namespace) -> int:
    """``syncd status [--json]``."""
    from syncd.status import render_text, status_data

    def show(config: config_mod.Config, state: Any) -> int:
        now = now_utc()
        data = status_data(config, state, now)
        print(json_safe(json.dumps(data, indent=2, ensure_ascii=False)) if args.json
              else render_text(data, now, config.tz))
        return EX_OK
    return with_state(args, show)


def cmd_ack(args: argparse.Namespace) -> int:
    """``syncd ack REF --attended|--missed|--cannot-attend|--dismiss [--reason TEXT]``.

    One sentence says the outcome; an ack that does not fit exits 1 (``AckRefused``, a
    SyncdError) with nothing changed.
    """
    from syncd.cycle import Engine
    from syncd.followup.ack import WITH_REASON, acknowledge
    from syncd.status import current_plan

    ack = next(value for flag, value in ACKS.items() if getattr(args, flag))
    if args.reason and ack not in WITH_REASON:
        print("syncd: ack: --reason goes with --missed or --cannot-attend only", file=sys.stderr)
        return EX_USAGE

    def record(config: config_mod.Config, state: Any) -> int:
        now = now_utc()
        engine = Engine(config, state)
        try:
            with said_once(args.verbose):  # the sentence below says what the log would repeat
                outcome = acknowledge(config, state, current_plan(config, state, now), args.ref, ack,
                                      now, engine.drafts, reason=args.reason)
        finally:
            engine.close()
        print(escape_controls(outcome.sentence))
        return EX_OK
    return with_state(args, record, writes=True)


MARKS = {"interview": "interview", "not_interview": "not-interview", "auto": None}


def cmd_mark(args: argparse.Namespace) -> int:
    """``syncd mark REF --interview|--not-interview|--auto``: overrule the detector for a series."""
    mark = next(value for flag, value in MARKS.items() if getattr(args, flag))

    def record(config: config_mod.Config, state: Any) -> int:
        now = now_utc()
        found = _marked_series(args.ref, config, state, now)
        if len(found) != 1:
            what = "no event" if not found else f"{len(found)} different events"
            print(f"syncd: {what} with REF or UID {args.ref!r}; see `syncd status`",
                  file=sys.stderr)
            return EX_FAIL
        uid, summary = next(iter(found.items()))
        state.set_mark(uid, mark, now)
        said = {"interview": "an interview", "not-interview": "not an interview",
                None: "for the detector to decide"}[mark]
        print(escape_controls(f"'{summary}' (UID {uid}): {said}, every occurrence, from the next cycle on"))
        return EX_OK
    return with_state(args, record, writes=True)


def _marked_series(ref: str, config: config_mod.Config, state: Any,
                   now: datetime) -> dict[str, str]:
    """UID -> title of the series that ``ref`` names: a UID, or a REF (a unique prefix will do).

    A UID already marked counts even when its event has left the cache, so --auto can undo it.
    """
    from syncd.cycle import MARGIN, snapshot
    from syncd.model import Window
    from syncd.plan import planning_window

    window = planning_window(config, now)
    events = [e for e in snapshot(state, config, Window(window.start - MARGIN, window.end + MARGIN))
              if not e.owned]
    by_uid = {e.uid: e.summary for e in events if e.uid == ref}
    if not by_uid and ref in state.marks():
        by_uid = {ref: ref}
    if not by_uid and len(ref) >= 4:
        by_uid = {e.uid: e.summary for e in events if e.ref.startswith(ref.lower())}
    return by_uid


def cmd_check_config(args: argparse.Namespace) -> int:
    """``syncd check-config``: errors exit 78 (raised by loading); warnings are printed."""
    config = load_config(args)
    for warning in config.warnings:
        print(escape_controls(f"warning: {warning}"), file=sys.stderr)
    names = ", ".join(f"{a['name']} ({a['type']})" for a in config.accounts)
    verdict = "ok" if not config.warnings else f"ok with {plural(len(config.warnings), 'warning')}"
    print(escape_controls(f"{config.path}: {verdict}, {plural(len(config.accounts), 'account')} ({names})"))
    return EX_OK


def cmd_auth(args: argparse.Namespace) -> int:
    """``syncd auth ACCOUNT``: sign in where the provider needs it (Google, Microsoft Graph)."""
    config = load_config(args)
    try:
        account = config.account(args.account)
    except KeyError:
        print(f"syncd: no account named {args.account!r} in {config.path}", file=sys.stderr)
        return EX_FAIL
    if account["type"] == "google":
        from providers.google.auth import authorize

        drafts = config.followup.get("sink") == f"account:{account['name']}"
        authorize(account, console=args.console, drafts=drafts)
        print(f"Signed in; token stored in {account['token_file']} (mode 0600)")
        return EX_OK
    if account["type"] == "msgraph" and account.get("token_command"):
        print(f"syncd: account {args.account!r} gets its tokens from token_command; nothing to "
              "sign in to here", file=sys.stderr)
        return EX_FAIL
    if account["type"] == "msgraph":
        from providers.msgraph.auth import authorize as graph_authorize

        sink = config.followup.get("sink") == f"account:{account['name']}"
        graph_authorize(account, draft_sink=sink)
        print(f"Signed in; token cache stored in {account['token_file']} (mode 0600)")
        return EX_OK
    print(f"syncd: account {args.account!r} is of type {account['type']!r}, which needs no sign-in "
          "here (use password, password_env or password_command)", file=sys.stderr)
    return EX_FAIL


def cmd_purge(args: argparse.Namespace) -> int:
    """``syncd purge [--dry-run]``: remove every event syncd made, through the ownership checks."""
    from syncd.purge import purge

    config = load_config(args)
    state_dir = config.daemon["state_dir"]
    if args.dry_run:
        return purge(config, now_utc(), dry_run=True)
    with lock.instance(state_dir, "purge"), lock.writing(state_dir):
        return purge(config, now_utc(), dry_run=False)


MAX_LINE = 64 << 20  # one event a line; a longer line is an error, not a reason to run out of memory
_TEXT_FIELDS = ("summary", "description", "location", "organizer")


def cmd_classify(args: argparse.Namespace) -> int:
    """``syncd classify``: JSON lines in, one verdict (or one error) per line out, in order."""
    from syncd.detect import Rules

    config = load_config(args) if args.config or config_mod.default_path().exists() else None
    base: dict[str, Any] = config.interviews if config else {
        "self": (), "threshold": 0.5, "include": (), "exclude": ()}
    rules = Rules(self_addresses=tuple(a.lower() for a in base["self"]), threshold=base["threshold"],
                  include=tuple(base["include"]), exclude=tuple(base["exclude"]))
    status = EX_OK
    for number, line in enumerate(_lines(sys.stdin, MAX_LINE), 1):
        if line is not None and not line.strip():
            continue
        try:
            answer = _verdict(line, rules)
        except (ValueError, TypeError, AttributeError, RecursionError, MemoryError) as exc:
            reason = _why_not(exc)
            print(f"syncd: stdin line {number}: not a JSON event object ({reason})", file=sys.stderr)
            answer = {"id": None, "error": reason}
            status = EX_FAIL
        print(json_safe(json.dumps(answer, ensure_ascii=False)), flush=True)
    return status


def _lines(stream: Any, limit: int) -> Any:
    """The stream's lines; None in place of a line longer than ``limit`` (read and dropped)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        while line and not line.endswith("\n"):
            line = stream.readline(limit)
        yield None


def _verdict(line: str | None, rules: Any) -> dict[str, Any]:
    from dataclasses import replace

    from syncd.detect import classify

    if line is None:
        raise ValueError(f"longer than {MAX_LINE} characters")
    row = json.loads(line)
    if not isinstance(row, dict):
        raise ValueError("expected an object")
    fields = {name: row.get(name) or "" for name in _TEXT_FIELDS}
    attendees = [_attendee_address(a) for a in row.get("attendees") or []] \
        if isinstance(row.get("attendees") or [], list) else None
    categories = row.get("categories") or []
    if not all(isinstance(v, str) for v in fields.values()) or attendees is None \
            or not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise ValueError("summary, description, location and organizer must be strings, "
                         "attendees a list of addresses or of {email, name, partstat} objects, "
                         "categories a list of strings")
    if row.get("self"):
        rules = replace(rules, self_addresses=(*rules.self_addresses, str(row["self"]).lower()))
    v = classify(fields["summary"], fields["description"], fields["location"], fields["organizer"],
                 attendees, rules, categories)
    return {"id": row.get("id"), "interview": v.interview, "score": v.score, "format": v.format,
            "company": v.company, "role": v.role, "reasons": list(v.reasons)}


def _attendee_address(attendee: Any) -> str:
    """An attendee given as an address, or as an object with ``email`` (``name``, ``partstat``)."""
    if isinstance(attendee, str):
        return attendee
    if isinstance(attendee, dict) and isinstance(attendee.get("email"), str):
        return str(attendee["email"])
    raise ValueError("an attendee must be an address or an object with an email")


def _why_not(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, MemoryError):
        return "too large"
    return str(exc)[:200]
