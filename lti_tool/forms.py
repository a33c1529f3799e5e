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

import functools
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale, gettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from markupsafe import Markup, escape
from wtforms import DateField, Field, StringField
from wtforms.i18n import messages_path
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Length, ValidationError

from lti_tool.dates import parse_time
from lti_tool.i18n import _l


class SwottForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type hints
    """A GOV.UK-styled form whose CSRF token is the app's launch-bound one (see module docstring)."""

    class Meta:
        csrf = False

        def get_translations(self, form: Any) -> Any:
            """WTForms' own messages in the request's language, as Flask-WTF gives them, but loaded once per
            process and language: Flask-WTF reads the catalogue from disk again in every request that
            builds a form (issue 15: a third of a page step's time)."""
            enabled = has_request_context() and current_app.config.get("WTF_I18N_ENABLED", True)
            if not enabled or "babel" not in current_app.extensions:
                return super().get_translations(form)  # type: ignore[misc]  # Flask-WTF's answer
            return wtforms_translations(str(get_locale()))

        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            """Words govuk-frontend-wtf writes itself in English, in the page's language (docs/welsh.md):
            the date boxes' "Day", "Month", "Year", and "Error:" before an inline message (set after a
            template's params are merged, so it cannot be passed in). English pages are unchanged."""
            html = str(super().render_field(field, render_kw))  # type: ignore[misc]
            if isinstance(field.widget, GovDateInput):
                html = DATE_BOX_LABEL.sub(lambda m: m.group(1) + str(escape(gettext(m.group(2)))) + m.group(3), html)
            if field.errors:
                html = html.replace(
                    ERROR_PREFIX, f'<span class="govuk-visually-hidden">{escape(gettext("Error:"))}</span>'
                )
            return Markup(html)


@functools.lru_cache(maxsize=16)
def wtforms_translations(locale: str) -> support.NullTranslations:
    """WTForms' message catalogue for `locale` (installed with WTForms, so fixed while the process runs)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def required_text(label: str, required: str, *, max_length: int, too_long: str) -> StringField:
    """A one-line text box that must be filled in, with at most `max_length` characters: `required` and
    `too_long` are its two error messages."""
    return StringField(
        label, widget=GovTextInput(), validators=[InputRequired(required), Length(max=max_length, message=too_long)]
    )


DATE_BOX_LABEL = re.compile(
    r'(<label class="govuk-label govuk-date-input__label"[^>]*>\s*)(Day|Month|Year)(\s*</label>)'
)
ERROR_PREFIX = '<span class="govuk-visually-hidden">Error:</span>'
DATE_FORMAT = "%d %m %Y"  # the GOV.UK date input's day, month and year boxes, joined by WTForms with spaces


class GovDateField(DateField):
    """The GOV.UK date input: three boxes named alike (day, month, year, `GovDateInput`).

    govuk-frontend-wtf's widget unpacks exactly three raw values, so whatever was posted (the boxes left
    out, or a tampered number of them) the raw data ends as those three boxes or None (empty boxes), and
    the page is redrawn with an error message rather than breaking. Options, each for a caller that
    needs it:

    - `name_in_message`: GOV.UK's messages ("Date must include a month", "Date must be a real date");
      without it an impossible date gets `message`, or WTForms' own "Not a valid date value.".
    - `earliest_year`: an earlier year is not a real date (a mistyped "1" for 2021).
    - `accept_iso`: one ISO value (2027-03-27) is taken as well as the three boxes.
    """

    def __init__(
        self,
        label: str = "",
        validators: Any = None,
        *,
        name_in_message: str = "",
        message: str = "",
        earliest_year: int | None = None,
        accept_iso: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("format", DATE_FORMAT)
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, validators, **kwargs)
        self.name_in_message = name_in_message
        self.message = message
        self.earliest_year = earliest_year
        self.accept_iso = accept_iso

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        raw = getattr(self, "raw_data", None)
        if raw is not None and len(raw) != 3:
            self.raw_data = None

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        parts = [str(v).strip() for v in valuelist]
        self.data = None
        if self.accept_iso and len(parts) == 1:
            try:
                self.data = date.fromisoformat(parts[0])
            except ValueError:
                raise ValueError(self._not_real()) from None
            self.raw_data = [str(self.data.day), str(self.data.month), str(self.data.year)]
            return
        if len(parts) != 3 or not any(parts):
            return  # not the three boxes, or all left empty: InputRequired or Optional decides
        if self.name_in_message:
            missing = [name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value]
            if missing:
                raise ValueError(f"{self.name_in_message} must include a {' and a '.join(missing)}")
        try:
            self.data = datetime.strptime(" ".join(parts), DATE_FORMAT).date()
        except ValueError:
            raise ValueError(self._not_real()) from None
        if self.earliest_year is not None and self.data.year < self.earliest_year:
            self.data = None
            raise ValueError(self._not_real())

    def _not_real(self) -> str:
        if self.name_in_message:
            return f"{self.name_in_message} must be a real date"
        return self.message or str(self.gettext("Not a valid date value."))


TIME_EXAMPLE = _l("For example, 10am or 14:30")
NOT_A_TIME = _l("Enter a time like 10am, 2:30pm or 14:30")


class TimeOfDayField(StringField):
    """A time of day in one box, read by `lti_tool.dates.parse_time` ('10am', '2:30pm', '14:30', the Welsh
    '10yb', '2 y.h.'): every time box of the tool is one of these, with the same hint (its description,
    which govuk-frontend-wtf shows as the hint) and the same message for a time it cannot read.

    `data` stays the text as typed (so a page with an error shows it again); `clock` is the time read.
    """

    widget = GovTextInput()

    def __init__(self, label: str, validators: Any = None, *, hint: str = TIME_EXAMPLE, **kwargs: Any) -> None:
        kwargs.setdefault("description", hint)
        super().__init__(label, validators, **kwargs)
        self.clock: time | None = None

    def pre_validate(self, form: Any) -> None:
        self.clock = parse_time(self.data or "") if self.data else None
        if self.data and self.clock is None:
            raise ValidationError(NOT_A_TIME)


def optional_day_not_past(format_message: str, past_message: str) -> Callable[[Any, Field], None]:
    """A validator for an optional `GovDateField`: empty, or a real day that is not in the past.

    Each message is a whole sentence naming the date ("Enter the due date as a day, month and year, for
    example 31 3 2027"), as the GOV.UK date input pattern asks, so each can be translated whole (pass
    lazy strings).
    """

    def check(form: Any, field: Field) -> None:
        field.errors = []  # WTForms' own "Not a valid date value" gives way to the messages below
        typed = [part.strip() for part in (field.raw_data or []) if part and part.strip()]
        if not typed:
            field.data = None
            return
        if field.data is None or len(typed) < 3:
            raise ValidationError(format_message)
        if field.data < date.today():
            raise ValidationError(past_message)

    return check


class ConfirmForm(SwottForm):
    """A button with nothing to fill in (reset the calendar address, send scores, record a meeting)."""
