"""WTForms classes (Flask-WTF) for the CPD portfolio: validators live here, never in the views.

Messages follow the GOV.UK Design System's error message patterns ("Enter…", "Select…", "… must be
a real date", "… must be today or in the past"), so the error summary and the inline message say what
to do. CSRF is the app's one launch-bound token (`lti_tool.csrf`); templates write `{{ csrf_input() }}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, DecimalField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; types-wtforms lags
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError

from lti_tool.forms import GovDateField, SwottForm, required_text
from lti_tool.i18n import _l
from lti_tool.models import utcnow
from lti_tool.services import regulators
from lti_tool.services.portfolio.external import ExternalEntry
from lti_tool.services.portfolio.profile import ProfileChoice
from lti_tool.services.regulators.base import hours_text
from toolkits.cpd import CPD_TYPES, SSSC_SOCIAL_WORK_ELEMENTS

ERASE_CONFIRMATION = "erase"
MAX_HOURS = 200


def _optional_date(form: SwottForm, field: GovDateField) -> None:
    """Stop checking an optional date left wholly empty (WTForms' Optional looks at the day box only)."""
    if not any(str(v).strip() for v in (field.raw_data or ())):
        field.errors = []
        raise StopValidation()


class HoursField(DecimalField):
    """Hours as a number ("1.5" or "1,5"), with a GOV.UK message when it is not one."""

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = Decimal(str(valuelist[0]).strip().replace(",", "."))
        except InvalidOperation:
            self.data = None
            raise ValueError(str(_l("Time spent must be a number of hours, for example 1.5"))) from None
        if not self.data.is_finite():
            self.data = None
            raise ValueError(str(_l("Time spent must be a number of hours, for example 1.5")))


def _not_in_future(form: SwottForm, field: GovDateField) -> None:
    if field.data and field.data > utcnow().date():
        raise ValidationError(_l("%(name)s must be today or in the past", name=field.name_in_message))


def _past_date(label: str, required: str, *, earliest_year: int) -> GovDateField:
    """A date that must be given and not be in the future; `label` also names it in messages."""
    return GovDateField(
        label, name_in_message=label, earliest_year=earliest_year, validators=[InputRequired(required), _not_in_future]
    )


def _peer_required(message: str) -> Any:
    def check(form: ExternalCpdForm, field: StringField) -> None:
        if form.peer.data == "yes" and not (field.data or "").strip():
            raise ValidationError(message)

    return check


class ExternalCpdForm(SwottForm):
    """CPD done elsewhere: one record (issue 10 item 10). Labels come from the learner's regulator."""

    title = required_text(
        _l("Title"), _l("Enter a title"), max_length=200, too_long=_l("Title must be 200 characters or fewer")
    )
    done_on = _past_date(_l("Date"), _l("Enter the date you did it"), earliest_year=1950)
    activity_type = RadioField(
        _l("Type of CPD"),
        choices=[SelectChoice(t, t) for t in CPD_TYPES],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select the type of CPD"))],
    )
    hours = HoursField(
        _l("Time spent, in hours"),
        places=None,
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the time you spent, in hours, for example 1.5")),
            NumberRange(
                min=Decimal("0.25"),
                max=MAX_HOURS,
                message=_l("Time spent must be between 0.25 and %(max)s hours", max=MAX_HOURS),
            ),
        ],
    )
    description = TextAreaField(_l("Description and why it is relevant to your practice"), widget=GovTextArea())
    learnt = TextAreaField(
        _l("What you learnt"), widget=GovTextArea(), validators=[InputRequired(_l("Enter what you learnt"))]
    )
    impact = TextAreaField(
        _l("Impact on your practice"),
        widget=GovTextArea(),
        validators=[InputRequired(_l("Enter the impact on your practice"))],
    )
    peer = RadioField(
        _l("Did you reflect on it with a peer?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select yes if you reflected on it with a peer"))],
    )
    peer_with = StringField(
        _l("If yes, who with (their role, not their name)"),
        widget=GovTextInput(),
        validators=[
            _peer_required(_l("Enter who you reflected with, for example a colleague in my team")),
            Length(max=200, message=_l("Who with must be 200 characters or fewer")),
        ],
    )
    peer_reflection = TextAreaField(
        _l("If yes, what you learnt from discussing it with them"),
        widget=GovTextArea(),
        validators=[_peer_required(_l("Enter what you learnt from discussing it with a peer"))],
    )
    elements = SelectMultipleField(
        _l("Core learning elements it covers"),
        choices=[SelectChoice(e.id, e.title) for e in SSSC_SOCIAL_WORK_ELEMENTS],
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )

    # NISCC, "Social Worker PRTL", https://niscc.info/prtl/social-worker-prtl (read 1 December 2026): a
    # social worker appointed first-line manager undertakes learning in the professional supervision and
    # appraisal of staff within two years of appointment (the rule and its counter: regulators/niscc.py).
    supervision_appraisal = BooleanField(
        _l("This was learning in the professional supervision and appraisal of staff"), widget=GovCheckboxInput()
    )

    def entry(self) -> ExternalEntry:
        hours = self.hours.data or Decimal(0)
        if self.done_on.data is None:  # validate_on_submit() was true: InputRequired saw a date
            raise ValueError("entry() needs a validated form")
        return ExternalEntry(
            title=self.title.data or "",
            done_on=self.done_on.data,
            activity_type=self.activity_type.data or "",
            minutes=int((hours * 60).to_integral_value()),
            description=self.description.data or "",
            learnt=self.learnt.data or "",
            impact=self.impact.data or "",
            peer=self.peer.data == "yes",
            peer_with=self.peer_with.data or "",
            peer_reflection=self.peer_reflection.data or "",
            elements=tuple(self.elements.data or ()),
            supervision_appraisal=bool(self.supervision_appraisal.data),
        )

    def fill(self, entry: ExternalEntry) -> None:
        """Start the edit form with what is stored."""
        self.title.data = entry.title
        self.done_on.data = entry.done_on
        self.activity_type.data = entry.activity_type
        self.hours.data = Decimal(hours_text(entry.minutes / 60))  # "1.5", "3": as a person writes it
        self.description.data = entry.description
        self.learnt.data = entry.learnt
        self.impact.data = entry.impact
        self.peer.data = "yes" if entry.peer else "no"
        self.peer_with.data = entry.peer_with
        self.peer_reflection.data = entry.peer_reflection
        self.elements.data = list(entry.elements)
        self.supervision_appraisal.data = entry.supervision_appraisal


