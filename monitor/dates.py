"""Dates as the feeds and seed files write them, read into UTC."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


def parse_date(value: object) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom, JSON) date in UTC; None when absent or unreadable.

    A date without a zone is taken as UTC: feeds that omit it are mostly servers on UTC,
    and guessing a local zone would be worse.
    """
    if not value or not isinstance(value, str):
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def iso_utc(dt: datetime) -> str:
    """``2018-02-18T17:35:43Z``: the one form dates take in messages."""
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
