"""The SSSC employer's verification page: a learner's CPL against the core learning elements, signed off.

`/verify-cpl/<secret>` needs no LMS account: the secret in the address is the whole permission (made and
withdrawn by the learner in their portfolio, `services.portfolio.verification`). It shows only that
learner's records of the current declaration year, never a reflection's text or anyone else's data;
an unknown or withdrawn link is "not found". The sign-off form carries the session-bound CSRF token
(`lti_tool.csrf`). Responses are never cached or indexed, and send no referrer (the secret is in the URL).
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.models import LtiUser, utcnow
from lti_tool.services import portfolio, regulators
from lti_tool.services.portfolio import profile, verification
from lti_tool.services.regulators.sssc import ScottishSocialServicesCouncil
from lti_tool.views.portfolio_forms import CplSignOffForm

bp = Blueprint("cpl_verification", __name__, url_prefix="/verify-cpl")

PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


def _sssc() -> ScottishSocialServicesCouncil:
    regulator = regulators.get("sssc")
    assert isinstance(regulator, ScottishSocialServicesCouncil)
    return regulator


@bp.route("/<token>", methods=["GET", "POST"])
def page(token: str) -> ResponseReturnValue:
    session = web.db_session()
    row = verification.by_token(session, token)
    form = CplSignOffForm()
    if row.signed_at is None and form.validate_on_submit() and form.verified_on.data is not None:
        verification.sign(session, token=token, name=form.name.data or "", role=form.role.data or "",
                          verified_on=form.verified_on.data)  # fmt: skip
        session.commit()
        return redirect(url_for("cpl_verification.page", token=token, done=1), code=303)
    regulator = _sssc()
    _, registrant = profile.regulator_for(session, user_id=row.user_id)
    records = portfolio.all_records(session, user_id=row.user_id, catalogue=web.catalogue())
    view = portfolio.overview(regulator, records, utcnow().date(), registrant)
    titles = {e.id: e.title for e in regulator.elements}
    coverage = [(titles[eid], [r.title for r in found]) for eid, found in regulator.coverage(view.current).items()]
    learner = session.get(LtiUser, row.user_id)
    body = render_template(
        "portfolio/verify_cpl.html",
        form=form,
        row=row,
        view=view,
        element_names=lambda record: "; ".join(titles.get(e, e) for e in sorted(record.elements)),
        coverage=coverage,
        learner_name=(learner.name if learner else "") or "",
        done=request.args.get("done") == "1",
        action=url_for("cpl_verification.page", token=token),
    )
    return Response(body, status=400 if form.errors else 200, headers=PRIVATE_HEADERS)
