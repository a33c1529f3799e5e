"""Certificates: the learner gets theirs for a completed toolkit; anyone can check a code.

`/certificates/<code>` is public and says only whether the certificate is genuine, not found, revoked,
or belonged to someone whose record was erased: never a name, a course or a council (issue 12).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool import certificate_files, web
from lti_tool.access import launch_required
from lti_tool.branding import usable_brand_colour
from lti_tool.clock import now
from lti_tool.errors import NotFound
from lti_tool.i18n import _l
from lti_tool.lti.session import launch_url_for, require_launch
from lti_tool.models import LtiUser
from lti_tool.public_urls import certificate_check_url
from lti_tool.services import registry
from lti_tool.services.evaluation import certificate_pdf, certificates
from lti_tool.views.evaluation_forms import IssueCertificateForm, VerifyForm
from toolkits.model import Toolkit

bp = Blueprint("certificates", __name__, url_prefix="/certificates")

VERDICTS = {
    certificates.Verdict.GENUINE: (_l("This certificate is genuine"), _l("It was issued by SWOTT Connect.")),
    certificates.Verdict.NOT_FOUND: (
        _l("No certificate has this code"),
        _l("Check the code against the certificate: it has 16 letters and numbers in groups of 4."),
    ),
    certificates.Verdict.REVOKED: (_l("This certificate has been withdrawn"), _l("It is no longer valid.")),
    certificates.Verdict.ERASED: (
        _l("This certificate is no longer held"),
        _l("It was issued by SWOTT Connect, but the holder's record has since been erased, so it cannot be confirmed."),
    ),
}


def _toolkit() -> Toolkit:
    toolkit = web.catalogue().get(require_launch().toolkit_id)
    if toolkit is None:
        raise NotFound("This toolkit is no longer available.", reason="toolkit_gone")
    return toolkit


@bp.route("/", methods=["GET", "POST"])
@launch_required
def mine() -> ResponseReturnValue:
    """The learner's certificate for the launched toolkit: what is left to do, or get and download it."""
    launch = require_launch()
    toolkit = _toolkit()
    session = web.db_session()
    form = IssueCertificateForm()
    if form.validate_on_submit():
        certificates.issue(session, user_id=launch.user_id, platform_id=launch.platform_id,
                           context_id=launch.context_id, toolkit=toolkit, now=now())  # fmt: skip
        session.commit()
        return redirect(launch_url_for("certificates.mine", launch), code=303)
    held = certificates.find_mine(session, user_id=launch.user_id, context_id=launch.context_id, toolkit_id=toolkit.id)
    done = certificates.completion(session, user_id=launch.user_id, context_id=launch.context_id, toolkit=toolkit)
    platform = registry.platform_by_id(session, launch.platform_id)
    return render_template(
        "certificates/mine.html",
        toolkit=toolkit,
        certificate=held,
        complete=done is not None,
        form=form,
        action=launch_url_for("certificates.mine", launch),
        pdf_url=launch_url_for("certificates.pdf", launch),
        verify_url=certificate_check_url(held.code) if held else "",
        brand_colour=usable_brand_colour(platform.brand_colour if platform else ""),
    )


@bp.get("/certificate.pdf")
@launch_required
def pdf() -> ResponseReturnValue:
    launch = require_launch()
    toolkit = _toolkit()
    session = web.db_session()
    held = certificates.find_mine(session, user_id=launch.user_id, context_id=launch.context_id, toolkit_id=toolkit.id)
    user = session.get(LtiUser, launch.user_id)
    if held is None or user is None or held.revoked_at is not None:
        raise NotFound("You have no certificate for this toolkit yet.", reason="no_certificate",
                       advice="Finish L1 and your L2 reflection, then choose ‘Get your certificate’.")  # fmt: skip
    shared = certificate_files.shared_fields(
        session, platform_id=launch.platform_id, held=held, holder=user.name or "Learner"
    )
    text = certificate_pdf.CertificateText.for_toolkit(toolkit, **shared)
    return certificate_files.download(text, f"certificate-{toolkit.id}.pdf")


@bp.get("/check")
def check() -> ResponseReturnValue:
    """Type a code from a printed certificate; goes to its verification page (a GET: it changes nothing)."""
    form = VerifyForm(formdata=request.args if "code" in request.args else None)
    if form.code.raw_data is not None and form.validate():
        return redirect(url_for("certificates.verify", code=certificates.normalise(form.code.data or "")), code=303)
    return render_template("certificates/check.html", form=form), 400 if form.errors else 200


@bp.get("/<code>")
def verify(code: str) -> ResponseReturnValue:
    verdict = certificates.verify(web.db_session(), code)
    heading, detail = VERDICTS[verdict]
    status = 404 if verdict is certificates.Verdict.NOT_FOUND else 200
    response = render_template(
        "certificates/verify.html", verdict=verdict.value, heading=str(heading), detail=str(detail)
    )
    return response, status, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
