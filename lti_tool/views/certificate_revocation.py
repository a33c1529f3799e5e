"""Withdrawing a certificate from a page: the course lead (a facilitator of the course it was issued in)
or the operator (through the signed operator link). Each is a confirm page with a warning button, a
POST with the CSRF token, recorded with who and when (`Certificate.revoked_by`, `revoked_at`).

After that the public check (`/certificates/<code>`) says "withdrawn" and nothing about whose it was.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select

from lti_tool import web
from lti_tool.access import facilitator_required
from lti_tool.access import operator_from_link as operator_name
from lti_tool.clock import now
from lti_tool.errors import NotFound
from lti_tool.i18n import in_content_language
from lti_tool.lti.session import launch_url_for, require_launch
from lti_tool.models import Certificate, LtiUser
from lti_tool.services.evaluation import certificates
from lti_tool.services.programmes.deep_link import LINK_PART as PROGRAMME_PART
from lti_tool.views.evaluation_forms import FindCertificateForm, RevokeCertificateForm

bp = Blueprint("certificate_revocation", __name__, url_prefix="/certificates")

LEAD = "course lead"


def _scope() -> tuple[str, str | None]:
    """What the launch's lead may withdraw: the launched toolkit's certificates, or from a programme
    placement (part "pg") every programme certificate of the course."""
    launch = require_launch()
    return ("programme", None) if launch.part == PROGRAMME_PART else ("toolkit", launch.toolkit_id)


def _course_certificate(code: str) -> Certificate:
    """A certificate issued in the launched course for the launched toolkit, or a 404 (never another's)."""
    launch = require_launch()
    found = certificates.by_code(web.db_session(), code)
    kind, subject = _scope()
    if (
        found is None
        or found.context_id != launch.context_id
        or found.kind != kind
        or (subject is not None and found.subject_id != subject)
    ):
        raise NotFound("No certificate with this code was issued in this course.", reason="no_certificate")
    return found


@bp.get("/course")
@facilitator_required
def course() -> ResponseReturnValue:
    """The lead's list: every certificate issued in this course for this toolkit, with a withdraw link."""
    launch = require_launch()
    session = web.db_session()
    kind, subject = _scope()
    rows = certificates.in_course(session, context_id=launch.context_id, kind=kind, subject_id=subject)
    ids = [r.user_id for r in rows if r.user_id]
    holders = {u.id: u.name for u in session.scalars(select(LtiUser).where(LtiUser.id.in_(ids)))}
    toolkit = web.catalogue().get(launch.toolkit_id) if subject else None
    return render_template(
        "certificates/course.html",
        rows=[(r, holders.get(r.user_id or 0, "") or gettext("Learner")) for r in rows],
        # The caption: a toolkit's title is English content (lang="en-GB" on a Welsh page); "Programmes" ours.
        toolkit_title=in_content_language(toolkit.title)
        if toolkit
        else (gettext("Programmes") if subject is None else launch.toolkit_id),
        revoke_url=lambda code: launch_url_for("certificate_revocation.course_revoke", launch, code=code),
        withdrawn=request.args.get("withdrawn", ""),
    )


@bp.route("/course/<code>/withdraw", methods=["GET", "POST"])
@facilitator_required
def course_revoke(code: str) -> ResponseReturnValue:
    launch = require_launch()
    certificate = _course_certificate(code)
    form = RevokeCertificateForm()
    if form.validate_on_submit():
        certificates.revoke(web.db_session(), certificate.code, now=now(), by=LEAD, by_user_id=launch.user_id)
        web.db_session().commit()
        return redirect(launch_url_for("certificate_revocation.course", launch, withdrawn=certificate.code), code=303)
    holder = web.db_session().get(LtiUser, certificate.user_id) if certificate.user_id else None
    return render_template(
        "certificates/withdraw.html",
        certificate=certificate,
        holder=(holder.name if holder else "") or "Learner",
        form=form,
        action=launch_url_for("certificate_revocation.course_revoke", launch, code=certificate.code),
        back=launch_url_for("certificate_revocation.course", launch),
    ), 400 if form.errors else 200


@bp.route("/operator", methods=["GET", "POST"])
def operator() -> ResponseReturnValue:
    """The operator types a code, sees the confirm step (the code only: no holder), then withdraws it."""
    who = operator_name()
    token = request.args.get("token", "")
    session = web.db_session()
    find = FindCertificateForm(formdata=request.args if "code" in request.args else None)
    certificate = None
    if find.code.raw_data is not None and find.validate():
        certificate = certificates.by_code(session, find.code.data or "")
        if certificate is None:
            find.code.errors = ["No certificate has this code"]
    form = RevokeCertificateForm()
    if certificate is not None and request.method == "POST" and form.validate_on_submit():
        certificates.revoke(session, certificate.code, now=now(), by=f"operator {who}")
        session.commit()
        return redirect(url_for("certificate_revocation.operator", token=token, withdrawn=certificate.code), code=303)
    return render_template(
        "certificates/operator.html",
        find=find,
        certificate=certificate,
        form=form,
        token=token,
        action=url_for("certificate_revocation.operator", token=token, code=certificate.code if certificate else ""),
        withdrawn=request.args.get("withdrawn", ""),
    ), 400 if find.errors or form.errors else 200
