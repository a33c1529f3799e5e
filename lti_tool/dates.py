"""Dates and times written one way everywhere, as the GOV.UK style guide writes them, in UK time.

GOV.UK style guide, "Dates" and "Times" (https://www.gov.uk/guidance/style-guide/a-to-z#dates,
https://www.gov.uk/guidance/style-guide/a-to-z#times): "15 January 2027", "5pm", "5:30pm", "midday" and
"midnight" rather than 12pm/12am, no leading zero, a comma between date and time is how GOV.UK pages
join them ("15 January 2027, 5pm"). Every stored moment is UTC; people read Europe/London, which is
GMT in winter and BST in summer (docs/dates.md).

Plain module (no Flask): the app registers these as Jinja filters `date`, `datetime`, `time`, `day`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK_TIME = ZoneInfo("Europe/London")


def to_uk(moment: datetime) -> datetime:
    """A stored moment in UK local time (naive values are taken as UTC, as SQLite returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK_TIME)


def format_time(moment: datetime) -> str:
    """'5pm', '5:30pm', 'midday', 'midnight' (UK time)."""
    local = to_uk(moment)
    if local.minute == 0 and local.hour == 12:
        return "midday"
    if local.minute == 0 and local.hour == 0:
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def format_date(value: date | datetime) -> str:
    """'15 January 2027' (a datetime is read in UK time first)."""
    day = to_uk(value).date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B} {day.year}"


def format_day(value: date | datetime) -> str:
    """'Friday 15 January 2027': for a session or deadline where the weekday helps people plan."""
    day = to_uk(value).date() if isinstance(value, datetime) else value
    return f"{day:%A} {format_date(day)}"


def format_datetime(moment: datetime) -> str:
    """'15 January 2027, 5pm' in UK time."""
    return f"{format_date(moment)}, {format_time(moment)}"


def format_optional(moment: datetime | None, empty: str = "") -> str:
    return format_datetime(moment) if moment is not None else empty
