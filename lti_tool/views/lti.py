"""The LTI endpoints platforms and LMS administrators use (ARCHITECTURE.md "Public interfaces").

`/lti/login` and `/lti/launch` are posted to by platforms, cross-site: they are CSRF-exempt because
the OIDC state (bound to this browser by a cookie or by platform storage) and the signed id_token are
their proof. Every refusal is a `LaunchRejected` (an `errors.UserFacingError`): a plain page, a reason
code in the log, and no rows written.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify, make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from lti_tool import csrf, i18n, web
from lti_tool.errors import BadRequest, Forbidden, NotFound
from lti_tool.i18n import _l
from lti_tool.lti import claims, deep_linking, dynamic_registration
from lti_tool.lti.launch import LaunchRejected, LaunchValidator, ValidatedLaunch
from lti_tool.lti.login import begin_login, storage_hash
from lti_tool.lti.outbound import OutboundPolicy
from lti_tool.lti.platform_keys import PlatformKeyCache
from lti_tool.lti.roles import Role
from lti_tool.lti.session import (
    CurrentLaunch,
    launch_url_for,
    new_launch_id,
    remember,
    require_launch,
    use_for_request,
)
from lti_tool.lti.state_store import STATE_TTL, StateStore, state_store
from lti_tool.models import Platform
from lti_tool.services import keys, launches, registrations, registry
from lti_tool.services.registrations import ToolUrls
from lti_tool.views import facilitator, player

bp = Blueprint("lti", __name__, url_prefix="/lti")
log = logging.getLogger(__name__)

STATE_COOKIE_PREFIX = "swott-lti-state-"
KEY_CACHE_EXTENSION = "swott.platform_keys"
# Seconds between platform key-set fetches per platform; tests of key rotation lower it.
MIN_KEY_REFRESH_CONFIG = "SWOTT_PLATFORM_KEYS_MIN_REFRESH"


def tool_urls() -> ToolUrls:
    return ToolUrls(web.settings().base_url)


def _store() -> StateStore:
    return state_store(web.db_session(), web.settings().redis_url)


def _key_cache() -> PlatformKeyCache:
    cache: PlatformKeyCache | None = current_app.extensions.get(KEY_CACHE_EXTENSION)
    if cache is None:
        seconds = int(current_app.config.get(MIN_KEY_REFRESH_CONFIG, 60))
        cache = current_app.extensions[KEY_CACHE_EXTENSION] = PlatformKeyCache(
            min_refresh=timedelta(seconds=seconds),
            policy=OutboundPolicy.for_environment(web.settings().production),
        )
    return cache


def _secure() -> bool:
    return web.settings().base_url.startswith("https://")


def _state_cookie(state: str) -> str:
    # One cookie per login, so two activities launched at once on one course page do not clobber each other.
    return STATE_COOKIE_PREFIX + state[:16]


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login() -> ResponseReturnValue:
    params = {k: v for k, v in request.values.items() if isinstance(v, str)}
    result = begin_login(web.db_session(), _store(), params, tool_urls().tool_url, web.settings().base_url)
    response: Response
    if result.storage_target:
        # LTI Client Side postMessages: keep proof of this login in the platform's storage frame too,
        # for browsers that will not send our cookie back inside the LMS's iframe.
        response = make_response(
            render_template(
                "lti/storage_login.html",
                auth_url=result.url,
                target=result.storage_target,
                key=_state_cookie(result.state),
                value=result.storage_secret,
                platform_origin=registrations.origin(result.url),
            )
        )
    else:
        response = redirect(result.url, code=302)
    response.set_cookie(
        _state_cookie(result.state),
        result.state,
        max_age=int(STATE_TTL.total_seconds()),
        secure=_secure(),
        httponly=True,
        samesite="None" if _secure() else "Lax",
        path="/lti/",
    )
    return response


@bp.post("/launch")
@csrf.exempt
def launch() -> ResponseReturnValue:
    id_token = request.form.get("id_token", "")
    state = request.form.get("state", "")
    if not id_token:
        raise LaunchRejected("missing_id_token")
    if not state:
        raise LaunchRejected("missing_state")
    store = _store()
    record = store.get(state)
    if record is None:
        raise LaunchRejected("unknown_state", "This launch has expired or was already used.")

    cookie_bound = hmac.compare_digest(request.cookies.get(_state_cookie(state), ""), state)
    secret = request.form.get("storage_secret", "")
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
                key=_state_cookie(state),
                login_url=tool_urls().login_url,
                login=record.login,
            )
        else:
            return render_template("lti/new_window.html", login_url=tool_urls().login_url, login=record.login), 401

    validator = LaunchValidator(
        web.db_session(),
        store,
        _key_cache(),
        leeway=web.settings().clock_leeway,
        tool_origin=registrations.origin(web.settings().base_url),
    )
    validated = validator.validate(id_token, record)
    # Verified: its refusals from here on (not subscribed, unknown toolkit) speak the launch's language.
    i18n.use_launch_language(_locale_claim(validated.body), validated.platform.default_language or "")
    toolkit_id, part, endpoint = _destination(validated)
    # Every check passed: only now are the state taken and the nonce spent, and the launch recorded,
    # all in one transaction (the database store), so a refused launch writes nothing (issue 9, defect 3).
    if store.take(state) is None:
        raise LaunchRejected("unknown_state", "This launch has expired or was already used.")
    validator.consume_nonce(validated)
    recorded = launches.record_launch(web.db_session(), validated, toolkit_id, part)
    current = _current(validated, recorded, toolkit_id, part, cookieless)
    response = _answer(current, endpoint)
    response.delete_cookie(
        _state_cookie(state), path="/lti/", secure=_secure(), samesite="None" if _secure() else "Lax"
    )
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
    return toolkit.id, part, "player.start" if part == "l1" else "player.session"


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
    g.launch_page_url = launch_url_for(endpoint, current)
    page: ResponseReturnValue
    if endpoint == "lti.deep_link":
        page = _picker_page(current)
    elif endpoint == "facilitator.home":
        page = facilitator.home()
    elif endpoint == "player.session":
        page = player.session()
    else:
        page = player.landing(current)
    return make_response(page)


@bp.get("/jwks.json")
def jwks() -> ResponseReturnValue:
    response = jsonify(keys.public_jwks(web.db_session()))
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/canvas.json")
def canvas_json() -> ResponseReturnValue:
    return jsonify(dynamic_registration.canvas_developer_key(tool_urls()))


@bp.route("/deep-link", methods=["GET", "POST"])
def deep_link() -> ResponseReturnValue:
    current = require_launch()
    if request.method == "GET":
        return _picker_page(current)
    platform, toolkits = _picker(current)
    session = web.db_session()
    choices = _choices(request.form, {t.id: t for t in toolkits})
    if not choices:
        raise BadRequest("Choose at least one part of a toolkit.", reason="deep_link_nothing_chosen")
    if current.deep_link.get("accept_multiple") in (False, "false"):
        choices = choices[:1]
    token = deep_linking.response_jwt(
        session,
        client_id=platform.client_id,
        issuer=platform.issuer,
        deployment_id=current.deployment_id,
        settings=current.deep_link,
        choices=choices,
        tool_url=tool_urls().tool_url,
    )
    return render_template("lti/deep_link_return.html", return_url=current.deep_link["deep_link_return_url"], jwt=token)


def _picker(current: CurrentLaunch) -> tuple[Platform, list[Any]]:
    """The facilitator's platform and the toolkits it may add today (from the cached registry)."""
    if current.message_type != claims.DEEP_LINKING_REQUEST or not current.is_facilitator:
        raise Forbidden("This page is for choosing toolkits from your course.", reason="deep_link_no_request")
    platform = registry.platform_by_id(web.db_session(), current.platform_id)
    if platform is None:
        raise NotFound("Your platform's registration was removed.", reason="deep_link_platform_gone")
    deployment = registrations.find_deployment(platform, current.deployment_id)
    catalogue = web.catalogue()
    toolkits = [t for t in catalogue if registry.is_subscribed(platform, deployment, t.id)]
    return platform, toolkits


