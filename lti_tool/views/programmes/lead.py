"""The programme lead's pages: start a run, set its dates, pair coaches, take registers, see the cohort."""

from __future__ import annotations

from datetime import date

from flask import Response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session

from lti_tool import web
from lti_tool.access import facilitator_required
from lti_tool.dates import time_box_text, to_uk
from lti_tool.errors import NotFound
from lti_tool.i18n import current_language
from lti_tool.lti.roles import Role
from lti_tool.lti.session import launch_url_for, require_launch
from lti_tool.models import Attempt, EventStatus, GroupSession, ProgrammeEvent, ProgrammeRun, ResourceLink
from lti_tool.services.evaluation import programme_feedback
from lti_tool.services.programmes import cohort, group_sessions, meetings, runs, templates, timeline
from lti_tool.services.programmes import deep_link as programme_links
from lti_tool.views.programmes.common import bp, commit, now, programme_of, queue_run_scores, the_run, url
from lti_tool.views.programmes.forms import (
    AttendanceForm,
    ConfirmForm,
    EventForm,
    PairingsForm,
    StartDateForm,
    StartRunForm,
)
from lti_tool.words import N_
from toolkits.programmes import ActivityKind, SessionType

ROLE_CHOICES = [("presenter", N_("Presenter")), ("consultant", N_("Consultant")), ("facilitator", N_("Facilitator"))]
"""An action learning set's roles; the form translates the names (`N_`: marked here, shown translated)."""


def _day(value: date | None) -> date:
    assert value is not None  # the form validated it (InputRequired)
    return value


def _start_form(fresh: bool = False) -> StartRunForm:
    launch = require_launch()
    form = StartRunForm(formdata=None) if fresh else StartRunForm()
    form.template.choices = [(p.id, p.title) for p in templates.available(web.catalogue()).values()]
    people = runs.course_people(web.db_session(), launch.context_id, Role.LEARNER)
    form.participants.choices = [(u.id, u.name or gettext("Learner %(n)s", n=u.id)) for u in people]
    return form


