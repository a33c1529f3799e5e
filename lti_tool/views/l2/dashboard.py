"""The facilitator's dashboard: who is ready, who has finished, and the CSV."""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool import web
from lti_tool.access import facilitator_required
from lti_tool.services import dashboard
from lti_tool.views.l2.common import bp, facilitator_and_toolkit, page_context, refresh_roster

# --- Facilitator: dashboard ----------------------------------------------------------------------------


@bp.get("/dashboard")
@facilitator_required
def dashboard_page() -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    roster_state = refresh_roster(launch)
    session = web.db_session()
    board = dashboard.build(session, context_id=launch.context_id, toolkit=toolkit)
    wanted = dashboard.parse_filter(request.args.get("filter"))
    page = board.page(wanted, dashboard.parse_page(request.args.get("page")))
    return render_template(
        "l2/dashboard.html",
        board=board,
        page=page,
        rows=page.rows,
        wanted=wanted,
        filters=list(dashboard.Filter),
        filter_labels=dashboard.FILTER_LABELS,
        l1_labels=dashboard.L1_LABELS,
        shared=board.shared,
        **roster_state,
        **page_context(launch, toolkit),
    )


@bp.get("/dashboard.csv")
@facilitator_required
def dashboard_csv() -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    board = dashboard.build(web.db_session(), context_id=launch.context_id, toolkit=toolkit)
    rows = board.filtered(dashboard.parse_filter(request.args.get("filter")))
    response = Response(dashboard.to_csv(rows, gettext), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{toolkit.id}-progress.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
