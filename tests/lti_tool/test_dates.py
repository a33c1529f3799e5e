"""Dates and times as the GOV.UK style guide writes them, in UK time across GMT and BST (docs/dates.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lti_tool import dates


def test_winter_is_gmt_and_whole_hours_have_no_minutes() -> None:
    assert dates.format_datetime(datetime(2027, 1, 15, 17, 0, tzinfo=UTC)) == "15 January 2027, 5pm"


def test_summer_is_bst_an_hour_ahead_of_utc() -> None:
    assert dates.format_datetime(datetime(2027, 7, 1, 8, 30, tzinfo=UTC)) == "1 July 2027, 9:30am"


def test_midday_and_midnight_are_words() -> None:
    assert dates.format_time(datetime(2027, 1, 15, 12, 0, tzinfo=UTC)) == "midday"
    assert dates.format_time(datetime(2027, 1, 15, 0, 0, tzinfo=UTC)) == "midnight"


def test_a_late_utc_evening_in_summer_is_the_next_uk_day() -> None:
    assert dates.format_date(datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2027"


def test_naive_values_are_utc_as_sqlite_returns_them() -> None:
    assert dates.format_datetime(datetime(2027, 7, 1, 16, 0)) == "1 July 2027, 5pm"


def test_day_names_the_weekday_without_a_comma() -> None:
    assert dates.format_day(date(2027, 1, 15)) == "Friday 15 January 2027"


def test_templates_have_the_filters(app) -> None:  # type: ignore[no-untyped-def]
    rendered = app.jinja_env.from_string("{{ when|datetime }} · {{ when|date }}").render(
        when=datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    )
    assert rendered == "15 January 2027, 5pm · 15 January 2027"