class DeleteExternalCpdForm(SwottForm):
    """ "Yes, delete it" on the confirmation page (the record's id is in the URL)."""


class ShareForm(SwottForm):
    share = RadioField(
        choices=[SelectChoice("1", _l("Share")), SelectChoice("0", _l("Stop sharing"))], validators=[InputRequired()]
    )


def _must_say_erase(form: SwottForm, field: StringField) -> None:
    if (field.data or "").strip().lower() != ERASE_CONFIRMATION:
        raise ValidationError(_l("Type “%(word)s” to erase your reflections", word=ERASE_CONFIRMATION))


class EraseForm(SwottForm):
    confirm = StringField(
        _l("To erase all your reflections, notes and records, type “%(word)s”", word=ERASE_CONFIRMATION),
        widget=GovTextInput(),
        validators=[_must_say_erase],
    )


class ProfileForm(SwottForm):
    """The learner's regulator and registration details (issue 13): all but the regulator optional."""

    regulator = RadioField(
        _l("Who is your regulator?"),
        choices=[
            SelectChoice(r.code, _l("%(name)s (%(nation)s)", name=_l(r.name), nation=_l(r.nation)))
            for r in regulators.REGULATORS.values()
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select your regulator"))],
    )
    registered_on = GovDateField(
        _l("When were you first registered?"),
        name_in_message=_l("Registration date"),
        earliest_year=1950,
        validators=[_optional_date, _not_in_future],
    )
    newly_qualified = BooleanField(_l("I am a newly qualified social worker (SSSC)"), widget=GovCheckboxInput())
    part_time = BooleanField(_l("I work under 35 hours a week (SSSC)"), widget=GovCheckboxInput())
    manager_since = GovDateField(
        _l("When did you become a first-line manager? (NISCC)"),
        name_in_message=_l("Manager date"),
        earliest_year=1950,
        validators=[_optional_date, _not_in_future],
    )

    def choice(self) -> ProfileChoice:
        return ProfileChoice(
            regulator=self.regulator.data,
            registered_on=self.registered_on.data,
            newly_qualified=bool(self.newly_qualified.data),
            part_time=bool(self.part_time.data),
            manager_since=self.manager_since.data,
        )

    def fill(self, choice: ProfileChoice) -> None:
        self.regulator.data = choice.regulator
        self.registered_on.data = choice.registered_on
        self.newly_qualified.data = choice.newly_qualified
        self.part_time.data = choice.part_time
        self.manager_since.data = choice.manager_since


class MakeVerificationLinkForm(SwottForm):
    """ "Make a verification link" (SSSC): a button only."""


class WithdrawVerificationLinkForm(SwottForm):
    """ "Withdraw this link": a button only (the link's id is in the URL)."""


def _must_confirm(form: SwottForm, field: BooleanField) -> None:
    if not field.data:
        raise ValidationError(_l("Confirm that this learning took place"))


class CplSignOffForm(SwottForm):
    """An SSSC employer's sign-off of a learner's CPL (no LMS account; CSRF bound to their session)."""

    name = required_text(
        _l("Your full name"),
        _l("Enter your full name"),
        max_length=200,
        too_long=_l("Your name must be 200 characters or fewer"),
    )
    role = required_text(
        _l("Your role"),
        _l("Enter your role, for example team manager"),
        max_length=200,
        too_long=_l("Your role must be 200 characters or fewer"),
    )
    verified_on = _past_date(
        _l("Date of your verification"), _l("Enter the date of your verification"), earliest_year=2024
    )
    confirm = BooleanField(
        _l("I confirm this learning took place"), widget=GovCheckboxInput(), validators=[_must_confirm]
    )
