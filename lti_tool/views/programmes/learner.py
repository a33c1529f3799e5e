"""A participant's pages: their timeline, a reflection per occurrence, one-to-ones, development plan and
calendar; a coach's or mentor's page of their own participants; the calendar files and feed."""

from __future__ import annotations

from flask import Response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup, escape

from lti_tool import web
from lti_tool.access import launch_required
from lti_tool.errors import Forbidden, NotFound
from lti_tool.i18n import ENGLISH, current_language, in_content_language
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import ProgrammeEvent, ProgrammeParticipant, ProgrammeRun, ReflectionStatus
from lti_tool.services.evaluation import programme_feedback
from lti_tool.services.programmes import calendar, meetings, runs, timeline
from lti_tool.views.programmes.common import bp, commit, now, programme_of, queue_run_scores, the_run, url
from lti_tool.views.programmes.forms import SHORT_FIELDS, ConfirmForm, GoalForm, MeetingForm, ReflectionForm, ReviewForm
from lti_tool.views.reminders import feed_words, follow_up_events, unknown_feed
from lti_tool.words import N_
from toolkits.programmes import Activity, ActivityKind, Programme

ICS = "text/calendar; charset=utf-8"


def _mine(launch: CurrentLaunch, run_id: int) -> tuple[ProgrammeRun, ProgrammeParticipant]:
    run = the_run(launch, run_id)
    participant = runs.participant_for(web.db_session(), run, launch.user_id)
    if participant is None:
        raise NotFound(N_("You are not a participant of this programme."), reason="not_programme_participant")
    return run, participant


def _my_event(
    launch: CurrentLaunch, run_id: int, event_id: int
) -> tuple[ProgrammeRun, ProgrammeParticipant, ProgrammeEvent, Programme | None, Activity | None]:
    """The participant's run, their participant row, the run's event, its programme and the event's activity."""
    run, participant = _mine(launch, run_id)
    event = runs.get_event(web.db_session(), run, event_id)
    programme = programme_of(run)
    activity = programme.activity(event.activity_id) if programme else None
    return run, participant, event, programme, activity


def launch_run(launch: CurrentLaunch) -> ProgrammeRun | None:
    """The run a participant's programme launch opens straight away: the one started from this
    placement, else their only run of the course; None when they have none or must choose (`mine`)."""
    found = runs.runs_of_learner(web.db_session(), user_id=launch.user_id, context_id=launch.context_id)
    own = [r for r in found if launch.resource_link_id is not None and r.resource_link_id == launch.resource_link_id]
    if len(own) == 1:
        return own[0]
    return found[0] if len(found) == 1 else None


@bp.get("/mine")
@launch_required
def mine() -> ResponseReturnValue:
    launch = require_launch()
    found = runs.runs_of_learner(web.db_session(), user_id=launch.user_id, context_id=launch.context_id)
    if len(found) == 1:
        return redirect(launch_url_for("programmes.timeline_page", launch, run_id=found[0].id), code=303)
    return render_template("programmes/mine.html", runs=found, url=url(launch))


