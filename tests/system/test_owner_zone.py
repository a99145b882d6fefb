"""Every time the log says is on the owner's clock, whatever zone an invitation or the system uses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from syncd.demo import seed

BIN = Path(sys.executable).parent
OWNER_ZONE = ZoneInfo("Pacific/Auckland")  # far from the system's UTC and the invitation's Berlin
MOMENT = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d [A-Z][a-z]{2} \d\d:\d\d(?:-(\d\d:\d\d))?")

BERLIN_INTERVIEW = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:berlin-interview
DTSTAMP:20250101T000000Z
DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M%S}
DTEND;TZID=Europe/Berlin:{end:%Y%m%dT%H%M%S}
SUMMARY:Interview with Initech (Berlin office)
LOCATION:Initech GmbH, Friedrichstr. 1, Berlin
ORGANIZER;CN=Lena:mailto:lena@initech.example
ATTENDEE;CN=Alex Doe:mailto:alex@example.com
END:VEVENT
END:VCALENDAR
"""


def _moments(folder: Path) -> tuple[set[str], set[str]]:
    """Every event's start and end, as the owner's clock says them: ("Mon 30 Nov 09:00", "09:00")."""
    days, clocks = set(), set()
    for path in folder.glob("*.ics"):
        for ev in icalendar.Calendar.from_ical(path.read_text()).walk("VEVENT"):
            for prop in ("DTSTART", "DTEND"):
                local = ev.decoded(prop).astimezone(OWNER_ZONE)
                days.add(local.strftime("%a %d %b %H:%M"))
                clocks.add(local.strftime("%H:%M"))
    return days, clocks


def test_every_time_in_a_demo_cycles_log_is_in_the_owners_zone(tmp_path):
    config = seed(tmp_path / "demo", now=datetime.now(OWNER_ZONE))
    config.write_text(re.sub(r'timezone = ".*"', f'timezone = "{OWNER_ZONE.key}"', config.read_text()))
    folder = config.parent / "calendars" / "personal"
    start = (datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(days=3)).replace(hour=9, minute=30,
                                                                                  second=0, microsecond=0)
    (folder / "berlin.ics").write_text(BERLIN_INTERVIEW.format(start=start, end=start + timedelta(hours=1)))
    env = {**os.environ, "TZ": "UTC", "SYNCD_RETRY_BASE": "0.01"}
    done = subprocess.run([str(BIN / "syncd"), "once", "--config", str(config)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    days, clocks = _moments(folder)
    log = "\n".join(line.split(" ", 1)[1] for line in done.stderr.splitlines())  # drop the line's stamp
    said = MOMENT.findall(log)
    found = [m.group(0) for m in MOMENT.finditer(log)]
    assert "Interview with Initech" in log and len(found) >= 10
    for text, tail in zip(found, said):
        assert text[:16] in days, f"{text!r} is not on the owner's clock:\n{log}"
        assert not tail or tail in clocks, f"{text!r} ends off the owner's clock:\n{log}"
    berlin = start.astimezone(OWNER_ZONE).strftime("%a %d %b %H:%M")
    assert f"'Interview with Initech (Berlin office)' on {berlin}" in log
