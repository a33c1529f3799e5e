"""The WTForms class (Flask-WTF) for an L1 thinking page's notes (`views.l1.notes`)."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import NumberRange, Optional

from lti_tool.views.registration_forms import AppForm


class ThinkingNotesForm(AppForm):
    """An L1 thinking page's notes: `note-<prompt>` and `version-<prompt>` per prompt (`for_prompts`)."""

    autosave = HiddenField()
    go = HiddenField()

    @classmethod
    def for_prompts(cls, prompt_ids: list[str]) -> ThinkingNotesForm:
        """A form class with one box and one version per prompt of the page, bound to the request."""
        fields: dict[str, object] = {}
        for prompt_id in prompt_ids:
            fields[f"note-{prompt_id}"] = TextAreaField()
            fields[f"version-{prompt_id}"] = IntegerField(validators=[Optional(), NumberRange(min=0)])
        form_class = type("PageNotesForm", (cls,), fields)
        form: ThinkingNotesForm = form_class()
        form.prompt_ids = list(prompt_ids)
        return form

    prompt_ids: list[str]

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
