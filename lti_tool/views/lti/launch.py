"""`POST /lti/launch`: the redirect URI and target link URI of every launch (LTI Security 1.0 §5.1.3).

CSRF-exempt because the OIDC state (bound to this browser by a cookie or by platform storage) and the
signed id_token are its proof. Every refusal is a `LaunchRejected` (an `errors.UserFacingError`): a
plain page, a reason code in the log, and no rows written. A valid launch is answered with the page
itself (issue 15), routed by message type and role.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from flask import g, make_response, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response
from wtforms import HiddenField

from lti_tool import csrf, i18n, web
from lti_tool.forms import SwottForm
from lti_tool.i18n import _l
from lti_tool.lti import claims, deep_linking
from lti_tool.lti.launch import LaunchRejected, LaunchValidator, ValidatedLaunch
from lti_tool.lti.login import storage_hash
from lti_tool.lti.platforms import origin
from lti_tool.lti.roles import Role
from lti_tool.lti.session import CurrentLaunch, launch_url_for, new_launch_id, remember, use_for_request
from lti_tool.services import launches, registry
from lti_tool.services.programmes import deep_link as programme_links
from lti_tool.services.programmes import templates as programme_templates
from lti_tool.views import evaluation, facilitator, player
from lti_tool.views import programmes as programme_pages
from lti_tool.views.l2 import participant as l2_pages
from lti_tool.views.lti.common import bp, key_cache, platforms, secure, state_cookie, store, tool_urls
from lti_tool.views.lti.deep_linking import picker_page


class LaunchForm(SwottForm):
    """What the platform form-posts after authentication (LTI Security 1.0 §5.1.1.3), and the
    platform-storage proof our own storage page adds for a launch without our cookie."""

    id_token = HiddenField()
    state = HiddenField()
    storage_secret = HiddenField()


@bp.post("/launch")
@csrf.exempt
def launch() -> ResponseReturnValue:
    form = LaunchForm(formdata=request.form)
    id_token = form.id_token.data or ""
    state = form.state.data or ""
    if not id_token:
        raise LaunchRejected("missing_id_token")
    if not state:
        raise LaunchRejected("missing_state")
    states = store()
    record = states.get(state)
    if record is None:
        raise LaunchRejected("unknown_state", "This launch has expired or was already used.")

    cookie_bound = hmac.compare_digest(request.cookies.get(state_cookie(state), ""), state)
    secret = form.storage_secret.data or ""
    cookieless = False
    if not cookie_bound:
        if secret and record.storage_hash and hmac.compare_digest(storage_hash(secret), record.storage_hash):
            cookieless = True
        elif secret:
            raise LaunchRejected("storage_state_mismatch")
        elif record.storage_target:
            return render_template(
                "lti/storage_launch.html",
                id_token=id_token,
                state=state,
                target=record.storage_target,
                key=state_cookie(state),
                login_url=tool_urls().login_url,
                login=record.login,
            )
        else:
            return render_template("lti/new_window.html", login_url=tool_urls().login_url, login=record.login), 401

    validator = LaunchValidator(
        web.db_session(),
        platforms(),
        states,
        key_cache(),
        leeway=web.settings().clock_leeway,
        tool_origin=origin(web.settings().base_url),
    )
    validated = validator.validate(id_token, record)
    # Verified: its refusals from here on (not subscribed, unknown toolkit) speak the launch's language.
    i18n.use_launch_language(_locale_claim(validated.body), validated.platform.default_language or "")
    toolkit_id, part, endpoint = _destination(validated)
    # Every check passed: only now are the state taken and the nonce spent, and the launch recorded,
    # all in one transaction (the database store), so a refused launch writes nothing (issue 9, defect 3).
    if states.take(state) is None:
        raise LaunchRejected("unknown_state", "This launch has expired or was already used.")
    validator.consume_nonce(validated)
    recorded = launches.record_launch(web.db_session(), validated, toolkit_id, part)
    current = _current(validated, recorded, toolkit_id, part, cookieless)
    response = _answer(current, endpoint)
    response.delete_cookie(state_cookie(state), path="/lti/", secure=secure(), samesite="None" if secure() else "Lax")
    return response


def _destination(validated: ValidatedLaunch) -> tuple[str, str, str]:
    """Where the launch goes (toolkit id, part, endpoint), or the refusal; reads, never writes."""
    role = validated.role
    if validated.message_type == claims.DEEP_LINKING_REQUEST:
        if role is not Role.FACILITATOR:
            raise LaunchRejected(
                "deep_linking_not_facilitator",
                _l("Only course facilitators can add SWOTT toolkits to a course."),
                status=403,
            )
        return "", "", "lti.deep_link"

    custom = validated.custom
    programme = programme_links.chosen_programme(custom, programme_templates.available(web.catalogue()))
    if programme is not None:
        # A programme placement (Deep Linking's "Programme" item): stored as part "pg" with the
        # programme's id in the link's toolkit column (resource_link.part is two characters).
        if not all(registry.is_subscribed(validated.platform, validated.deployment, t) for t in programme.toolkit_ids):
            raise _not_subscribed(role)
        endpoint = programme_links.launch_endpoint(role is Role.FACILITATOR)
        return programme.id, programme_links.LINK_PART, endpoint
    toolkit_id = str(custom.get("toolkit_id", "")).strip()
    part = str(custom.get("part", "l1")).strip().lower()
    toolkit = web.catalogue().get(toolkit_id) if toolkit_id else None
    if toolkit is None or part not in deep_linking.PARTS:
        raise LaunchRejected(
            "unknown_toolkit",
            _l("This link does not say which SWOTT toolkit to open, or names one we do not have."),
            status=404,
        )
    if not registry.is_subscribed(validated.platform, validated.deployment, toolkit.id):
        raise _not_subscribed(role)
    if role is Role.FACILITATOR:
        return toolkit.id, part, "facilitator.home"
    return toolkit.id, part, "player.start" if part == "l1" else "l2.home"


def _not_subscribed(role: Role) -> LaunchRejected:
    error = LaunchRejected(
        "not_subscribed",
        _l("Your organisation's subscription does not include this toolkit, or it has ended."),
        status=403,
    )
    error.title = _l("This toolkit is not part of your subscription")
    if role is Role.FACILITATOR:
        error.advice = _l(
            "Ask your LMS administrator or workforce development lead to contact the SWOTT team to renew "
            "or extend the subscription. Your learners see this message too until then."
        )
    else:
        error.advice = _l("Tell your course facilitator: they can ask for the subscription to be renewed.")
    return error


def _current(
    validated: ValidatedLaunch, recorded: launches.RecordedLaunch, toolkit_id: str, part: str, cookieless: bool
) -> CurrentLaunch:
    settings = validated.body.get(claims.DL_SETTINGS)
    return CurrentLaunch(
        launch_id=new_launch_id(),
        user_id=recorded.user_id,
        platform_id=validated.platform.id,
        context_id=recorded.context_id,
        resource_link_id=recorded.resource_link_id,
        role=validated.role,
        toolkit_id=toolkit_id,
        part=part,
        deployment_id=validated.deployment.deployment_id,
        message_type=validated.message_type,
        deep_link=dict(settings) if isinstance(settings, dict) else {},
        cookieless=cookieless,
        locale=_locale_claim(validated.body),
        platform_language=validated.platform.default_language or "",
    )


def _locale_claim(body: Mapping[str, Any]) -> str:
    """The launch's `locale` (LTI Core 1.3 §5.4.4, launch presentation claim; BCP 47), cleaned, or ""."""
    presentation = body.get(claims.LAUNCH_PRESENTATION)
    return claims.clean_text(presentation.get("locale"), 35) if isinstance(presentation, dict) else ""


