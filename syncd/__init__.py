"""syncd: keeps a job seeker's calendars honest around interviews."""

__version__ = "0.1.0"
