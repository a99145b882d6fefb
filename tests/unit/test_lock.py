"""requirements.lock pins every dependency pyproject.toml names, within its range.

``make test`` installs from the lock; a dependency added to pyproject.toml without ``make lock``
would be installed at whatever version is newest that day, which is how new major releases
slipped in unnoticed before.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def locked() -> dict[str, str]:
    """name -> pinned version of every line ``name==version`` of the lock."""
    text = (ROOT / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", text, re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


def declared() -> list[Requirement]:
    """Every requirement of pyproject.toml: the dependencies and each extra's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    return [Requirement(line) for line in lines]


def test_the_lock_pins_every_declared_dependency_within_its_range():
    pins = locked()
    missing = [str(r) for r in declared() if canonicalize_name(r.name) not in pins]
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
    outside = [f"{r} but locked {pins[canonicalize_name(r.name)]}" for r in declared()
               if not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)]
    assert not outside, f"requirements.lock is out of date (run `make lock`): {outside}"


def test_the_calendar_libraries_are_held_to_one_major_release():
    """caldav 3 and icalendar 7 each broke syncd on arrival: a new major is chosen, not drifted into."""
    for req in declared():
        if canonicalize_name(req.name) in {"caldav", "icalendar", "recurring-ical-events"}:
            assert any(spec.operator == "<" for spec in req.specifier), f"{req} has no upper bound"
