"""Run every benchmark in this folder, one after another, and say which failed.

Usage: python benchmarks/run_all.py [NAME ...]

Each ``benchmarks/*.py`` except this file (and files starting with ``_``) runs as its own
process with the same Python, in name order, from the repository root, under a header line;
NAMEs (``plan_bench`` or ``plan_bench.py``) pick some of them. The exit status is 1 when any
benchmark failed, else 0.

A benchmark that needs an optional tool it cannot find should print what is missing and exit
with status 77 (the automake "skipped" code): that counts as skipped, not failed. So does a
benchmark that stops on ``ModuleNotFoundError`` for a package outside this project.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SKIPPED = 77
OWN_PACKAGES = {"syncd", "providers", "tests", "benchmarks"}
_MISSING = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")


@dataclass(frozen=True)
class Outcome:
    """How one benchmark ended."""

    name: str
    status: str  # "ok" | "skipped" | "FAILED"
    seconds: float
    note: str = ""


def benchmarks(names: Sequence[str] = ()) -> list[Path]:
    """The benchmark scripts to run, in name order; all of them when ``names`` is empty.

    Raises SystemExit naming any requested benchmark that does not exist.
    """
    found = sorted(p for p in HERE.glob("*.py")
                   if p.name != Path(__file__).name and not p.name.startswith("_"))
    if not names:
        return found
    wanted = {n if n.endswith(".py") else f"{n}.py" for n in names}
    unknown = wanted - {p.name for p in found}
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))} "
                         f"(have: {', '.join(p.stem for p in found)})")
    return [p for p in found if p.name in wanted]


def missing_module(stderr: str) -> str | None:
    """The third-party module a failed run could not import, or None."""
    match = _MISSING.search(stderr)
    if match and match.group(1).split(".")[0] not in OWN_PACKAGES:
        return match.group(1)
    return None


def run(script: Path) -> Outcome:
    """Run one benchmark; its output goes straight through, its stderr is also kept."""
    print(f"\n=== {script.name} " + "=" * max(3, 66 - len(script.name)), flush=True)
    started = time.perf_counter()
    with subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stderr=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stderr is not None
        kept = []
        for line in proc.stderr:  # echoed as it comes, so progress stays visible
            sys.stderr.write(line)
            sys.stderr.flush()
            kept.append(line)
    seconds = time.perf_counter() - started
    stderr = "".join(kept)
    if proc.returncode == 0:
        return Outcome(script.name, "ok", seconds)
    if proc.returncode == SKIPPED:
        return Outcome(script.name, "skipped", seconds, _last_line(stderr))
    module = missing_module(stderr)
    if module:
        return Outcome(script.name, "skipped", seconds, f"needs the optional package {module!r}")
    return Outcome(script.name, "FAILED", seconds, f"exit status {proc.returncode}")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print a summary; return 1 if any failed, else 0."""
    outcomes = [run(script) for script in benchmarks(sys.argv[1:] if argv is None else argv)]
    print("\n=== summary " + "=" * 58)
    for o in outcomes:
        print(f"{o.name:<32} {o.status:<8} {o.seconds:>8.1f}s  {o.note}".rstrip())
    failed = [o.name for o in outcomes if o.status == "FAILED"]
    if failed:
        print(f"\n{len(failed)} benchmark(s) failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
