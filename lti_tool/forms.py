"""The base of every form in the tool: a Flask-WTF form that leaves CSRF to lti_tool.csrf.

The app has ONE CSRF mechanism, `lti_tool.csrf`: a signed token bound to the launch, which works inside
LMS iframes and in cookieless launches (Safari, Chrome with third-party cookies blocked), where
Flask-WTF's session-bound token would fail. So Flask-WTF's own token is off (`Meta.csrf = False`) and the
app-wide `before_request` check guards every POST; a template writes `{{ csrf_input() }}` in the form.

Validators live on the form class, never in the view (issue 10): the view calls `form.validate_on_submit()`
and, when it is false, renders the same page again with `form`, whose fields keep what was typed and whose
errors feed the error summary (`templates/_forms.html`). docs/frontend.md has a worked example.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField, Field
from wtforms.validators import ValidationError


class SwottForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type hints
    """A GOV.UK-styled form whose CSRF token is the app's launch-bound one (see module docstring)."""

    class Meta:
        csrf = False


class DayMonthYearField(DateField):
    """A GOV.UK date input (day, month and year boxes, `GovDateInput`) whose raw value is those three
    or None: govuk-frontend-wtf's widget unpacks exactly three, so a form posted without the boxes (or
    with a tampered number of them) gets an error message rather than breaking the page."""

    def __init__(self, label: str = "", validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if len(valuelist) != 3:
            self.raw_data = None
            valuelist = []
        super().process_formdata(valuelist)


def optional_day_not_past(what: str) -> Callable[[Any, Field], None]:
    """A validator for an optional `DayMonthYearField`: empty, or a real day that is not in the past.

    `what` names the date in the messages ("the due date"), as the GOV.UK date input pattern asks.
    """

    def check(form: Any, field: Field) -> None:
        field.errors = []  # WTForms' own "Not a valid date value" gives way to the messages below
        typed = [part.strip() for part in (field.raw_data or []) if part and part.strip()]
        if not typed:
            field.data = None
            return
        if field.data is None or len(typed) < 3:
            raise ValidationError(f"Enter {what} as a day, month and year, for example 31 3 2027")
        if field.data < date.today():
            raise ValidationError(f"{what[0].upper()}{what[1:]} must be today or in the future")

    return check
