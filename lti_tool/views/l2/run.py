"""Running a session: the control page, the shared screen and the live region both poll."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool import session_hooks, web
from lti_tool.access import facilitator_required
from lti_tool.dates import format_day, format_time
from lti_tool.errors import BadRequest, Forbidden
from lti_tool.i18n import current_language, translated_message
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.models import GroupSession, utcnow
from lti_tool.services import l2 as l2_sessions
from lti_tool.views import doc_links
from lti_tool.views.l2.common import (
    bp,
    commit,
    facilitator_and_toolkit,
    group_of,
    launch_and_toolkit,
    page_context,
    uk_day,
)
from lti_tool.views.l2.forms import AttendanceForm, ControlForm, InviteForm, roles_form
from lti_tool.words import N_
from toolkits.model import GroupFormat, Toolkit

# --- Facilitator: run the session ---------------------------------------------------------------------


def live_context(launch: CurrentLaunch, toolkit: Toolkit, group: GroupSession, view: str) -> dict[str, Any]:
    session = web.db_session()
    state = l2_sessions.live_state(
        session,
        group,
        toolkit,
        for_facilitator=view == "control",
        render=lambda source, body: doc_links.render_body(toolkit, source, body),
    )
    return {
        "group": group,
        "state": state,
        "view": view,
        "agenda": l2_sessions.agenda_for(toolkit, group.format),
        "preset": l2_sessions.PRESETS[GroupFormat(group.format)],
        "role_labels": l2_sessions.ROLE_LABELS,
        "fragment_url": launch_url_for("l2.live_fragment", launch, session_id=group.id, view=view),
        "reflection_open": view == "participant"
        and l2_sessions.reflection_open(session, user_id=launch.user_id, context_id=group.context_id, toolkit=toolkit),
        **page_context(launch, toolkit),
    }


@bp.get("/sessions/<int:session_id>/run")
@facilitator_required
def run(session_id: int) -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    group = group_of(launch, session_id)
    return _run_page(launch, toolkit, group)


def _run_page(
    launch: CurrentLaunch, toolkit: Toolkit, group: GroupSession, status: int = 200, **forms: Any
) -> ResponseReturnValue:
    session = web.db_session()
    context = live_context(launch, toolkit, group, "control")
    people = [(p["user_id"], p["name"]) for p in context["state"]["attendance"]]
    attendance = forms.get("attendance") or AttendanceForm(
        formdata=None, present=[p["user_id"] for p in context["state"]["attendance"] if p["attended"]]
    )
    attendance.present.choices = people
    learners = l2_sessions.course_learners(session, launch.context_id)
    invite = forms.get("invite") or InviteForm(
        formdata=None, participants=[p.user_id for p in l2_sessions.participants(session, group)]
    )
    invite.participants.choices = [
        (person.id, person.name or gettext("Learner %(n)s", n=person.id)) for person in learners
    ]
    roles = forms.get("roles") or roles_form(people, _role_labels())(
        formdata=None,
        **{f"role_{p['user_id']}": p["role"] or l2_sessions.OBSERVER for p in context["state"]["attendance"]},
    )
    html = render_template(
        "l2/run.html",
        attendance_form=attendance,
        invite_form=invite,
        roles_form=roles,
        problem=forms.get("problem"),
        **context,
    )
    return html, status


@bp.get("/sessions/<int:session_id>/screen")
@facilitator_required
def screen(session_id: int) -> ResponseReturnValue:
    """The shared screen: what the whole room sees (never the moderation queue)."""
    launch, toolkit = facilitator_and_toolkit()
    group = group_of(launch, session_id)
    return render_template("l2/screen.html", **live_context(launch, toolkit, group, "screen"))


def _confirm(launch: CurrentLaunch, toolkit: Toolkit, group: GroupSession, action: str) -> ResponseReturnValue | None:
    """The confirm step for closing (always: it cannot be undone) and for starting on another day than
    the one scheduled (issue 10: warn first); None when the action may go ahead."""
    today = uk_day(utcnow())
    other_day = uk_day(group.starts_at) != today
    language = current_language()
    scheduled = f"{format_day(group.starts_at, language=language)}, {format_time(group.starts_at, language=language)}"
    if action == "start" and not other_day:
        return None
    warning = gettext("This session is scheduled for %(when)s, not today.", when=scheduled) if other_day else ""
    if action == "start":
        heading, button = gettext("Start the session today?"), gettext("Yes, start it today")
        body = [gettext("Participants following the session see the first agenda item and its timer straight away.")]
    else:
        heading, button = gettext("Close the session?"), gettext("Yes, close the session")
        body = [
            gettext("Closing makes attendance final: it cannot be changed afterwards."),
            gettext(
                "Everyone marked present can then write their L2 reflection, and the LMS gradebook shows them in "
                "progress."
            ),
        ]
    return render_template(
        "l2/confirm.html",
        heading=heading,
        warning=warning,
        body=body,
        action_url=launch_url_for("l2.control", launch, session_id=group.id),
        button=button,
        safe=action == "start",
        fields={"action": action},
        cancel_url=launch_url_for("l2.run", launch, session_id=group.id),
        **page_context(launch, toolkit),
    )


def _role_labels() -> dict[str, str]:
    """The roles' names in this request's language (services/l2/formats.py marks them N_)."""
    return {role: gettext(label) for role, label in l2_sessions.ROLE_LABELS.items()}


@bp.post("/sessions/<int:session_id>/control")
@facilitator_required
def control(session_id: int) -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    group = group_of(launch, session_id)
    session = web.db_session()
    form = ControlForm()
    if not form.validate_on_submit():
        raise BadRequest(N_("That is not something this page can do."), reason="bad_action")
    action = form.action.data
    if action in ("start", "close") and form.confirmed.data != "yes":
        asked = _confirm(launch, toolkit, group, action)
        if asked is not None:
            return asked
    anchor = ""
    if action == "start":
        l2_sessions.start(session, group, toolkit)
    elif action in ("next", "previous", "agenda"):
        index = {"next": group.agenda_index + 1, "previous": group.agenda_index - 1}.get(action, form.index.data)
        if index is None:
            raise BadRequest(N_("Something was missing from the form."), reason="bad_index")
        l2_sessions.go_to_agenda_item(session, group, toolkit, index)
    elif action == "reveal":
        l2_sessions.reveal_next_stage(session, group, toolkit)
    elif action == "attendance":
        attendance = AttendanceForm()
        attendance.present.choices = [(p.user_id, "") for p in l2_sessions.participants(session, group)]
        if not attendance.validate():
            return _run_page(launch, toolkit, group, 400, attendance=attendance)
        present = set(attendance.present.data or [])
        for person in l2_sessions.participants(session, group):
            if person.attended != (person.user_id in present):
                l2_sessions.set_attendance(session, group, person.user_id, person.user_id in present)
        anchor = "#attendance"
    elif action == "roles":
        people = [(p.user_id, "") for p in l2_sessions.participants(session, group)]
        roles = roles_form(people, _role_labels())()
        if not roles.validate():
            return _run_page(launch, toolkit, group, 400, roles=roles)
        chosen = {user_id: getattr(roles, f"role_{user_id}").data for user_id, _name in people}
        try:
            l2_sessions.assign_roles(session, group, chosen)
        except BadRequest as refused:
            session.rollback()
            return _run_page(launch, toolkit, group, 400, roles=roles, problem=translated_message(refused))
        anchor = "#roles"
    elif action == "participants":
        invite = InviteForm()
        invite.participants.choices = [
            (person.id, "") for person in l2_sessions.course_learners(session, launch.context_id)
        ]
        if not invite.validate():
            return _run_page(launch, toolkit, group, 400, invite=invite)
        l2_sessions.set_participants(session, group, invite.participants.data or [])
        anchor = "#participants"
    elif action in ("approve", "reject"):
        if form.feedback_id.data is None:
            raise BadRequest(N_("Something was missing from the form."), reason="bad_feedback_id")
        l2_sessions.moderate(session, group, form.feedback_id.data, approve=action == "approve")
        anchor = "#approval"
    elif action == "close":
        l2_sessions.close(session, group, toolkit)
        session_hooks.after_close(group)  # e.g. a programme's toolkit L2: attendance flows back to it
    commit()
    return redirect(launch_url_for("l2.run", launch, session_id=group.id) + anchor, code=303)


@bp.get("/sessions/<int:session_id>/live-fragment")
def live_fragment(session_id: int) -> ResponseReturnValue:
    """The live region's HTML, or 204 when the revision the page has is still current."""
    launch, toolkit = launch_and_toolkit()
    group = group_of(launch, session_id)
    view = request.args.get("view", "participant")
    if view in ("control", "screen"):
        if not launch.is_facilitator:
            raise Forbidden(N_("This page is for course facilitators."), reason="not_facilitator")
    else:
        view = "participant"
        require_participant_or_facilitator(launch, group)
    since = request.args.get("since", "")
    if since.isdigit() and int(since) == group.revision:
        return Response(status=204)
    html = render_template("l2/_live.html", **live_context(launch, toolkit, group, view))
    response = Response(html, mimetype="text/html")
    response.headers["X-L2-Revision"] = str(group.revision)
    response.headers["Cache-Control"] = "no-store"
    return response


def require_participant_or_facilitator(launch: CurrentLaunch, group: GroupSession) -> None:
    if not launch.is_facilitator:
        l2_sessions.require_participant(web.db_session(), group, launch.user_id)
