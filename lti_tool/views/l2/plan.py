"""The facilitator's plan: the L1 deadline and scheduling L2 sessions.

The L1 deadline is one date: the due date chosen when the activity was added (deep linking) or set here;
changing it here also changes the L1 line item's end date in the LMS gradebook, in the background after
the request (AGS 2.0 §3.2.7). A form with an error comes back as this page with every field kept; a
session in the past is scheduled only once the facilitator confirms it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool import web
from lti_tool.access import facilitator_required
from lti_tool.dates import time_box_text, to_uk
from lti_tool.i18n import current_language
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.models import utcnow
from lti_tool.services import l2 as l2_sessions
from lti_tool.views.l2.common import bp, commit, facilitator_and_toolkit, page_context, refresh_roster
from lti_tool.views.l2.forms import ConfirmForm, DeadlineForm, ScheduleForm
from toolkits.model import GroupFormat, Toolkit


def _schedule_form(launch: CurrentLaunch, toolkit: Toolkit, form: ScheduleForm | None = None) -> ScheduleForm:
    """The scheduling form with this course's learners and the formats offered (all ticked at first)."""
    learners = l2_sessions.course_learners(web.db_session(), launch.context_id)
    if form is None:
        form = ScheduleForm(
            formdata=None, group_format=toolkit.l2.format.value, participants=[person.id for person in learners]
        )
    form.group_format.choices = [(f.value, gettext(l2_sessions.PRESETS[f].title)) for f in GroupFormat]
    form.participants.choices = [
        (person.id, person.name or gettext("Learner %(n)s", n=person.id)) for person in learners
    ]
    return form


def _deadline_form(deadline: datetime | None) -> DeadlineForm:
    """The deadline form as saved: its UK date and its time written the way the page writes times."""
    form = DeadlineForm(formdata=None)
    if deadline is not None:
        form.deadline_day.data = to_uk(deadline).date()
        form.deadline_time.data = time_box_text(deadline, current_language())
    return form


def _plan_page(
    launch: CurrentLaunch,
    toolkit: Toolkit,
    *,
    deadline_form: DeadlineForm | None = None,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
    **extra: Any,
) -> ResponseReturnValue:
    roster_state = refresh_roster(launch)
    session = web.db_session()
    deadline = l2_sessions.l1_deadline(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    groups = l2_sessions.sessions_for(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    html = render_template(
        "l2/plan.html",
        deadline=deadline,
        deadline_form=deadline_form or _deadline_form(deadline),
        schedule_form=_schedule_form(launch, toolkit, schedule_form),
        groups=groups,
        invited={g.id: len(l2_sessions.participants(session, g)) for g in groups},
        due_date=request.args.get("due_date", ""),
        l2_due_date=request.args.get("l2_due_date", ""),
        scheduled=request.args.get("scheduled", ""),
        **roster_state,
        **extra,
        **page_context(launch, toolkit),
    )
    return html, status


@bp.get("/plan")
@facilitator_required
def plan() -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    return _plan_page(launch, toolkit)


@bp.post("/plan/deadline")
@facilitator_required
def set_deadline() -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    form = DeadlineForm()
    if not form.validate_on_submit():
        return _plan_page(launch, toolkit, deadline_form=form, status=400)
    deadline = form.moment()
    l2_sessions.set_l1_deadline(
        web.db_session(), context_id=launch.context_id, toolkit_id=toolkit.id, deadline=deadline
    )
    commit()
    outcome = _push_due_date(launch, toolkit, "l1", deadline)
    return redirect(launch_url_for("l2.plan", launch, due_date=outcome) + "#l1-deadline", code=303)


@bp.post("/plan/deadline/remove")
@facilitator_required
def remove_deadline() -> ResponseReturnValue:
    """Removing the deadline asks first (a warning button, then "Yes, remove it")."""
    launch, toolkit = facilitator_and_toolkit()
    form = ConfirmForm()
    if not (form.validate_on_submit() and form.is_confirmed):
        return render_template(
            "l2/confirm.html",
            heading=gettext("Remove the L1 deadline?"),
            body=[
                gettext(
                    "Learners will no longer see a deadline, and the dashboard will stop highlighting anyone "
                    "who has not finished L1."
                ),
                gettext("If your LMS lets the tool change due dates, the L1 due date there is removed too."),
            ],
            action_url=launch_url_for("l2.remove_deadline", launch),
            button=gettext("Yes, remove the deadline"),
            fields={},
            cancel_url=launch_url_for("l2.plan", launch),
            **page_context(launch, toolkit),
        )
    l2_sessions.set_l1_deadline(web.db_session(), context_id=launch.context_id, toolkit_id=toolkit.id, deadline=None)
    commit()
    outcome = _push_due_date(launch, toolkit, "l1", None)
    return redirect(launch_url_for("l2.plan", launch, due_date="removed-" + outcome) + "#l1-deadline", code=303)


def _push_due_date(launch: CurrentLaunch, toolkit: Toolkit, part: str, deadline: datetime | None) -> str:
    """After the deadline is safely saved, have the background tell the LMS gradebook the due date too.

    Never inside this request (issue 15): "queued" when a line item will be updated, else "not_offered".
    """
    session = web.db_session()
    if not l2_sessions.due_date_links(session, context_id=launch.context_id, toolkit_id=toolkit.id, part=part):
        return "not_offered"
    task = l2_sessions.due_date_task(
        web.database(),
        web.settings().redis_url,
        context_id=launch.context_id,
        toolkit_id=toolkit.id,
        part=part,
        deadline=deadline,
    )
    # The key names the line items and the date, so each change is sent once and in order.
    web.background().submit(f"due-date:{launch.context_id}:{toolkit.id}:{part}:{deadline}", task)
    return "queued"


@bp.post("/sessions")
@facilitator_required
def create_session() -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    form = _schedule_form(launch, toolkit, ScheduleForm())
    if not form.validate_on_submit():
        return _plan_page(launch, toolkit, schedule_form=form, status=400)
    starts_at = form.moment()
    if starts_at < utcnow() and form.confirmed.data != "yes":
        # Not an error: a session can be recorded after the event. Say so, and keep everything typed.
        return _plan_page(launch, toolkit, schedule_form=form, past_warning=starts_at)
    group = l2_sessions.schedule_session(
        web.db_session(),
        context_id=launch.context_id,
        toolkit=toolkit,
        starts_at=starts_at,
        place=form.place.data or "",
        video_link=form.video_link.data or "",
        group_format=form.group_format.data or "",
        participant_ids=form.participants.data or [],
        title=form.title.data or "",
    )
    commit()
    due = l2_sessions.l2_due(web.db_session(), context_id=launch.context_id, toolkit=toolkit)
    outcome = _push_due_date(launch, toolkit, "l2", due)
    url = launch_url_for("l2.plan", launch, scheduled=group.id, l2_due_date=outcome)
    return redirect(url + f"#session-{group.id}", code=303)
