"""Seed a demo: a local calendar folder with events around today, and a config that uses it.

``python -m syncd.demo DIR`` writes ``DIR/config.toml`` and, the first time only,
``DIR/calendars/personal`` with: an in-person interview tomorrow with an address, a meeting
that clashes with it, a meeting that eats its prep buffer, an event where the owner is the
interviewer, and a video interview earlier today that nobody acknowledged.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from syncd.config import system_zone

OWNER = "alex@example.com"
CONFIG = """# The demo config `make run` uses; see config.example.toml for every key.
[daemon]
state_dir = "{dir}/state"
poll_interval = "1m"
horizon = "30d"
timezone = "{tz}"

[[accounts]]
name = "demo"
type = "local"
path = "{dir}/calendars"

[interviews]
self = ["{owner}"]

[travel.places]
"1 Market St" = 25

[followup]
drafts_dir = "{dir}/drafts"
templates_dir = "{dir}/templates"
from = "Alex Doe <{owner}>"
"""


def _ics(uid: str, summary: str, start: datetime, minutes: int, location: str = "",
         organizer: str = "", attendees: tuple[tuple[str, str], ...] = (), description: str = "") -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    utc = start.astimezone(timezone.utc)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//syncd demo//EN", "BEGIN:VEVENT",
             f"UID:{uid}", f"DTSTAMP:{utc.strftime(fmt)}", f"DTSTART:{utc.strftime(fmt)}",
             f"DTEND:{(utc + timedelta(minutes=minutes)).strftime(fmt)}", f"SUMMARY:{summary}"]
    if location:
        lines.append("LOCATION:" + location.replace(",", "\\,"))
    if description:
        lines.append("DESCRIPTION:" + description.replace("\n", "\\n").replace(",", "\\,"))
    if organizer:
        lines.append(f"ORGANIZER:mailto:{organizer}")
    lines += [f"ATTENDEE;CN={name};PARTSTAT=ACCEPTED:mailto:{mail}" for name, mail in attendees]
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def demo_events(now: datetime) -> dict[str, str]:
    """File name -> iCalendar text of the demo events, placed around ``now``."""
    tz = now.tzinfo
    tomorrow = (now + timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0, tzinfo=tz)
    earlier = (now - timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
    in_two_days = tomorrow + timedelta(days=1)
    return {
        "acme-onsite.ics": _ics(
            "demo-acme-onsite", "Onsite interview – Senior Backend Engineer (Acme Robotics)", tomorrow, 90,
            location="Acme Robotics, 1 Market St, San Francisco, CA 94105",
            organizer="jordan.lee@acmerobotics.com",
            attendees=(("Jordan Lee", "jordan.lee@acmerobotics.com"), ("Priya Shah", "priya.shah@acmerobotics.com"),
                       ("Alex Doe", OWNER)),
            description="Hi Alex,\nlooking forward to meeting you at our office for your onsite interview."
                        "\nPlease bring a photo ID to reception.\nJordan (Recruiting)"),
        "team-sync.ics": _ics("demo-team-sync", "Team sync", tomorrow + timedelta(minutes=30), 60,
                              organizer=OWNER),
        "dentist.ics": _ics("demo-dentist", "Dentist", tomorrow - timedelta(minutes=45), 35,
                            location="Bright Smile Dental"),
        "interviewer.ics": _ics(
            "demo-interviewer", "Interview: Sam Rivera (Data Analyst) – scorecard due", in_two_days, 45,
            organizer="recruiting@example.com",
            attendees=(("Alex Doe", OWNER), ("Recruiting", "recruiting@example.com")),
            description="You are on the interview panel for Sam Rivera. Interview kit and scorecard "
                        "in Greenhouse; please submit feedback within 24 hours."),
        "globex-video.ics": _ics(
            "demo-globex-video", "Video interview – Product Analyst (Globex)", earlier - timedelta(hours=1), 45,
            location="https://globex.zoom.us/j/123456789", organizer="talent@globex.com",
            attendees=(("Morgan Yu", "talent@globex.com"), ("Alex Doe", OWNER)),
            description="Hi Alex, here is the Zoom link for your interview with the Globex analytics team."),
    }


def seed(directory: Path, now: datetime | None = None) -> Path:
    """Write the demo config and calendar, each only if it is not there yet. Returns the config path."""
    directory = directory.resolve()
    tz = system_zone()
    now = now or datetime.now(tz)
    calendar = directory / "calendars" / "personal"
    if not calendar.exists():
        calendar.mkdir(parents=True)
        (calendar / "displayname").write_text("Personal\n")
        for name, text in demo_events(now.astimezone(tz)).items():
            (calendar / name).write_text(text, encoding="utf-8")
    config = directory / "config.toml"
    if not config.exists():  # an edited demo config is the owner's: `make run` keeps it
        config.write_text(CONFIG.format(dir=directory, tz=tz.key, owner=OWNER), encoding="utf-8")
        config.chmod(0o600)
    return config


if __name__ == "__main__":
    print(seed(Path(sys.argv[1] if len(sys.argv) > 1 else "demo")))
