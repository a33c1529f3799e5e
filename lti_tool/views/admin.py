"""The operator's page: the values to paste into Moodle and Canvas, the registered platforms, and the
changes an operator makes most (approve a pending registration, grant and revoke subscriptions).

Protection: there is no operator login in SWOTT Connect, and a static admin password in an environment
variable is one more secret to leak. Instead `swott admin link` (run by someone who already has a
shell on the server, i.e. who could run every `swott platform` command anyway) prints a link signed
with SWOTT_SECRET_KEY that works for one hour and names the operator (`--as`, default their login), so
changes made here are recorded with who made them ("sam (operator page)") and when. Every change is a
POST that carries the signed link *and* the app's CSRF token (`lti_tool.csrf`): a page elsewhere cannot
make the operator's browser change anything.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool import admin_links, web
from lti_tool.access import operator_from_link
from lti_tool.errors import NotFound
from lti_tool.i18n import _l
from lti_tool.lti.platforms import RegistrationError, ToolUrls
from lti_tool.models import Platform, Subscription, utcnow
from lti_tool.services import registrations, subscriptions
from lti_tool.views.registration_forms import (
    ALL_TOOLKITS,
    ApprovePlatformForm,
    GrantSubscriptionForm,
    RevokeSubscriptionForm,
)
from lti_tool.words import N_

bp = Blueprint("admin", __name__, url_prefix="/admin")

DONE = {
    "approved": _l("The platform is approved: it can launch SWOTT Connect and show it in its pages."),
    "granted": _l("The subscription is granted."),
    "revoked": _l("The subscription is revoked."),
}


def admin_link(operator: str = "operator") -> str:
    """This app's operator-page link for `operator` (inside an app context; `admin_links.admin_link`)."""
    return admin_links.admin_link(current_app.secret_key or "", web.settings().base_url, operator)


def _grant_form(form: GrantSubscriptionForm | None = None) -> GrantSubscriptionForm:
    form = form or GrantSubscriptionForm(formdata=None)
    session = web.db_session()
    platforms = registrations.list_platforms(session)
    form.platform.choices = [
        (p.id, gettext("%(name)s (%(issuer)s, client %(client)s)", name=p.name or p.issuer, issuer=p.issuer,
                       client=p.client_id))
        for p in platforms
    ]  # fmt: skip
    catalogue = web.catalogue()
    form.toolkit.choices = [(ALL_TOOLKITS, gettext("All toolkits, including future ones"))] + [
        (t.id, t.title) for t in (catalogue.get(i) for i in catalogue.ids()) if t is not None
    ]
    return form


def _page(operator: str, status: int = 200, grant_form: GrantSubscriptionForm | None = None) -> ResponseReturnValue:
    session = web.db_session()
    html = render_template(
        "admin/index.html",
        urls=ToolUrls(web.settings().base_url),
        platforms=registrations.list_platforms(session),
        left_out=web.catalogue().left_out(),
        pending=registrations.pending_platforms(session),
        invites=registrations.list_invites(session),
        now=utcnow(),
        subscriptions=subscriptions.list_subscriptions(session, include_revoked=True),
        grant_form=_grant_form(grant_form),
        approve_form=ApprovePlatformForm(formdata=None),
        revoke_form=RevokeSubscriptionForm(formdata=None),
        operator=gettext("%(operator)s (operator page)", operator=operator),
        token=request.args.get("token", ""),
        done=str(DONE.get(request.args.get("done", ""), "")),
    )
    return html, status


def _back(done: str) -> ResponseReturnValue:
    return redirect(url_for("admin.index", token=request.args.get("token", ""), done=done), code=303)


@bp.get("/")
def index() -> ResponseReturnValue:
    return _page(operator_from_link())


def _by(operator: str) -> str:
    """Who did it, as the audit columns record an action taken on this page."""
    return operator + " (operator page)"


def _platform(platform_id: int) -> Platform:
    platform = web.db_session().get(Platform, platform_id)
    if platform is None:
        raise NotFound(N_("That registration no longer exists."), reason="admin_platform_gone")
    return platform


@bp.post("/platforms/<int:platform_id>/approve")
def approve(platform_id: int) -> ResponseReturnValue:
    by = _by(operator_from_link())
    registrations.approve_platform(web.db_session(), _platform(platform_id), by)
    return _back("approved")


@bp.post("/subscriptions")
def grant() -> ResponseReturnValue:
    operator = operator_from_link()
    form = _grant_form(GrantSubscriptionForm())
    if not form.validate():
        return _page(operator, 400, form)
    session = web.db_session()
    platform = _platform(form.platform.data)
    toolkit = None if form.toolkit.data == ALL_TOOLKITS else form.toolkit.data
    try:
        subscriptions.grant(session, platform, [toolkit], ends_on=form.until.data, granted_by=_by(operator))
    except RegistrationError as error:
        # The same page, the refusal beside the field, everything chosen kept (issue 10 point 2).
        session.rollback()
        form.toolkit.errors = [gettext("The subscription was not granted: %(error)s", error=str(error))]
        return _page(operator, 400, form)
    return _back("granted")


@bp.post("/subscriptions/<int:subscription_id>/revoke")
def revoke(subscription_id: int) -> ResponseReturnValue:
    by = _by(operator_from_link())
    session = web.db_session()
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFound(N_("That subscription no longer exists."), reason="admin_subscription_gone")
    subscriptions.revoke_subscription(session, subscription, by)
    return _back("revoked")
