"""The command line (README, "Commands"), and the one place errors become sentences and exit codes.

The verbs' work is in :mod:`syncd.commands`; this module only parses (global options go
before or after the verb), sets up logging and turns what a user can cause into one line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from syncd import __version__, commands
from syncd.commands import EX_CONFIG, EX_FAIL, EX_OK, EX_TEMPFAIL, EX_USAGE
from syncd.errors import ConfigError, SyncdError
from syncd.escape import escape_controls, escape_lines
from syncd.logsetup import setup_logging
from syncd.secrets import redact

__all__ = ["EX_CONFIG", "EX_FAIL", "EX_OK", "EX_TEMPFAIL", "EX_USAGE", "main", "parser"]

DESCRIPTION = """\
syncd looks after a job seeker's calendars: it finds the interviews in which you are the
candidate, adds prep and decompress buffers and travel blocks around them, flags double
bookings across every account, and drafts the follow-up mail when an interview has passed."""

EXAMPLES = """\
examples:
  syncd check-config                       validate ~/.config/syncd/config.toml
  syncd once --dry-run                     show what one cycle would change, change nothing
  syncd once                               one cycle, then exit (0 ok, 75 an account failed)
  syncd run                                the daemon (see docs/service.md for systemd)
  syncd status                             interviews, conflicts and drafts; --json for scripts
  syncd ack 3f2a9c --attended              turn the apology draft into a thank-you note
  syncd ack 3f2a9c --cannot-attend         draft a note asking for a new time
  syncd mark 3f2a9c --not-interview        not an interview of yours: no blocks, no draft
  syncd classify < events.jsonl            one verdict per JSON line, e.g.
                                           {"summary": "Interview with Acme", "organizer": "hr@acme.com"}
  syncd auth gmail                         sign in to a Google account
  syncd purge --dry-run                    list every event syncd made; without --dry-run, remove them
  syncd status --config demo/config.toml   global options go before or after the verb

exit codes: 0 ok, 1 could not do what was asked, 2 bad command line, 75 an account could not
be synced, 78 invalid config (the message names the file and the key)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``syncd`` console script."""
    args = parser().parse_args(argv)
    setup_logging(args.verbose, args.log_format)
    try:
        return args.handler(args)
    except ConfigError as exc:
        print(f"syncd: invalid config:\n{escape_lines(redact(str(exc)))}", file=sys.stderr)
        return EX_CONFIG
    except SyncdError as exc:
        print(f"syncd: {escape_controls(redact(str(exc)))}", file=sys.stderr)
        return EX_FAIL
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _pipe_closed()


def _pipe_closed() -> int:
    """The reader went away (``syncd status | head -1``): stop quietly, as other tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot complain
    except (OSError, ValueError):
        pass
    return EX_OK


def _globals(suppress: bool) -> argparse.ArgumentParser:
    """The options every verb takes; after the verb they must not reset what came before."""
    default = argparse.SUPPRESS if suppress else None
    g = argparse.ArgumentParser(add_help=False)
    g.add_argument("--config", type=Path, default=default, metavar="PATH",
                   help="the config file (default: $XDG_CONFIG_HOME/syncd/config.toml)")
    g.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS if suppress else False,
                   help="log at DEBUG: every conflict, sync and retry")
    g.add_argument("--log-format", choices=("plain", "json"), default=default if suppress else "plain",
                   help="plain lines (default) or one JSON object a line")
    return g


@cache
def _verb_globals() -> argparse.ArgumentParser:
    """The global options as each verb takes them: one parser for all, as argparse copies its
    options into each verb's parser (making one per verb cost every command a millisecond)."""
    return _globals(suppress=True)