def _answer(current: CurrentLaunch, endpoint: str) -> Response:
    """Answer the launch POST with the page itself (issue 15: login + launch are the only two tool
    requests; no redirect chain through /player/ and /l1/).

    `g.launch_page_url` is the page's own address: `static/launch.js` puts it in the address bar
    (`history.replaceState`), so a reload or a bookmark asks for the page, not the spent launch.
    """
    if not current.cookieless:
        remember(current)
    use_for_request(current)
    values: dict[str, Any] = {}
    if endpoint == "programmes.mine":
        run = programme_pages.learner.launch_run(current)
        if run is not None:
            endpoint, values = "programmes.timeline_page", {"run_id": run.id}
    g.launch_page_url = launch_url_for(endpoint, current, **values)
    page: ResponseReturnValue
    if endpoint == "programmes.index":
        page = programme_pages.lead.landing()
    elif endpoint == "programmes.timeline_page":
        # Issue 12: the programme's before questionnaire on the first launch, the after one at its end.
        page = programme_pages.evaluation.on_launch(current, values["run_id"]) or programme_pages.learner.timeline_page(
            values["run_id"]
        )
    elif endpoint == "programmes.mine":
        page = programme_pages.learner.mine()
    elif endpoint == "lti.deep_link":
        page = picker_page(current)
    elif endpoint == "facilitator.home":
        page = facilitator.home()
    elif endpoint == "l2.home":
        # Issue 12 first (a follow-up, or after-L2 questions not yet answered), else the learner's L2 page:
        # their session's date, place or link (issue 10).
        page = evaluation.on_launch(current, l1_started=True) or l2_pages.home()
    else:
        page = player.landing(current)
    return make_response(page)
