"""The man page and the bash and zsh completions, generated from the command-line parser.

``python -m syncd.manuals`` rewrites the files under ``share/`` that ``pip``/``pipx install``
put in place (pyproject's data-files); a test checks that they match the parser, so a verb or
flag added to :func:`syncd.cli.parser` without regenerating them fails ``make test``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from syncd import __version__
from syncd.cli import DESCRIPTION, EXAMPLES, parser

ROOT = Path(__file__).resolve().parent.parent
FILES = {"man": "share/man/man1/syncd.1", "bash": "share/bash-completion/completions/syncd",
         "zsh": "share/zsh/site-functions/_syncd"}
HEADER = "generated from syncd's parser by `python -m syncd.manuals`; do not edit"


@dataclass(frozen=True)
class Option:
    """One flag: its spellings, its help, the value it takes (METAVAR) and its choices."""

    flags: tuple[str, ...]
    help: str
    metavar: str = ""
    choices: tuple[str, ...] = ()
    is_file: bool = False


@dataclass(frozen=True)
class Verb:
    """One verb: name, one-line summary, description, options and positional arguments."""

    name: str
    summary: str
    description: str
    options: tuple[Option, ...]
    positionals: tuple[tuple[str, str], ...]


def _options(p: argparse.ArgumentParser, skip: set[str]) -> tuple[Option, ...]:
    out = []
    for action in p._actions:
        if not action.option_strings or set(action.option_strings) & skip:
            continue
        takes = action.nargs != 0 and not isinstance(action, (argparse._StoreTrueAction,
                                                              argparse._VersionAction,
                                                              argparse._HelpAction))
        shown = "{" + ",".join(map(str, action.choices)) + "}" if action.choices else action.dest.upper()
        metavar = (action.metavar or shown) if takes else ""
        out.append(Option(tuple(action.option_strings), action.help or "", str(metavar),
                          tuple(action.choices or ()), is_file=metavar == "PATH"))
    return tuple(out)


def model() -> tuple[tuple[Option, ...], tuple[Verb, ...]]:
    """(global options, verbs) read from the parser."""
    top = parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help or "" for c in sub._choices_actions}
    globals_ = _options(top, set())
    names = {f for o in globals_ for f in o.flags}
    verbs = tuple(Verb(name, helps.get(name, ""), p.description or "", _options(p, names | {"-h"}),
                       tuple((a.metavar or a.dest, a.help or "") for a in p._actions
                             if not a.option_strings))
                  for name, p in sub.choices.items())
    return globals_, verbs


def _roff(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line for line in text.splitlines())


def _roff_option(o: Option) -> list[str]:
    flags = ", ".join(f"\\fB{_roff(f)}\\fR" for f in o.flags)
    return [".TP", flags + (f" \\fI{o.metavar}\\fR" if o.metavar else ""), _roff(o.help)]


def man_page() -> str:
    """syncd(1) in roff."""
    globals_, verbs = model()
    lines = [f'.\\" {HEADER}', f'.TH SYNCD 1 "" "syncd {__version__}" "User Commands"', ".SH NAME",
             "syncd \\- looks after a job seeker's calendars around interviews", ".SH SYNOPSIS",
             ".B syncd", "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]", ".SH DESCRIPTION",
             _roff(" ".join(DESCRIPTION.split())), ".SH OPTIONS",
             "Global options go before or after the command."]
    for o in globals_:
        lines += _roff_option(o)
    lines.append(".SH COMMANDS")
    for v in verbs:
        args = " ".join(f"\\fI{name}\\fR" for name, _ in v.positionals)
        lines += [f'.SS "syncd {v.name}"' + (f" {args}" if args else ""), _roff(v.description)]
        for name, text in v.positionals:
            lines += [".TP", f"\\fI{name}\\fR", _roff(text)]
        for o in v.options:
            lines += _roff_option(o)
    examples, _, codes = EXAMPLES.partition("\n\nexit codes: ")
    lines += [".SH EXAMPLES", ".nf", _roff("\n".join(examples.splitlines()[1:])), ".fi",
              ".SH EXIT STATUS", _roff(" ".join(codes.split())), ".SH FILES",
              ".TP", "\\fI~/.config/syncd/config.toml\\fR", "the config ($XDG_CONFIG_HOME/syncd)",
              ".TP", "\\fI~/.local/state/syncd\\fR", "the state: a SQLite cache, sync tokens, "
              "acknowledgements (mode 0700)", ".SH SEE ALSO", "\\fBkhal\\fR(1), \\fBvdirsyncer\\fR(1), "
              "\\fBsystemd.service\\fR(5)"]
    return "\n".join(lines) + "\n"


def bash_completion() -> str:
    """A bash completion function for syncd."""
    globals_, verbs = model()
    top_words = [v.name for v in verbs] + [f for o in globals_ for f in o.flags]
    with_values = [o for o in globals_ + tuple(o for v in verbs for o in v.options) if o.metavar]
    lines = [f"# bash completion for syncd; {HEADER}", "_syncd() {",
             "    local cur prev verb i", '    cur="${COMP_WORDS[COMP_CWORD]}"',
             '    prev="${COMP_WORDS[COMP_CWORD-1]}"', '    case "$prev" in']
    for o in {o.flags: o for o in with_values}.values():
        answer = f'compgen -W "{" ".join(o.choices)}" -- "$cur"' if o.choices else 'compgen -f -- "$cur"'
        lines.append(f'        {"|".join(o.flags)}) COMPREPLY=($({answer})); return ;;')
    lines += ["    esac", '    verb=""', "    for ((i = 1; i < COMP_CWORD; i++)); do",
              f'        case "${{COMP_WORDS[i]}}" in {"|".join(v.name for v in verbs)}) '
              'verb="${COMP_WORDS[i]}"; break ;; esac', "    done", '    case "$verb" in',
              f'        "") COMPREPLY=($(compgen -W "{" ".join(top_words)}" -- "$cur")) ;;']
    global_flags = " ".join(f for o in globals_ if not {"--version", "-h"} & set(o.flags) for f in o.flags)
    for v in verbs:
        words = " ".join(f for o in v.options for f in o.flags) + f" {global_flags} --help"
        lines.append(f'        {v.name}) COMPREPLY=($(compgen -W "{words.strip()}" -- "$cur")) ;;')
    lines += ["    esac", "}", "complete -F _syncd syncd"]
    return "\n".join(lines) + "\n"


def _zsh_text(text: str, colons: bool = False) -> str:
    """Quoted for a '…' word; brackets (option help) and, where asked, colons (fields) escaped."""
    text = text.replace("'", "'\\''").replace("[", "(").replace("]", ")")
    return text.replace(":", "\\:") if colons else text


def _zsh_spec(o: Option) -> str:
    value = ""
    if o.metavar:
        action = f"({' '.join(o.choices)})" if o.choices else ("_files" if o.is_file else " ")
        value = f":{o.metavar.strip('{}').lower()}:{action}"
    text = _zsh_text(o.help)
    if len(o.flags) == 1:
        return f"'{o.flags[0]}[{text}]{value}'"
    group = " ".join(o.flags)
    return f"'({group})'{{{','.join(o.flags)}}}'[{text}]{value}'"


def zsh_completion() -> str:
    """A zsh completion function (#compdef) for syncd."""
    globals_, verbs = model()
    common = [_zsh_spec(o) for o in globals_ if not {"--version", "-h"} & set(o.flags)]
    lines = ["#compdef syncd", f"# {HEADER}", "", "_syncd() {", "  local curcontext=$curcontext state line",
             "  local -a verbs common", "  verbs=("]
    lines += [f"    '{v.name}:{_zsh_text(v.summary)}'" for v in verbs]
    lines += ["  )", "  common=(" + " ".join(common) + ")",
              "  _arguments -C $common '--version[print the version and exit]' "
              "'(-h --help)'{-h,--help}'[show help]' '1:command:->verb' '*::arg:->args'",
              "  case $state in", "    verb) _describe -t commands 'syncd command' verbs ;;",
              "    args)", "      case $words[1] in"]
    for v in verbs:
        specs = [_zsh_spec(o) for o in v.options]
        specs += [f"'{i + 1}:{_zsh_text(text, colons=True)}: '" for i, (_, text) in enumerate(v.positionals)]
        lines.append(f"        {v.name}) _arguments $common {' '.join(specs)} ;;")
    lines += ["      esac ;;", "  esac", "}", "", '_syncd "$@"']
    return "\n".join(lines) + "\n"


def generated() -> dict[str, str]:
    """Relative path -> the text it should hold."""
    return {FILES["man"]: man_page(), FILES["bash"]: bash_completion(), FILES["zsh"]: zsh_completion()}


def main() -> int:
    """Write every generated file under the checkout's ``share/``."""
    for relative, text in generated().items():
        path = ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
