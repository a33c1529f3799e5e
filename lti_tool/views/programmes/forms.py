"""WTForms classes for the programme pages: validators here, never in the views (docs/frontend.md)."""

from __future__ import annotations

from datetime import time
from typing import Any

from flask_babel import gettext
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lti_tool.forms import ConfirmForm as ConfirmForm
from lti_tool.forms import GovDateField, SwottForm, TimeOfDayField, required_text
from lti_tool.i18n import _l
from lti_tool.services.programmes.holidays import NATIONS
from toolkits.cpd import Field

NATION_CHOICES = list(NATIONS.items())


def gov_date(label: str, message: str) -> GovDateField:
    return GovDateField(label, validators=[InputRequired(message)])


class StartRunForm(SwottForm):
    """Start a programme for a cohort: template, name, start date, nation, participants."""

    template = RadioField(_l("Programme"), widget=GovRadioInput(), validators=[InputRequired(_l("Choose a programme"))])
    cohort_name = required_text(
        _l("Cohort name"), _l("Enter a name for the cohort"), max_length=255, too_long=_l("Use at most 255 characters")
    )
    starts_on = gov_date(_l("Start date"), _l("Enter the start date, for example 1 3 2027"))
    nation = RadioField(
        _l("Bank holidays of"),
        widget=GovRadioInput(),
        default=NATION_CHOICES[0][0],
        validators=[InputRequired(_l("Choose where the cohort works"))],
    )
    participants = SelectMultipleField(
        _l("Participants"),
        coerce=int,
        widget=GovCheckboxesInput(),
        validators=[DataRequired(_l("Choose the participants"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are set after construction: WTForms 3.3 deprecates tuples passed to the constructor.
        # The nations' names are marked N_ in services.programmes.holidays and translated here.
        self.nation.choices = [(code, gettext(name)) for code, name in NATION_CHOICES]


class StartDateForm(SwottForm):
    starts_on = gov_date(_l("New start date"), _l("Enter the new start date"))


class EventForm(SwottForm):
    """Change one date of the programme: day, UK start time, place, video link; or cancel it."""

    day = gov_date(_l("Date"), _l("Enter the date"))
    start_time = TimeOfDayField(_l("Start time (UK)"), validators=[InputRequired(_l("Enter the start time"))])
    place = StringField(_l("Place"), widget=GovTextInput(), validators=[Optional(), Length(max=255)])
    video_link = StringField(
        _l("Video link"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=1024),
            Regexp(r"^https?://\S+$", message=_l("Enter a web address starting with https://")),
        ],
    )
    save = SubmitField(_l("Save this date"), widget=GovSubmitInput())
    cancel_event = SubmitField(_l("Cancel this date"), widget=GovSubmitInput())

    @property
    def at(self) -> time:
        assert self.start_time.clock is not None  # the form validated it (InputRequired, then the box's reader)
        return self.start_time.clock


class AttendanceForm(SwottForm):
    """The register of one session, and each participant's role at a set meeting (`for_members`)."""

    present = SelectMultipleField(_l("Who attended"), coerce=int, widget=GovCheckboxesInput(), validators=[Optional()])
    role_ids: list[int]

    @classmethod
    def for_members(
        cls, member_ids: list[int], with_roles: bool, role_choices: list[tuple[str, str]]
    ) -> AttendanceForm:
        fields: dict[str, Any] = {}
        if with_roles:
            for pid in member_ids:
                fields[f"role-{pid}"] = SelectField(_l("Role"), widget=GovSelect(), validators=[Optional()])
        form: AttendanceForm = type("MembersAttendanceForm", (cls,), fields)()
        form.role_ids = member_ids if with_roles else []
        for pid in form.role_ids:
            roles = [(value, gettext(label)) for value, label in role_choices]
            form[f"role-{pid}"].choices = [("", gettext("No role")), *roles]
        return form

    def roles(self) -> dict[int, str]:
        return {pid: self[f"role-{pid}"].data or "" for pid in self.role_ids}


class PairingsForm(SwottForm):
    """Coach, mentor and protected hours per participant (`for_members`)."""

    member_ids: list[int]

    @classmethod
    def for_members(cls, member_ids: list[int], people: list[tuple[int, str]]) -> PairingsForm:
        choices = [(0, gettext("Nobody yet")), *people]
        fields: dict[str, Any] = {}
        for pid in member_ids:
            fields[f"coach-{pid}"] = SelectField(_l("Coach"), coerce=int, widget=GovSelect())
            fields[f"mentor-{pid}"] = SelectField(_l("Mentor"), coerce=int, widget=GovSelect())
            fields[f"hours-{pid}"] = IntegerField(
                _l("Protected hours a week"),
                widget=GovTextInput(),
                validators=[InputRequired(_l("Enter the hours, 0 if none")),
                            NumberRange(0, 40, _l("Enter between 0 and 40 hours"))],
            )  # fmt: skip
        form: PairingsForm = type("MembersPairingsForm", (cls,), fields)()
        form.member_ids = member_ids
        for pid in member_ids:
            form[f"coach-{pid}"].choices = choices
            form[f"mentor-{pid}"].choices = choices
        return form

    def pairings(self) -> dict[int, tuple[int | None, int | None, int]]:
        return {
            pid: (self[f"coach-{pid}"].data or None, self[f"mentor-{pid}"].data or None, int(self[f"hours-{pid}"].data))
            for pid in self.member_ids
        }


SHORT_FIELDS = ("cpd_title", "cpd_date", "cpd_type")


class ReflectionForm(SwottForm):
    """A reflection on one occurrence: one box per field of the reflective model and CPD record."""

    save = SubmitField(_l("Save as draft"), widget=GovSubmitInput())
    submit = SubmitField(_l("Submit to my CPD portfolio"), widget=GovSubmitInput())
    field_ids: list[str]

    @classmethod
    def for_fields(cls, fields: tuple[Field, ...]) -> ReflectionForm:
        extra: dict[str, Any] = {
            f.id: TextAreaField(
                f.label, description=f.hint, widget=GovTextArea(), validators=[Optional(), Length(max=20_000)]
            )
            for f in fields
        }
        # One-line boxes where a paragraph would be odd: the record's title and date.
        for f in fields:
            if f.id in SHORT_FIELDS:
                extra[f.id] = StringField(f.label, description=f.hint, widget=GovTextInput(),
                                          validators=[Optional(), Length(max=255)])  # fmt: skip
        form: ReflectionForm = type("OccurrenceReflectionForm", (cls,), extra)()
        form.field_ids = [f.id for f in fields]
        return form

    def values(self) -> dict[str, str]:
        return {fid: self[fid].data or "" for fid in self.field_ids}


class MeetingForm(SwottForm):
    """The participant's own record of a one-to-one."""

    notes = TextAreaField(
        _l("Your notes"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=20_000)],
        description=_l("Private to you unless you share them with your coach or mentor."),
    )
    actions = TextAreaField(_l("Actions agreed"), widget=GovTextArea(), validators=[Optional(), Length(max=20_000)],
                            description=_l("These carry into your next one-to-one."))  # fmt: skip
    shared = BooleanField(_l("Share my notes with my coach or mentor"), widget=GovCheckboxInput())


class GoalForm(SwottForm):
    text = TextAreaField(_l("A goal for this programme"), widget=GovTextArea(),
                         validators=[InputRequired(_l("Write the goal")), Length(max=2000)])  # fmt: skip
    add_goal = SubmitField(_l("Add the goal"), widget=GovSubmitInput())


class ReviewForm(SwottForm):
    review = TextAreaField(_l("How far did you get?"), widget=GovTextArea(),
                           validators=[InputRequired(_l("Write your review")), Length(max=5000)])  # fmt: skip
    save_review = SubmitField(_l("Save the review"), widget=GovSubmitInput())
