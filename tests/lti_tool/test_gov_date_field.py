"""The one GOV.UK date field (`lti_tool.forms.GovDateField`) every form uses: its posted values and messages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from lti_tool.forms import GovDateField


class _Form(Form):
    plain = GovDateField("Date")
    named = GovDateField("Date", name_in_message="Date", earliest_year=1950)
    iso = GovDateField("Date", message="Enter a real date", accept_iso=True)


def _post(**values: Any) -> _Form:
    data = MultiDict([(name, v) for name, vs in values.items() for v in vs])
    form = _Form(formdata=data)
    form.validate()
    return form


@pytest.mark.parametrize("values", [[], ["3"], ["3", "4"], ["3", "4", "2027", "9"]])
def test_anything_but_three_boxes_redraws_empty_boxes(values: list[str]) -> None:
    """govuk-frontend-wtf's widget unpacks exactly three raw values: a post with more or fewer must not
    reach it (the page would break), so the boxes come back empty and no date is taken."""
    form = _post(plain=values, named=values)
    for field in (form.plain, form.named):
        assert field.raw_data is None or len(field.raw_data) == 3
        assert field.data is None


def test_three_boxes_give_the_date_and_keep_what_was_typed() -> None:
    form = _post(plain=["27", "3", "2027"], named=["1", "2", "2026"], iso=["5", "6", "2027"])
    assert (form.plain.data, form.named.data, form.iso.data) == (date(2027, 3, 27), date(2026, 2, 1), date(2027, 6, 5))
    assert form.plain.raw_data == ["27", "3", "2027"]


def test_messages_name_the_missing_part_or_the_impossible_date() -> None:
    assert _post(named=["1", "", "2026"]).named.errors == ["Date must include a month"]
    assert _post(named=["31", "2", "2026"]).named.errors == ["Date must be a real date"]
    assert _post(named=["1", "2", "1949"]).named.errors == ["Date must be a real date"]
    assert _post(plain=["31", "2", "2026"]).plain.errors == ["Not a valid date value."]
    assert _post(iso=["31", "2", "2026"]).iso.errors == ["Enter a real date"]


def test_one_iso_value_is_taken_where_accepted() -> None:
    form = _post(iso=["2027-03-27"], plain=["2027-03-27"])
    assert form.iso.data == date(2027, 3, 27)
    assert form.iso.raw_data == ["27", "3", "2027"]
    assert form.plain.data is None and form.plain.raw_data is None
    bad = _post(iso=["2027-13-01"]).iso
    assert bad.errors == ["Enter a real date"] and bad.raw_data is None
