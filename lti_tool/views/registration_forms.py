"""WTForms classes (Flask-WTF) for registration and the operator page: validators live here, not in views.

CSRF: the app has one CSRF defence for every form (`lti_tool.csrf`, whose token also works in
cookieless launches), so these forms switch Flask-WTF's own session-bound token off (`Meta.csrf`)
rather than carry two tokens with the same field name; templates write `{{ csrf_input() }}`.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

MAX_URL = 2048


class AppForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no types
    """A Flask-WTF form checked by the app-wide CSRF token (see the module docstring)."""

    class Meta:
        csrf = False


class RegistrationForm(AppForm):
    """The LMS administrator's "Register" on the approval page: the values the platform gave us (DR §3.3)."""

    openid_configuration = HiddenField(
        validators=[DataRequired("The platform did not say where its configuration is."), Length(max=MAX_URL)]
    )
    registration_token = HiddenField(validators=[Length(max=4096)])


class ApprovePlatformForm(AppForm):
    """Approve one pending registration (its id is in the URL)."""


ALL_TOOLKITS = "*"


class GrantSubscriptionForm(AppForm):
    """Give a platform toolkits (one, or all including future ones), from today until a last day."""

    platform = SelectField("Platform", coerce=int, validators=[InputRequired("Choose a platform.")])
    toolkit = SelectField("Toolkit", validators=[InputRequired("Choose a toolkit, or all toolkits.")])
    until = DateField("Last day (leave empty for open-ended)", validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        from datetime import date

        if field.data is not None and field.data < date.today():
            raise ValidationError("The last day cannot be in the past.")


class RevokeSubscriptionForm(AppForm):
    """Revoke one subscription (its id is in the URL)."""
