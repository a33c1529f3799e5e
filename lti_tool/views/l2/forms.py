"""The L2 pages' forms: WTForms classes with their validators, rendered by govuk-frontend-wtf widgets.

Dates are the GOV.UK date input (day, month, year: the Design System's "Dates" pattern); a time of day is
one text box that takes "10am", "2:30pm" or "14:30" (and the Welsh "10yb", "2 y.h."): the tool's one
`TimeOfDayField` (lti_tool/forms.py). Both are read in UK time (lti_tool/dates.py), and every form comes back
with what was typed when it has an error (issue 10).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from lti_tool.dates import uk_moment
from lti_tool.forms import GovDateField, SwottForm, TimeOfDayField
from lti_tool.i18n import ENGLISH, _l, current_language
from lti_tool.words import N_


class ContentSelect(GovSelect):  # type: ignore[misc]  # the package has no type hints
    """A select whose options (but the first, "none") are toolkit text, authored in English: on a page in
    another language each carries `lang="en-GB"` (WCAG 2.2 SC 3.1.2 Language of Parts)."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        if current_language() != ENGLISH:
            for item in params.get("items", []):
                if item.get("value"):
                    item["attributes"] = {**item.get("attributes", {}), "lang": "en-GB"}
        return params


REAL_DATE = _l("Enter a real date, for example 27 3 2027")


class IntegerChoices(SelectMultipleField):
    """Checkboxes whose values are ids; a value that is not offered is refused by WTForms' choice check.

    Radios and checkboxes keep their name as their id: the GOV.UK macros give the first box that id
    (`idPrefix`), which is where the error summary links.
    """

    widget = GovCheckboxesInput()

    def __init__(self, label: str, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValueError:
            raise ValidationError(_l("Choose from the list")) from None


def _video_link(form: Any, field: Field) -> None:
    link = (field.data or "").strip()
    if link and (urlsplit(link).scheme not in ("https", "http") or not urlsplit(link).netloc):
        raise ValidationError(_l("Enter the video link as a web address starting with https://"))


# --- The plan page ------------------------------------------------------------------------------------


class DeadlineForm(SwottForm):
    deadline_day = GovDateField(
        _l("Date"),
        [InputRequired(_l("Enter the date of the L1 deadline"))],
        message=REAL_DATE,
        accept_iso=True,
    )
    deadline_time = TimeOfDayField(
        _l("Time (UK)"),
        [InputRequired(_l("Enter the time of the L1 deadline"))],
        id="deadline-time",
        default="5pm",
        hint=_l("For example, 5pm or 17:00"),
    )

    def moment(self) -> datetime:
        assert self.deadline_day.data is not None and self.deadline_time.clock is not None
        return uk_moment(self.deadline_day.data, self.deadline_time.clock)


class ConfirmForm(SwottForm):
    """A warning's second step: the same action again, with `confirmed` set."""

    confirmed = HiddenField(default="")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class ScheduleForm(SwottForm):
    title = StringField(_l("Title (optional)"), [Optional(), Length(max=255)], widget=GovTextInput(), id="s-title")
    day = GovDateField(
        _l("Date"),
        [InputRequired(_l("Enter the date of the session"))],
        message=REAL_DATE,
        accept_iso=True,
    )
    start_time = TimeOfDayField(
        _l("Start time (UK)"), [InputRequired(_l("Enter the start time"))], id="s-time", default="10am"
    )
    place = StringField(_l("Place"), [Length(max=255)], widget=GovTextInput(), id="s-place")
    video_link = StringField(_l("Video link"), [Length(max=1000), _video_link], widget=GovTextInput(), id="s-video")
    group_format = RadioField(_l("Group format"), widget=GovRadioInput())
    participants = IntegerChoices(_l("Participants"))
    confirmed = HiddenField(default="")

    def validate_place(self, field: Field) -> None:
        if not (field.data or "").strip() and not (self.video_link.data or "").strip():
            raise ValidationError(_l("Enter a place, a video link, or both"))

    def moment(self) -> datetime:
        assert self.day.data is not None and self.start_time.clock is not None
        return uk_moment(self.day.data, self.start_time.clock)


# --- Running a session --------------------------------------------------------------------------------

ACTIONS = ("start", "next", "previous", "agenda", "reveal", "attendance", "roles", "participants", "approve",
           "reject", "close")  # fmt: skip


class ControlForm(SwottForm):
    """Every control-page button posts `action`; the rest of its form depends on the action."""

    action = StringField(validators=[AnyOf(ACTIONS, message=_l("That is not something this page can do."))])
    index = IntegerField(validators=[Optional()])
    feedback_id = IntegerField(validators=[Optional()])
    confirmed = HiddenField(default="")


class AttendanceForm(SwottForm):
    present = IntegerChoices(_l("Who is here?"))


class InviteForm(SwottForm):
    participants = IntegerChoices(_l("Participants"))


def roles_form(people: list[tuple[int, str]], labels: Mapping[str, str]) -> type[SwottForm]:
    """A form with one role select per participant (`role-<user id>`), built for this session's list."""
    choices = dict(labels)
    fields = {
        f"role_{user_id}": SelectField(name, choices=choices, widget=GovSelect(), id=f"role-{user_id}")
        for user_id, name in people
    }
    return type("RolesForm", (SwottForm,), fields)


# --- Participants ---------------------------------------------------------------------------------------


FEEDBACK_KINDS = {
    "feedback": N_("Feedback: on what they do now"),
    "feedforward": N_("Feedforward: an idea for what they could do next"),
}
"""Plain strings (WTForms wants `str` labels in a choices dict); the view sets them translated."""


class FeedbackForm(SwottForm):
    kind = RadioField(
        _l("What are you writing?"),
        [InputRequired(_l("Choose feedback or feedforward"))],
        choices=FEEDBACK_KINDS,
        widget=GovRadioInput(),
    )
    recipient = SelectField(_l("For"), widget=GovSelect(), id="fb-recipient", default="")
    text = TextAreaField(
        _l("Your words"),
        [
            InputRequired(_l("Write something before sending it")),
            Length(max=2000, message=_l("Keep it to a few sentences")),
        ],
        widget=GovTextArea(),
        id="fb-text",
    )
    prompt = SelectField(_l("Prompt (optional)"), widget=ContentSelect(), id="fb-prompt", default="")
    anonymous = BooleanField(_l("Share it without my name"), widget=GovCheckboxInput())


class KeepForm(SwottForm):
    keep = IntegerChoices(_l("Which feedforward do you want to keep?"))


def reflection_form(field_ids: list[str]) -> type[SwottForm]:
    """The reflection's boxes by id (one text value each; the date's three boxes join into one), plus
    the version it was based on, the button pressed and `autosave` (set by static/l1.js)."""
    fields: dict[str, Any] = {name: _JoinedText() for name in field_ids}
    fields.update(
        version=IntegerField(validators=[Optional()]),
        action=StringField(default="save"),
        autosave=StringField(default=""),
    )
    return type("ReflectionForm", (SwottForm,), fields)


class _JoinedText(StringField):
    """A box's text; the date input's day, month and year come in as three values of one name and are
    kept as an ISO date when they make one, else as typed (the service then asks for a real date)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) == 3:
            parts = [v.strip() for v in valuelist]
            try:
                self.data = datetime.strptime(" ".join(parts), "%d %m %Y").date().isoformat()
            except ValueError:
                self.data = " ".join(parts).strip()
            return
        self.data = valuelist[0] if valuelist else ""