def _verb(verbs: argparse._SubParsersAction, name: str, summary: str, description: str,
          handler: object) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = verbs.add_parser(
        name, help=summary, description=description, parents=[_verb_globals()],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub.set_defaults(handler=handler)
    return sub


def parser() -> argparse.ArgumentParser:
    """The command line: every verb and flag with one line of help."""
    p = argparse.ArgumentParser(prog="syncd", description=DESCRIPTION, epilog=EXAMPLES,
                                parents=[_globals(suppress=False)],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"syncd {__version__}",
                   help="print the version and exit")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="COMMAND",
                             help="what to do; `syncd COMMAND --help` says more")
    _verb(verbs, "run", "the daemon: poll, plan, apply, forever",
          "Poll every account, plan and apply, forever. SIGTERM or SIGINT stop it after the write "
          "in flight; SIGHUP reloads the config. One daemon per state folder.", commands.cmd_run)
    once = _verb(verbs, "once", "one full cycle over every account, then exit",
                 "Sync every account once, plan, write, draft, then exit: 0 when every account "
                 "synced, 75 when one could not be.", commands.cmd_once)
    once.add_argument("--dry-run", action="store_true",
                      help="print what would change and write nothing anywhere")
    status = _verb(verbs, "status", "accounts, interviews, conflicts, artifacts, drafts",
                   "What the state holds: each account's last sync, upcoming and recent interviews, "
                   "double bookings, syncd's own events and the follow-up drafts. Talks to no server.",
                   commands.cmd_status)
    status.add_argument("--json", action="store_true", help="one JSON document, for scripts")
    _ack_parser(verbs)
    _mark_parser(verbs)
    _verb(verbs, "classify", "JSON lines of events in, one verdict per line out",
          "Read events as JSON lines on stdin (summary, description, location, organizer, "
          "attendees, self, id) and write one verdict per line on stdout, in order; a line that "
          "is not an event gets one error line and the rest go on.", commands.cmd_classify)
    _verb(verbs, "check-config", "validate the config and say what is wrong",
          "Validate the config: every error names the file and the key (exit 78); warnings "
          "name what will not work as you may expect.", commands.cmd_check_config)
    auth = _verb(verbs, "auth", "sign in to a Google or Microsoft account and store the token",
                 "Run the provider's sign-in (Google: a browser, or --console; Microsoft Graph: a "
                 "device code) and store the token with mode 0600. Other types need no sign-in.",
                 commands.cmd_auth)
    auth.add_argument("account", metavar="ACCOUNT", help="the account's name in the config")
    auth.add_argument("--console", action="store_true",
                      help="no browser on this machine: paste the code by hand")
    purge = _verb(verbs, "purge", "remove every event syncd created, from every account",
                  "Remove every event syncd created, from every account, through the same "
                  "ownership checks as every other write; say what was removed. Run it before "
                  "uninstalling. Events without syncd's marker are never touched.",
                  commands.cmd_purge)
    purge.add_argument("--dry-run", action="store_true", help="list what would be removed")
    return p


def _ref_verb(verbs: argparse._SubParsersAction, name: str, summary: str, description: str,
              handler: object, ref_help: str, choices: Sequence[tuple[str, str]]
              ) -> argparse.ArgumentParser:
    """A verb that takes a REF and exactly one of ``choices`` (flag, help)."""
    sub = _verb(verbs, name, summary, description, handler)
    sub.add_argument("ref", metavar="REF", help=ref_help)
    which = sub.add_mutually_exclusive_group(required=True)
    for flag, text in choices:
        which.add_argument(flag, action="store_true", help=text)
    return sub


def _mark_parser(verbs: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return _ref_verb(
        verbs, "mark", "overrule the detector for one event (a series: all of it)",
        "Say yourself whether an event is an interview in which you are the candidate. Name it "
        "by its REF from `syncd status` (a unique prefix will do) or by its UID; a recurring "
        "event is marked as a whole. The next cycle adds or removes its blocks and drafts; "
        "--auto hands it back to the detector.", commands.cmd_mark,
        "the event's REF from `syncd status`, or its UID",
        [("--interview", "it is an interview of yours"), ("--not-interview", "it is not one"),
         ("--auto", "forget the mark: the detector decides")])


def _ack_parser(verbs: argparse._SubParsersAction) -> argparse.ArgumentParser:
    ack = _ref_verb(
        verbs, "ack", "tell syncd how an interview went",
        "Acknowledge an interview, named by its REF from `syncd status` (a unique "
        "prefix will do). --attended turns the apology draft into a thank-you; --missed "
        "drafts the apology now; --cannot-attend (before it ends) drafts a request for a "
        "new time and removes its blocks; --dismiss removes the draft.", commands.cmd_ack,
        "the interview's REF, as printed by `syncd status`",
        [("--attended", "you went: draft a thank-you note"),
         ("--missed", "you missed it: draft the apology now"),
         ("--cannot-attend", "you cannot go: draft a note asking for a new time"),
         ("--dismiss", "no follow-up: remove the draft")])
    ack.add_argument("--reason", default="", metavar="TEXT",
                     help="with --missed or --cannot-attend: one honest sentence the draft includes "
                          "as your explanation, as written")
    return ack
