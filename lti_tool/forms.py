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

from flask_wtf import FlaskForm


class SwottForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type hints
    """A GOV.UK-styled form whose CSRF token is the app's launch-bound one (see module docstring)."""

    class Meta:
        csrf = False
