"""LTI Dynamic Registration 1.0, the tool's pages: `/lti/register` and an operator's one-time
`/lti/register/<invite>` (ARCHITECTURE.md "Public interfaces"; the protocol is `lti.dynamic_registration`,
what a registration becomes is `services.dynamic_registrations`), and `/lti/canvas.json`, Canvas's
manual equivalent.

The platform opens the URL in its own frame with `openid_configuration` and `registration_token`
(DR 1.0 §3.3). GET shows the LMS administrator what their platform will receive (the approval page);
their "Register" posts the same values back, and the registration happens then: active through an
invite, otherwise pending until an operator approves it.
"""

from __future__ import annotations

import logging

from flask import g, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import csrf, web
from lti_tool.errors import BadRequest
from lti_tool.lti import dynamic_registration
from lti_tool.lti.platforms import RegistrationError, origin
from lti_tool.services import dynamic_registrations, registrations
from lti_tool.views.lti.common import bp, tool_urls
from lti_tool.views.registration_forms import RegistrationForm
from lti_tool.words import N_

log = logging.getLogger(__name__)

SCOPE_NAMES = {  # shown translated by lti/register.html
    "https://purl.imsglobal.org/spec/lti-ags/scope/score": N_("Send scores and completion to your gradebook"),
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem": N_("Create and update its own gradebook columns"),
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly": N_("Read back the scores it sent"),
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly": (
        N_("Read a course’s member list (names, emails, roles) for facilitators")
    ),
}


@bp.route("/register", methods=["GET", "POST"])
@bp.route("/register/<invite>", methods=["GET", "POST"])
@csrf.exempt
def register(invite: str = "") -> ResponseReturnValue:
    """LTI Dynamic Registration: an approval page (GET), then the registration itself (POST).

    CSRF-exempt: the platform shows this page in its own frame, where browsers may keep no cookie of
    ours; and the request carries no authority of the browser's — the platform's registration token and
    the invite in the URL are the proof, and a forged post could only do what their holder can.
    """
    form = RegistrationForm() if request.method == "POST" else RegistrationForm(data=_registration_args())
    config_url = form.openid_configuration.data or ""
    # The platform shows this page in its own frame before it is registered: let that origin frame it,
    # or the browser would hide the page and the close message below would never reach the platform.
    g.frame_ancestors_extra = origin(config_url)
    if not config_url:
        raise BadRequest(
            N_("This address is for LTI Dynamic Registration: paste it into your LMS's tool registration page."),
            reason="registration_missing_configuration",
        )
    if not form.validate():
        raise BadRequest(N_("The registration request is not complete."), reason="registration_bad_form")
    session = web.db_session()
    settings = web.settings()
    token = form.registration_token.data or ""
    try:
        usable = registrations.usable_invite(session, invite) if invite else None
        if request.method == "GET":
            preview = dynamic_registration.preview(config_url, token, tool_urls(), settings.production)
            return render_template(
                "lti/register.html",
                form=form,
                preview=preview,
                tool=preview.metadata[dynamic_registration.TOOL_CONFIGURATION],
                scope_names=SCOPE_NAMES,
                existing=registrations.platforms_for_issuer(session, preview.issuer),
                invited=usable is not None,
                invite_label=usable.label if usable else "",
                action=request.path,
            )
        result = dynamic_registrations.register(session, config_url, token, tool_urls(), settings.production, usable)
    except RegistrationError as error:
        log.info("dynamic registration refused: %s", error)
        raise BadRequest(
            f"The registration did not complete: {error}.",
            reason="registration_failed",
            advice=N_("Check the platform's address and try again, or register the tool manually."),
        ) from None
    return render_template("lti/registered.html", platform=result.platform, deployment_id=result.deployment_id)


def _registration_args() -> dict[str, str]:
    return {
        "openid_configuration": request.args.get("openid_configuration", ""),
        "registration_token": request.args.get("registration_token", ""),
    }


@bp.get("/canvas.json")
def canvas_json() -> ResponseReturnValue:
    return jsonify(dynamic_registration.canvas_developer_key(tool_urls()))