@bp.get("/<int:run_id>/timeline")
@launch_required
def timeline_page(run_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run, participant = _mine(launch, run_id)
    programme = programme_of(run)
    session = web.db_session()
    weeks = timeline.build(session, run, participant, programme, now())
    asked = programme_feedback.states(session, run, participant, programme, [i.event for w in weeks for i in w.items])
    due = [i.event for w in weeks for i in w.items if asked.get(i.event.id) is programme_feedback.State.DUE]
    return render_template("programmes/timeline.html", run=run, programme=programme, weeks=weeks, url=url(launch),
                           saved=request.args.get("saved", ""), feedback=asked, feedback_due=due,
                           feedback_said=request.args.get("feedback", ""))  # fmt: skip


@bp.route("/<int:run_id>/events/<int:event_id>/reflection", methods=["GET", "POST"])
@launch_required
def reflection(run_id: int, event_id: int) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    run, participant, event, programme, activity = _my_event(launch, run_id, event_id)
    weeks = timeline.build(session, run, participant, programme, now())
    item = next((i for w in weeks for i in w.items if i.event.id == event.id), None)
    if item is None or not item.reflection_open:
        raise Forbidden(N_("The reflection opens once you have attended."), reason="programme_reflection_not_open",
                        advice=N_("If you were there, ask your programme lead to check the register."))  # fmt: skip
    fields = meetings.form_fields(activity)
    stored = meetings.reflection_for(session, participant, event)
    form = ReflectionForm.for_fields(fields)
    incomplete: list[str] = []
    if request.method == "GET" and stored is not None:
        for fid, value in stored.fields.items():
            if fid in form.field_ids:
                form[fid].data = value
    if (
        request.method == "POST"
        and form.validate_on_submit()
        and (stored is None or stored.status != ReflectionStatus.SUBMITTED)
    ):
        try:
            meetings.save_reflection(
                session, participant, event, activity, form.values(), submit=bool(form.submit.data)
            )
        except meetings.ReflectionIncomplete as error:
            session.rollback()
            incomplete = error.missing
            for fid in incomplete:
                label = form[fid].label.text
                # The label is the toolkit's CPD field (English content): marked lang="en-GB" on a Welsh page.
                field = in_content_language(label[:1].lower() + label[1:])
                form[fid].errors = [Markup(escape(gettext("Write your %(field)s"))) % {"field": field}]
        else:
            commit()
            return redirect(launch_url_for("programmes.timeline_page", launch, run_id=run.id, saved=event.id), code=303)
    status = 400 if (form.errors or incomplete) else 200
    asked = programme_feedback.state(session, run, participant, programme, event)
    return render_template(
        "programmes/reflection.html", run=run, event=event, activity=activity, form=form, stored=stored,
        url=url(launch), peer=bool(activity and activity.peer_reflection), short_fields=SHORT_FIELDS,
        feedback_due=asked is programme_feedback.State.DUE,
    ), status  # fmt: skip


@bp.route("/<int:run_id>/events/<int:event_id>/meeting", methods=["GET", "POST"])
@launch_required
def meeting(run_id: int, event_id: int) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    run, participant, event, _programme, activity = _my_event(launch, run_id, event_id)
    record = meetings.meeting_for(session, participant, event, activity)
    form = MeetingForm(obj=record if request.method == "GET" else None)
    if request.method == "GET":
        form.shared.data = record.notes_shared
    elif form.validate_on_submit():
        meetings.save_meeting(session, record, notes=form.notes.data or "", actions=form.actions.data or "",
                              shared=bool(form.shared.data))  # fmt: skip
        commit()
        return redirect(launch_url_for("programmes.timeline_page", launch, run_id=run.id, saved=event.id), code=303)
    else:
        return render_template("programmes/meeting.html", run=run, event=event, activity=activity, form=form,
                               record=record, url=url(launch)), 400  # fmt: skip
    commit()  # a first visit creates the meeting record, with the actions carried from the last one
    return render_template("programmes/meeting.html", run=run, event=event, activity=activity, form=form,
                           record=record, url=url(launch))  # fmt: skip


@bp.route("/<int:run_id>/plan", methods=["GET", "POST"])
@launch_required
def plan(run_id: int) -> ResponseReturnValue:
    """The individual development plan: goals set at the start, each reviewed at the end."""
    launch = require_launch()
    run, participant = _mine(launch, run_id)
    session = web.db_session()
    form = GoalForm(prefix="goal")
    review = ReviewForm(prefix="review")
    if form.add_goal.data and form.validate_on_submit():
        meetings.add_goal(session, participant, form.text.data or "")
        commit()
        return redirect(launch_url_for("programmes.plan", launch, run_id=run.id), code=303)
    goal_id = request.args.get("goal", type=int)
    if review.save_review.data and goal_id is not None and review.validate_on_submit():
        meetings.review_goal(session, participant, goal_id, review.review.data or "")
        commit()
        return redirect(launch_url_for("programmes.plan", launch, run_id=run.id), code=303)
    status = 400 if (form.errors or review.errors) else 200
    return render_template("programmes/plan.html", run=run, goals=meetings.goals(session, participant), form=form,
                           review=review, url=url(launch)), status  # fmt: skip


@bp.route("/<int:run_id>/calendar", methods=["GET", "POST"])
@launch_required
def calendar_page(run_id: int) -> ResponseReturnValue:
    """The subscription address: shown once when made; a new one stops the old at once."""
    launch = require_launch()
    run, participant = _mine(launch, run_id)
    form = ConfirmForm()
    address = ""
    if request.method == "POST" and form.validate_on_submit():
        token = calendar.reset_feed_token(web.db_session(), participant)
        commit()
        address = web.settings().base_url.rstrip("/") + f"/programmes/feed/{token}.ics"
        if current_language() != ENGLISH:  # the feed has no launch: its address says the language
            address += f"?lang={current_language()}"
    return render_template("programmes/calendar.html", run=run, participant=participant, form=form,
                           address=address, url=url(launch))  # fmt: skip


@bp.get("/<int:run_id>/events/<int:event_id>.ics")
@launch_required
def event_ics(run_id: int, event_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run = the_run(launch, run_id) if launch.is_facilitator else _mine(launch, run_id)[0]
    event = runs.get_event(web.db_session(), run, event_id)
    words = calendar.CalendarWords.translated(gettext)
    response = Response(calendar.event_file(run, event, now(), words), mimetype=ICS)
    response.headers["Content-Disposition"] = f'attachment; filename="programme-{event.id}.ics"'
    return response


@bp.get("/feed/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    """The subscription feed: the secret in the address is the only key (no launch, no cookie)."""
    session = web.db_session()
    participant = calendar.participant_by_token(session, token)
    if participant is None:
        raise unknown_feed()
    words = feed_words()
    extra = follow_up_events(session, participant.user_id, words)
    response = Response(calendar.feed(session, participant, now(), extra=extra, words=words), mimetype=ICS)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/<int:run_id>/supporting", methods=["GET", "POST"])
@launch_required
def supporting(run_id: int) -> ResponseReturnValue:
    """A coach's or mentor's page: their own participants' one-to-ones, and notes only where shared."""
    launch = require_launch()
    run = the_run(launch, run_id)
    session = web.db_session()
    found = meetings.supported_by(session, run.id, launch.user_id)
    form = ConfirmForm()
    held = request.args.get("meeting", type=int)
    if request.method == "POST" and held is not None and form.validate_on_submit():
        pairs = [m for group in found.values() for m in group if m.meeting.id == held]
        if not pairs:
            raise NotFound(N_("That meeting is not one of yours."), reason="not_supporter_meeting")
        meetings.mark_held(session, pairs[0].meeting, pairs[0].event, by_user_id=launch.user_id,
                           is_lead=launch.is_facilitator)  # fmt: skip
        queue_run_scores(run)  # a one-to-one held counts toward the programme's column
        commit()
        return redirect(launch_url_for("programmes.supporting", launch, run_id=run.id), code=303)
    names = {m.participant.id: m.user.name for m in runs.members(session, run)}
    # The development plans of the participants this person coaches (issue 16: "that their coach sees").
    coached = [m.participant for m in runs.members(session, run) if m.participant.coach_id == launch.user_id]
    plans = {p.id: meetings.goals(session, p) for p in coached}
    return render_template("programmes/supporting.html", run=run, found=found, names=names, form=form,
                           url=url(launch), one_to_one=ActivityKind.ONE_TO_ONE.value, plans=plans)  # fmt: skip
