"""Dates and times written one way everywhere, as the GOV.UK style guide writes them, in UK time.

GOV.UK style guide, "Dates" and "Times" (https://www.gov.uk/guidance/style-guide/a-to-z#dates,
https://www.gov.uk/guidance/style-guide/a-to-z#times): "15 January 2027", "5pm", "5:30pm", "midday" and
"midnight" rather than 12pm/12am, no leading zero, a comma between date and time is how GOV.UK pages
join them ("15 January 2027, 5pm"). Every stored moment is UTC; people read Europe/London, which is
GMT in winter and BST in summer (docs/dates.md).

Welsh (`language="cy"`, issue 13): the same shapes with the Welsh words of the Unicode CLDR, read
through Babel (`babel.dates`): months "Ionawr" … "Rhagfyr", days "Dydd Llun" … "Dydd Sul", "yb"/"yh"
for am/pm ("5yh", "5:30yb") and "canol dydd"/"canol nos" for midday/midnight (CLDR `cy` day periods).
GOV.UK's own style has no Welsh counterpart we could cite for times, so these follow CLDR; docs/welsh.md
lists them for review by a Welsh speaker.

Plain module (no Flask): the app registers these as Jinja filters `date`, `datetime`, `time`, `day`
(through `lti_tool.i18n.localised`, which passes the request's language).

Reading a time: `parse_time` is the one reader behind every time box of the tool (`lti_tool.forms.TimeOfDayField`:
the L2 plan page and the programme lead's dates), so each takes the same English and Welsh ways of writing it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_day_names, get_month_names

UK_TIME = ZoneInfo("Europe/London")
WELSH = "cy"


class _WelshWords:
    """Welsh month, day and time words from CLDR (via Babel), read once."""

    def __init__(self) -> None:
        self.months = dict(get_month_names("wide", locale=WELSH))  # 1 -> "Ionawr"
        self.days = dict(get_day_names("wide", locale=WELSH))  # 0 (Monday) -> "Dydd Llun"
        periods = Locale.parse(WELSH).day_periods["format"]
        self.am, self.pm = periods["wide"]["am"], periods["wide"]["pm"]  # "yb", "yh"
        self.noon, self.midnight = periods["abbreviated"]["noon"], periods["abbreviated"]["midnight"]


_WELSH = _WelshWords()


def to_uk(moment: datetime) -> datetime:
    """A stored moment in UK local time (naive values are taken as UTC, as SQLite returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK_TIME)


def format_time(moment: datetime, language: str = "en") -> str:
    """'5pm', '5:30pm', 'midday', 'midnight' (UK time); in Welsh '5yh', '5:30yh', 'canol dydd', 'canol nos'."""
    local = to_uk(moment)
    welsh = language == WELSH
    if local.minute == 0 and local.hour == 12:
        return _WELSH.noon if welsh else "midday"
    if local.minute == 0 and local.hour == 0:
        return _WELSH.midnight if welsh else "midnight"
    hour = local.hour % 12 or 12
    am, pm = (_WELSH.am, _WELSH.pm) if welsh else ("am", "pm")
    suffix = am if local.hour < 12 else pm
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def format_date(value: date | datetime, language: str = "en") -> str:
    """'15 January 2027' (a datetime is read in UK time first); in Welsh '15 Ionawr 2027'."""
    day = to_uk(value).date() if isinstance(value, datetime) else value
    month = _WELSH.months[day.month] if language == WELSH else f"{day:%B}"
    return f"{day.day} {month} {day.year}"


def format_day(value: date | datetime, language: str = "en") -> str:
    """'Friday 15 January 2027': for a session or deadline where the weekday helps people plan; in Welsh
    'Dydd Gwener 15 Ionawr 2027'."""
    day = to_uk(value).date() if isinstance(value, datetime) else value
    weekday = _WELSH.days[day.weekday()] if language == WELSH else f"{day:%A}"
    return f"{weekday} {format_date(day, language)}"


def format_datetime(moment: datetime, language: str = "en") -> str:
    """'15 January 2027, 5pm' in UK time; in Welsh '15 Ionawr 2027, 5yh'."""
    return f"{format_date(moment, language)}, {format_time(moment, language)}"


def format_optional(moment: datetime | None, empty: str = "", language: str = "en") -> str:
    return format_datetime(moment, language) if moment is not None else empty


TIME = re.compile(
    r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:(?P<am>a\.?\s*m\.?|y\.?\s*b\.?)|(?P<pm>p\.?\s*m\.?|y\.?\s*h\.?))?\s*$",
    re.IGNORECASE,
)
"""A time as people type it in English or Welsh: a Welsh page's hint asks for "10yb" or "2yh", the usual
Welsh shorthand for the 12-hour clock ("y bore", the morning: am; "yr hwyr", the evening: pm), so the
box reads it with or without dots and spaces ("10 y.b."), as it reads "10am" and "10 a.m."."""
MIDDAY = ("midday", "noon", "canol dydd", "hanner dydd")
MIDNIGHT = ("midnight", "hanner nos", "canol nos")


def parse_time(text: str) -> time | None:
    """'10am', '2:30pm', '14:30', '9.15', 'midday', 'midnight', and the Welsh '10yb', '10 y.b.', '2yh',
    '2 y.h.', 'canol dydd', 'hanner nos' → a time of day; None if it is not one."""
    text = " ".join(text.strip().lower().split())
    if text in MIDDAY:
        return time(12, 0)
    if text in MIDNIGHT:
        return time(0, 0)
    found = TIME.match(text)
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if found.group("am") or found.group("pm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if found.group("pm") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def time_box_text(moment: datetime, language: str = "en") -> str:
    """A saved time as a time box shows it again: as the page writes times ('5pm', '5yh'), but '12pm' and
    '12am' ('12yh', '12yb') for midday and midnight, which read better in a box; `parse_time` reads each."""
    local = to_uk(moment)
    if local.minute == 0 and local.hour in (0, 12):
        am, pm = (_WELSH.am, _WELSH.pm) if language == WELSH else ("am", "pm")
        return f"12{pm if local.hour else am}"
    return format_time(moment, language)


def uk_moment(day: date, clock: time) -> datetime:
    """A UK wall-clock date and time as the UTC moment the database keeps (GMT or BST as that day has)."""
    return datetime.combine(day, clock, tzinfo=UK_TIME).astimezone(UTC)
