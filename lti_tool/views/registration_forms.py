"""WTForms classes (Flask-WTF) for registration and the operator page: validators live here, not in views.

CSRF: the app has one CSRF defence for every form (`lti_tool.csrf`, whose token also works in
cookieless launches), so these forms are `SwottForm`s with Flask-WTF's own token off; templates write
`{{ csrf_input() }}`.
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length

from lti_tool.forms import GovDateField, SwottForm, optional_day_not_past
from lti_tool.i18n import _l

MAX_URL = 2048

# Kept for the forms written before `SwottForm` (lti_tool/forms.py) existed: the same class.
AppForm = SwottForm


class RegistrationForm(SwottForm):
    """The LMS administrator's "Register" on the approval page: the values the platform gave us (DR §3.3)."""

    openid_configuration = HiddenField(
        validators=[DataRequired("The platform did not say where its configuration is."), Length(max=MAX_URL)]
    )
    registration_token = HiddenField(validators=[Length(max=4096)])


class ApprovePlatformForm(SwottForm):
    """Approve one pending registration (its id is in the URL)."""


ALL_TOOLKITS = "*"


class GrantSubscriptionForm(SwottForm):
    """Give a platform toolkits (one, or all including future ones), from today until a last day."""

    platform = SelectField(
        _l("Platform"), coerce=int, widget=GovSelect(), validators=[InputRequired(_l("Choose a platform"))]
    )
    toolkit = SelectField(
        _l("Toolkit"), widget=GovSelect(), validators=[InputRequired(_l("Choose a toolkit, or all toolkits"))]
    )
    until = GovDateField(
        _l("Last day (optional)"),
        validators=[
            optional_day_not_past(
                _l("Enter the last day as a day, month and year, for example 31 3 2027"),
                _l("The last day must be today or in the future"),
            )
        ],
        description=_l("Leave empty for a subscription with no end. For example, 31 3 2027"),
    )


class RevokeSubscriptionForm(SwottForm):
    """Revoke one subscription (its id is in the URL)."""
