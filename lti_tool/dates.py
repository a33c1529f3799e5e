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
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
