"""The L1 player's forms as WTForms classes (Flask-WTF `SwottForm`): nothing is read from `request.form`
in the views (issue 10).

- `StepForm`: Start, Next, Previous and the beacon l1.js sends after a plain link (`beacon=1`).
- `AnswerForm`: one knowledge-check question, its chosen options checked against the question's own.
- `ThinkingNotesForm`: a thinking page's notes, one box and one version per prompt.
- `ReflectionForm`: the CPD reflection, one box per field of the toolkit's reflection template, the
  date as GOV.UK's day / month / year input.

The reflection's completeness rules (which boxes a submission needs, a real date) belong to the domain
(`services.reflections`, shared with autosave and the L2 reflection); `ReflectionForm.show_incomplete`
puts that answer on the fields, so the error summary and the inline messages come from the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext
from wtforms import Field, HiddenField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from lti_tool.forms import SwottForm
from lti_tool.i18n import _l
from toolkits.model import Question, QuestionType

DATE_FIELD = "cpd_date"
DATE_PARTS = ("day", "month", "year")
SINGLE_LINE = {"cpd_title"}


class StepForm(SwottForm):
    """Move to a step; `beacon` marks the no-answer post that l1.js sends for a page reached by a link."""

    beacon = HiddenField()


class AnswerForm(SwottForm):
    """One question's answer: which question, and the options chosen (radios or checkboxes)."""

    question = HiddenField(validators=[InputRequired()])
    option = SelectMultipleField(
        validators=[InputRequired(_l("Choose an answer before checking it."))], validate_choice=False
    )

    def for_question(self, question: Question) -> AnswerForm:
        """Only this question's options count; a single-answer question takes exactly one."""
        self.option.choices = [(o.id, o.id) for o in question.options]
        self.option.validate_choice = True
        chosen = list(self.option.data or [])
        if question.type is QuestionType.SINGLE and len(chosen) > 1:
            self.option.data = chosen[:1]
        return self

    @property
    def chosen(self) -> set[str]:
        return set(self.option.data or [])


class ThinkingNotesForm(SwottForm):
    """An L1 thinking page's notes: `note-<prompt>` and `version-<prompt>` per prompt (`for_prompts`)."""

    autosave = HiddenField()
    go = HiddenField()
    prompt_ids: list[str]

    @classmethod
    def for_prompts(cls, prompt_ids: list[str]) -> ThinkingNotesForm:
        """A form class with one box and one version per prompt of the page, bound to the request."""
        fields: dict[str, object] = {}
        for prompt_id in prompt_ids:
            fields[f"note-{prompt_id}"] = TextAreaField()
            fields[f"version-{prompt_id}"] = IntegerField(validators=[Optional(), NumberRange(min=0)])
        form: ThinkingNotesForm = type("PageNotesForm", (cls,), fields)()
        form.prompt_ids = list(prompt_ids)
        return form

    def sent(self) -> dict[str, tuple[str, int]]:
        """The prompts whose box the request carried: text, and the version it was based on.

        Boxes the request left out (autosave sends only the ones typed in) are not part of the save.
        """
        sent = {}
        for prompt_id in self.prompt_ids:
            box = self[f"note-{prompt_id}"]
            if box.raw_data:
                version = self[f"version-{prompt_id}"].data
                sent[prompt_id] = (box.data or "", int(version or 0))
        return sent


class ReflectionForm(SwottForm):
    """The L1 CPD reflection. Build it with `for_fields` (the toolkit's boxes); read it with `values()`.

    `action` is the button pressed (save, submit, carry); `version` the draft the page was based on
    (a stale tab's save is refused, never applied); `autosave` marks l1.js's saves, answered in JSON.
    """

    version = IntegerField(default=0, validators=[Optional()])
    # The date as one ISO value, as scripts and older pages post it; the three boxes win when filled.
    cpd_date = StringField()
    autosave = HiddenField()
    action = StringField(default="save")
    field_ids: list[str]

    @classmethod
    def for_fields(cls, fields: Iterable[tuple[str, str]], data: dict[str, str] | None = None) -> ReflectionForm:
        """One box per (id, label); the date as three boxes. `data` fills a form not being posted."""
        members: dict[str, Field] = {}
        ids = []
        for field_id, label in fields:
            ids.append(field_id)
            if field_id == DATE_FIELD:
                for part in DATE_PARTS:
                    members[f"{DATE_FIELD}-{part}"] = StringField(part.title(), id=f"field-{DATE_FIELD}-{part}")
            elif field_id in SINGLE_LINE:
                members[field_id] = StringField(label, id=f"field-{field_id}")
            else:
                members[field_id] = TextAreaField(label, id=f"field-{field_id}")
        form_class = type("L1ReflectionForm", (cls,), members)
        if data is None:
            form: ReflectionForm = form_class()  # bound to the POST
        else:
            # Not the request's form data: a page rendered by another POST (the launch) shows `data`.
            form = form_class(formdata=None, data=_with_date_parts(data))
        form.field_ids = ids
        return form

    @property
    def wants(self) -> str:
        return (self.action.data or "save").strip()

    @property
    def is_autosave(self) -> bool:
        return bool(self.autosave.data)

    def values(self) -> dict[str, str]:
        """What the learner typed, by reflection field id; the date as ISO when it is a real date."""
        values: dict[str, str] = {}
        for field_id in self.field_ids:
            if field_id == DATE_FIELD:
                parts = [self[f"{DATE_FIELD}-{p}"].data or "" for p in DATE_PARTS]
                values[field_id] = join_date(*parts) if any(parts) else (self.cpd_date.data or "").strip()
            else:
                values[field_id] = self[field_id].data or ""
        return values

    def show_incomplete(self, missing_ids: Iterable[str], invalid_date: bool) -> None:
        """Put a refused submission's reasons on the fields (error summary and inline messages)."""
        for field_id in missing_ids:
            if field_id == DATE_FIELD:
                self[f"{DATE_FIELD}-day"].errors = [gettext("Enter the date of this CPD")]
            elif field_id in self.field_ids:
                self[field_id].errors = [
                    gettext("Write something in “%(label)s” before you submit", label=self[field_id].label.text)
                ]
        if invalid_date:
            self[f"{DATE_FIELD}-day"].errors = [gettext("The date must be a real date, for example 27 3 2027")]

    def refill(self, values: dict[str, str]) -> None:
        """Show `values` in the boxes (what the learner typed, or the record carried into)."""
        for name, value in _with_date_parts(values).items():
            if name in self._fields and name not in ("version", "autosave", "action", DATE_FIELD):
                self[name].data = value


def join_date(day: str, month: str, year: str) -> str:
    """'2027-03-27' for a real date; else what was typed, kept as 'day/month/year' so nothing is lost."""
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (day or month or year):
        return ""
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return f"{day}/{month}/{year}"


def split_date(value: str) -> tuple[str, str, str]:
    """The three boxes for a stored value: an ISO date, or the 'day/month/year' kept by `join_date`."""
    value = (value or "").strip()
    if not value:
        return "", "", ""
    try:
        real = date.fromisoformat(value)
    except ValueError:
        parts = [*value.split("/"), "", ""][:3]
        return parts[0], parts[1], parts[2]
    return str(real.day), str(real.month), str(real.year)


def _with_date_parts(values: dict[str, str]) -> dict[str, str]:
    if DATE_FIELD not in values:
        return dict(values)
    day, month, year = split_date(values[DATE_FIELD])
    return {**values, f"{DATE_FIELD}-day": day, f"{DATE_FIELD}-month": month, f"{DATE_FIELD}-year": year}