@bp.route("/", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    """The lead's list of this course's programmes and the form to start one; participants go to theirs."""
    launch = require_launch()
    if not launch.is_facilitator:
        return redirect(launch_url_for("programmes.mine", launch), code=303)
    form = _start_form()
    session = web.db_session()
    if form.validate_on_submit():
        programme = templates.get(web.catalogue(), form.template.data)
        assert programme is not None  # the radio offers only available templates
        own_link = launch.resource_link_id if programme_links.is_programme_launch(launch.part) else None
        run = runs.create_run(
            session, context_id=launch.context_id, programme=programme, cohort_name=form.cohort_name.data or "",
            starts_on=_day(form.starts_on.data), participant_ids=form.participants.data or [], nation=form.nation.data,
            resource_link_id=own_link,
        )  # fmt: skip
        commit()
        return redirect(launch_url_for("programmes.run_page", launch, run_id=run.id, started=1), code=303)
    return _index_page(form)


def landing() -> ResponseReturnValue:
    """The lead's page as a programme placement's launch answers it (the launch POST is not this form)."""
    return _index_page(_start_form(fresh=True))


def _index_page(form: StartRunForm) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    status = 400 if form.errors else 200
    return render_template(
        "programmes/index.html", form=form, runs=runs.runs_for(session, launch.context_id),
        programmes=templates.available(web.catalogue()), url=url(launch),
    ), status  # fmt: skip


def _run_page(run: ProgrammeRun, start_form: StartDateForm | None = None, status: int = 200) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    found = runs.events(session, run)
    programme = programme_of(run)
    view = cohort.build_many(session, [run], now(), {run.id: templates.toolkit_of(programme)})[0]
    form = start_form or StartDateForm(data={"starts_on": run.starts_on})
    by_week: dict[int, list[ProgrammeEvent]] = {}
    for event in found:
        by_week.setdefault(timeline.week_of(event, programme, run), []).append(event)
    titles = {w.number: w.title for w in programme.weeks} if programme else {}
    return render_template(
        "programmes/run.html", run=run, programme=programme, events=found, weeks=sorted(by_week.items()),
        week_titles=titles,
        warnings=runs.holiday_warnings(run, found), view=view, start_form=form, url=url(launch),
        moved=request.args.get("moved", ""), started=request.args.get("started", ""),
        saved=request.args.get("saved", ""),
    ), status  # fmt: skip


@bp.get("/<int:run_id>")
@facilitator_required
def run_page(run_id: int) -> ResponseReturnValue:
    return _run_page(the_run(require_launch(), run_id))


@bp.post("/<int:run_id>/start")
@facilitator_required
def change_start(run_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run = the_run(launch, run_id)
    form = StartDateForm()
    programme = programme_of(run)
    if not form.validate_on_submit() or programme is None:
        return _run_page(run, form, 400)
    moved = runs.change_start(web.db_session(), run, programme, _day(form.starts_on.data))
    commit()
    return redirect(launch_url_for("programmes.run_page", launch, run_id=run.id, moved=moved), code=303)


def _event_page(run: ProgrammeRun, event_id: int, form: EventForm | None = None,
                register: AttendanceForm | None = None, status: int = 200) -> ResponseReturnValue:  # fmt: skip
    launch = require_launch()
    session = web.db_session()
    event = runs.get_event(session, run, event_id)
    programme = programme_of(run)
    activity = programme.activity(event.activity_id) if programme else None
    members = runs.members(session, run)
    is_set = activity is not None and activity.session is SessionType.ACTION_LEARNING_SET
    if form is None:
        form = EventForm(data={"day": to_uk(event.starts_at).date(), "place": event.place,
                               "start_time": time_box_text(event.starts_at, current_language()),
                               "video_link": event.video_link})  # fmt: skip
    if register is None:
        register = _register_form(run, event.id, [m.participant.id for m in members], is_set, prefill=True)
    register.present.choices = [
        (m.participant.id, m.user.name or gettext("Learner %(n)s", n=m.user.id)) for m in members
    ]
    return render_template(
        "programmes/event.html", run=run, event=event, activity=activity, form=form, register=register,
        members=members, is_set=is_set, role_choices=ROLE_CHOICES, url=url(launch),
        l2_activity=group_sessions.toolkit_l2(programme, event), group=group_sessions.group_of(session, event),
        holiday=runs.holiday_warnings(run, [event]).get(event.id, ""),
        takes_register=event.kind in (ActivityKind.GROUP_SESSION.value, ActivityKind.DISCOVERY_DAY.value),
        asks_feedback=programme_feedback.asks_feedback(programme, event),
    ), status  # fmt: skip


def _register_form(run: ProgrammeRun, event_id: int, ids: list[int], is_set: bool, prefill: bool) -> AttendanceForm:
    form = AttendanceForm.for_members(ids, is_set, ROLE_CHOICES)
    if prefill and request.method == "GET":
        session = web.db_session()
        event = runs.get_event(session, run, event_id)
        view = cohort.build_many(session, [run], now(), {})[0]
        index = next((i for i, c in enumerate(view.columns) if c.event_id == event.id), None)
        if index is not None:
            form.present.data = [r.participant_id for r in view.rows if r.cells[index].attended]
            if is_set:
                sets = [e for e in runs.events(session, run) if e.activity_id == event.activity_id]
                suggested = meetings.rotate_roles(ids, next(i for i, e in enumerate(sets) if e.id == event.id))
                for row in view.rows:
                    form[f"role-{row.participant_id}"].data = row.cells[index].role or suggested.get(
                        row.participant_id, ""
                    )
    return form


@bp.route("/<int:run_id>/events/<int:event_id>", methods=["GET", "POST"])
@facilitator_required
def event_page(run_id: int, event_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run = the_run(launch, run_id)
    if request.method == "GET":
        return _event_page(run, event_id)
    form = EventForm()
    session = web.db_session()
    event = runs.get_event(session, run, event_id)
    if form.cancel_event.data:
        runs.cancel_event(session, event)
        commit()
        return redirect(launch_url_for("programmes.run_page", launch, run_id=run.id, saved=event.id), code=303)
    if not form.validate_on_submit():
        return _event_page(run, event_id, form=form, status=400)
    runs.move_event(session, event, day=_day(form.day.data), at=form.at, place=form.place.data or "",
                    video_link=form.video_link.data or "")  # fmt: skip
    commit()
    return redirect(launch_url_for("programmes.run_page", launch, run_id=run.id, saved=event.id)
                    + f"#event-{event.id}", code=303)  # fmt: skip


@bp.post("/<int:run_id>/events/<int:event_id>/register")
@facilitator_required
def register(run_id: int, event_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run = the_run(launch, run_id)
    session = web.db_session()
    event = runs.get_event(session, run, event_id)
    members = runs.members(session, run)
    ids = [m.participant.id for m in members]
    programme = programme_of(run)
    activity = programme.activity(event.activity_id) if programme else None
    is_set = activity is not None and activity.session is SessionType.ACTION_LEARNING_SET
    form = _register_form(run, event.id, ids, is_set, prefill=False)
    form.present.choices = [(m.participant.id, m.user.name) for m in members]
    if not form.validate_on_submit() or event.status == EventStatus.CANCELLED:
        return _event_page(run, event_id, register=form, status=400)
    cohort.record_attendance(session, event, ids, set(form.present.data or []), form.roles())
    _queue_scores(run)
    commit()
    return redirect(launch_url_for("programmes.cohort_page", launch, run_id=run.id, recorded=event.id), code=303)


@bp.post("/<int:run_id>/events/<int:event_id>/l2")
@facilitator_required
def open_l2(run_id: int, event_id: int) -> ResponseReturnValue:
    """Schedule the toolkit L2 session of this occurrence and go to its L2 control page."""
    launch = require_launch()
    run = the_run(launch, run_id)
    session = web.db_session()
    event = runs.get_event(session, run, event_id)
    activity = group_sessions.toolkit_l2(programme_of(run), event)
    toolkit = web.catalogue().get(activity.toolkit) if activity and activity.toolkit else None
    if toolkit is None or event.status == EventStatus.CANCELLED.value:
        raise NotFound(N_("This date is not a toolkit's L2 session."), reason="programme_event_not_l2")
    group_sessions.open_session(session, run, event, toolkit)
    commit()
    return redirect(launch_url_for("programmes.l2_session", launch, run_id=run.id, event_id=event.id), code=303)


def after_l2_close(group: GroupSession) -> None:
    """A closed L2 session's attendance reaches the programmes it ran, and their gradebook columns."""
    for run in group_sessions.after_close(web.db_session(), group):
        _queue_scores(run)


def after_l1_completed(session: Session, attempt: Attempt) -> None:
    """A learner has just completed a toolkit's L1: in each programme of this course they take part in
    whose template has that L1, their programme line (and the L1's own column) is queued in the same
    transaction, so the gradebook moves without the lead pressing "Send programme scores"."""
    link = session.get(ResourceLink, attempt.resource_link_id)  # the player's own link: no query
    if link is None:
        return
    for run in runs.runs_of_learner(session, user_id=attempt.user_id, context_id=link.context_id):
        programme = programme_of(run)
        if programme is not None and any(
            a.kind is ActivityKind.TOOLKIT_L1 and a.toolkit == attempt.toolkit_id for a in programme.activities
        ):
            queue_run_scores(run, [attempt.user_id])


def _queue_scores(run: ProgrammeRun) -> int:
    return queue_run_scores(run)


@bp.route("/<int:run_id>/pairings", methods=["GET", "POST"])
@facilitator_required
def pairings(run_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run = the_run(launch, run_id)
    session = web.db_session()
    members = runs.members(session, run)
    people = [(u.id, u.name or gettext("Member %(n)s", n=u.id)) for u in runs.course_people(session, run.context_id)]
    form = PairingsForm.for_members([m.participant.id for m in members], people)
    if request.method == "GET":
        for m in members:
            form[f"coach-{m.participant.id}"].data = m.participant.coach_id or 0
            form[f"mentor-{m.participant.id}"].data = m.participant.mentor_id or 0
            form[f"hours-{m.participant.id}"].data = m.participant.protected_hours
    elif form.validate_on_submit():
        runs.set_pairings(session, run, form.pairings())
        commit()
        return redirect(launch_url_for("programmes.cohort_page", launch, run_id=run.id, paired=1), code=303)
    return render_template("programmes/pairings.html", run=run, members=members, form=form, url=url(launch)), (
        400 if form.errors else 200
    )


@bp.get("/<int:run_id>/cohort")
@facilitator_required
def cohort_page(run_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run = the_run(launch, run_id)
    view = cohort.build_many(web.db_session(), [run], now(), {run.id: templates.toolkit_of(programme_of(run))})[0]
    return render_template(
        "programmes/cohort.html", run=run, view=view, labels=cohort.STATUS_LABELS, url=url(launch),
        form=ConfirmForm(), recorded=request.args.get("recorded", ""), paired=request.args.get("paired", ""),
        sent=request.args.get("sent", ""),
    )  # fmt: skip


@bp.get("/<int:run_id>/cohort.csv")
@facilitator_required
def cohort_csv(run_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run = the_run(launch, run_id)
    view = cohort.build_many(web.db_session(), [run], now(), {run.id: templates.toolkit_of(programme_of(run))})[0]
    response = Response(cohort.to_csv([view], gettext), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="programme-{run.id}-cohort.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:run_id>/gradebook")
@facilitator_required
def send_scores(run_id: int) -> ResponseReturnValue:
    """Queue every participant's programme score (after L1s completed since the last register)."""
    launch = require_launch()
    run = the_run(launch, run_id)
    queued = _queue_scores(run)
    commit()
    return redirect(launch_url_for("programmes.cohort_page", launch, run_id=run.id, sent=queued), code=303)
