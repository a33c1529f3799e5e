"""WTForms classes for the evaluation pages: questionnaires, session feedback and the follow-up.

Every questionnaire, feedback form and follow-up can be skipped (the `action` button "skip"), so none
of them ever holds up a learner; the validators only guard what an answer must look like.
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovTextArea, GovTextInput
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs lag
from wtforms.validators import InputRequired, Length, Optional

from lti_tool.forms import SwottForm
from lti_tool.i18n import _l
from lti_tool.services.evaluation.feedback import USEFULNESS_SCALE
from lti_tool.services.evaluation.followups import CARRIED_OUT_LABELS
from lti_tool.services.evaluation.responses import MAX_TEXT_CHARS
from toolkits.model import CONFIDENCE_SCALE, Phase, Questionnaire

MAX_TEXT_SHOWN = f"{MAX_TEXT_CHARS:,}"  # "2,000", for a translated message's placeholder
TOO_LONG = _l("Keep your answer to %(n)s characters or fewer", n=MAX_TEXT_SHOWN)
SHARE_LABEL = _l("My written answers can be shown, without my name, in reports for course leads")


def _text() -> list[Any]:
    return [Optional(), Length(max=MAX_TEXT_CHARS, message=TOO_LONG)]


def _scale(labels: tuple[str, ...]) -> list[SelectChoice]:
    """The scale's words (in the catalogue), translated when shown."""
    return [SelectChoice(str(i), _l(label)) for i, label in enumerate(labels, 1)]


class SkippableForm(SwottForm):
    """A form with "Send" and "Skip" buttons (`name="action"`)."""

    action = StringField()

    @property
    def skipped(self) -> bool:
        return self.action.data == "skip"


class QuestionnaireForm(SkippableForm):
    """One radio group per confidence statement (`confidence-1` …) and a box per open question."""

    share = BooleanField(SHARE_LABEL, widget=GovCheckboxInput())
    statements: list[tuple[str, str]]  # (field name, statement)
    questions: list[tuple[str, str, str]]  # (field name, question id, text)

    @classmethod
    def for_questionnaire(cls, questionnaire: Questionnaire, phase: Phase) -> QuestionnaireForm:
        fields: dict[str, Any] = {}
        statements, questions = [], []
        for number, statement in enumerate(questionnaire.confidence, 1):
            name = f"confidence-{number}"
            fields[name] = RadioField(statement, choices=_scale(CONFIDENCE_SCALE), validators=[Optional()],
                                      widget=GovRadioInput())  # fmt: skip
            statements.append((name, statement))
        for question in questionnaire.open_for(phase):
            name = f"open-{question.id}"
            fields[name] = TextAreaField(question.text, validators=_text(), widget=GovTextArea())
            questions.append((name, question.id, question.text))
        form: QuestionnaireForm = type("BoundQuestionnaireForm", (cls,), fields)()
        form.statements, form.questions = statements, questions
        return form

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        if ok and not self.skipped and not any(self.confidence()) and not any(self.open_answers().values()):
            first = self[self.statements[0][0]]
            first.errors = [*first.errors, str(_l("Choose how confident you are, or choose ‘Skip these questions’"))]
            return False
        return ok

    def confidence(self) -> list[int]:
        """A rating per statement, 0 where none was chosen."""
        return [int(self[name].data) if self[name].data else 0 for name, _ in self.statements]

    def open_answers(self) -> dict[str, str]:
        return {qid: (self[name].data or "").strip() for name, qid, _ in self.questions}


class SessionFeedbackForm(SkippableForm):
    usefulness = RadioField(
        _l("How useful was this group session for your practice?"),
        choices=_scale(USEFULNESS_SCALE),
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    change = TextAreaField(
        _l("What would you change about the session?"),
        validators=_text(),
        widget=GovTextArea(),
        description=_l("For example the timing, the case study or how the discussion was run."),
    )
    share = BooleanField(SHARE_LABEL, widget=GovCheckboxInput())

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        if ok and not self.skipped and not self.usefulness.data:
            self.usefulness.errors = [str(_l("Choose how useful the session was, or choose ‘Skip’"))]
            return False
        return ok


class ProgrammeSessionFeedbackForm(SessionFeedbackForm):
    """The same two questions after a programme's workshop or set meeting, in the page's language (the
    same check: a usefulness rating unless skipped)."""

    usefulness = RadioField(
        _l("How useful was this session for your practice?"),
        choices=[SelectChoice(str(i), _l(label)) for i, label in enumerate(USEFULNESS_SCALE, 1)],
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    change = TextAreaField(
        _l("What would you change about the session?"),
        validators=[
            Optional(),
            Length(max=MAX_TEXT_CHARS, message=_l("Keep your answer to %(n)s characters or fewer", n=MAX_TEXT_SHOWN)),
        ],
        widget=GovTextArea(),
        description=_l("For example the timing, the activities or how the discussion was run."),
    )
    share = BooleanField(_l("My answer about what to change can be shown, without my name, in reports for the "
                            "programme lead"), widget=GovCheckboxInput())  # fmt: skip


class FollowUpForm(SkippableForm):
    """`action`: "send", "later" (ask again in two weeks) or "skip" (never ask again)."""

    carried_out = RadioField(
        _l("Did you carry out the action you planned?"),
        choices=[SelectChoice(k.value, _l(v)) for k, v in CARRIED_OUT_LABELS.items()],
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    what_happened = TextAreaField(
        _l("What did you do, and what happened?"),
        validators=_text(),
        widget=GovTextArea(),
        description=_l("If you have not done it yet, what got in the way?"),
    )
    impact = TextAreaField(
        _l("What difference has it made to your practice and to the people you work with?"),
        validators=_text(),
        widget=GovTextArea(),
        description=_l("Do not name or identify the people you work with."),
    )
    in_portfolio = BooleanField(_l("Add this to my CPD portfolio as a record of impact on my practice"),
                                widget=GovCheckboxInput())  # fmt: skip

    @property
    def later(self) -> bool:
        return self.action.data == "later"

    def validate(self, extra_validators: Any = None) -> bool:
        ok: bool = super().validate(extra_validators)
        if ok and not self.skipped and not self.later and not self.carried_out.data:
            self.carried_out.errors = [str(_l("Choose whether you carried out your action, or choose ‘Ask me later’"))]
            return False
        return ok


class IssueCertificateForm(SwottForm):
    """ "Get my certificate": issuing writes a row, so it is a POST (a GET never changes anything)."""


class VerifyForm(SwottForm):
    code = StringField(
        _l("Certificate code"), widget=GovTextInput(), validators=[InputRequired(_l("Enter the certificate code"))]
    )


class RevokeCertificateForm(SwottForm):
    """The confirm step's "Withdraw this certificate" (a warning button; a POST with the CSRF token)."""


class FindCertificateForm(SwottForm):
    """The operator types the code from a certificate to withdraw it."""

    code = StringField(
        _l("Certificate code"), widget=GovTextInput(), validators=[InputRequired(_l("Enter the certificate code"))]
    )
