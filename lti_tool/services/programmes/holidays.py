"""UK bank holidays by nation, from the GOV.UK data bundled with `govuk-bank-holidays` (no network).

GOV.UK publishes the bank holidays of England and Wales, Scotland and Northern Ireland at
https://www.gov.uk/bank-holidays.json; the `govuk-bank-holidays` package ships a copy and reads it with
`use_cached_holidays=True`, so pages and tests never reach the network (docs/programmes.md).
"""

from __future__ import annotations

from datetime import date
from functools import cache

from govuk_bank_holidays.bank_holidays import BankHolidays

from lti_tool.words import N_

NATIONS = {
    BankHolidays.ENGLAND_AND_WALES: N_("England and Wales"),
    BankHolidays.SCOTLAND: N_("Scotland"),
    BankHolidays.NORTHERN_IRELAND: N_("Northern Ireland"),
}
DEFAULT_NATION = BankHolidays.ENGLAND_AND_WALES


@cache
def _bank_holidays() -> BankHolidays:
    return BankHolidays(use_cached_holidays=True)


@cache
def _by_date(nation: str) -> dict[date, str]:
    division = nation if nation in NATIONS else DEFAULT_NATION
    return {h["date"]: str(h["title"]) for h in _bank_holidays().get_holidays(division=division)}


def holiday_on(day: date, nation: str) -> str | None:
    """The bank holiday's name when `day` is one in `nation` (e.g. "Easter Monday"), else None."""
    return _by_date(nation).get(day)


def data_covers(day: date, nation: str) -> bool:
    """Whether the bundled data reaches `day` (GOV.UK lists only a year or two ahead)."""
    days = _by_date(nation)
    return bool(days) and min(days) <= day <= max(days)