def _picker_page(current: CurrentLaunch) -> str:
    _platform, toolkits = _picker(current)
    return render_template(
        "lti/deep_link.html",
        toolkits=toolkits,
        launch=current,
        accept_multiple=current.deep_link.get("accept_multiple", True) not in (False, "false"),
    )


def _choices(form: Any, toolkits: dict[str, Any]) -> list[deep_linking.Choice]:
    choices = []
    for value in form.getlist("item"):
        toolkit_id, _, part = value.partition(":")
        toolkit = toolkits.get(toolkit_id)
        if toolkit is None or part not in deep_linking.PARTS:
            continue  # not subscribed (or tampered): never offered, never returned
        due = None
        if part == "l1" and form.get(f"due:{toolkit_id}"):
            try:
                due = date.fromisoformat(form[f"due:{toolkit_id}"])
            except ValueError:
                raise BadRequest("The due date is not a date.", reason="deep_link_bad_due") from None
        choices.append(deep_linking.Choice(toolkit=toolkit, part=part, due=due))
    return choices


# --- Content-Security-Policy: frame-ancestors limited to registered platforms -------------------------


def frame_ancestors(platforms: list[Platform]) -> list[str]:
    """Origins allowed to frame us: each platform's issuer and login origins (see `registry`)."""
    return list(registry.frame_ancestor_origins(platforms))


def invalidate_frame_ancestors(app: Flask) -> None:
    """Kept for callers: every registration change now bumps `registry_version` in its own
    transaction, so every process (this one included) sees it on its next request."""


@bp.after_app_request
def _frame_ancestors(response: Response) -> Response:
    if "frame-ancestors" not in response.headers.get("Content-Security-Policy", ""):
        try:
            # One primary-key read per request (the registry version); the origins come from the
            # process's snapshot, rebuilt only when a registration changed in any process.
            origins = list(registry.frame_ancestors(web.db_session()))
        except Exception:  # the database is down: refuse all framing rather than fail the response
            log.warning("frame-ancestors: platforms unavailable; framing refused")
            web.db_session().rollback()
            origins = []
        extra = g.get("frame_ancestors_extra", "")
        if extra and extra not in origins:
            origins = [*origins, extra]
        directive = "frame-ancestors " + " ".join(["'self'", *origins])
        existing = response.headers.get("Content-Security-Policy", "")
        response.headers["Content-Security-Policy"] = f"{existing}; {directive}" if existing else directive
    return response
