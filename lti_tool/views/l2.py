"""L2 pages: the facilitator's plan, control page, shared screen and dashboard; the participant's pages.

Thin views over `services.l2_sessions` and `services.dashboard`. Every page belongs to the launch: its
course and toolkit decide what exists, so a session, learner or reflection of another course is
"not found". Facilitator pages need a facilitator launch. Live pages poll `…/live-fragment?since=N`
(`static/l2.js`): the server answers 204 while nothing changed, else the new HTML of the live region,
so there is one renderer (Jinja) and every page also works without JavaScript (reload to update).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from lti_tool import web
from lti_tool.errors import BadRequest, Conflict, Forbidden, NotFound
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import GroupSession, ResourceLink
from lti_tool.services import dashboard, l2_sessions, reflections, roster
from toolkits.cpd import CPD_TYPES, carry_into_record
from toolkits.model import GroupFormat, Toolkit
from toolkits.render import render_inline, render_markdown

bp = Blueprint("l2", __name__, url_prefix="/l2")

# Councils in England schedule in UK time; the database keeps UTC.
LOCAL = ZoneInfo("Europe/London")


@bp.app_template_global("launch_url")
def launch_url(endpoint: str, **values: Any) -> str:
    """`launch_url_for` for templates: a link that keeps the current launch (cookie or `lt` token)."""
    return launch_url_for(endpoint, **values)


def _launch() -> tuple[CurrentLaunch, Toolkit]:
    launch = require_launch()
    toolkit = web.catalogue().get(launch.toolkit_id)
    if toolkit is None:
        raise NotFound("This toolkit is no longer available.", reason="toolkit_gone")
    return launch, toolkit


def _facilitator() -> tuple[CurrentLaunch, Toolkit]:
    launch, toolkit = _launch()
    if not launch.is_facilitator:
        raise Forbidden("This page is for course facilitators.", reason="not_facilitator")
    return launch, toolkit


def _group(launch: CurrentLaunch, session_id: int) -> GroupSession:
    group = l2_sessions.get_session(web.db_session(), session_id, context_id=launch.context_id)
    if group.toolkit_id != launch.toolkit_id:
        raise NotFound("There is no such group session in this course.", reason="unknown_group_session")
    return group


def _commit() -> None:
    """Commit; scores queued in the transaction are sent after it by the outbox's after-commit hook."""
    web.db_session().commit()


def local(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL).strftime("%A %-d %B %Y, %H:%M") if moment else ""


def _parse_local(day: str, clock: str, what: str) -> datetime:
    try:
        parsed = datetime.combine(date.fromisoformat(day.strip()), time.fromisoformat(clock.strip() or "17:00"))
    except ValueError:
        raise BadRequest(f"Give the {what} as a date and a time.", reason="bad_datetime") from None
    return parsed.replace(tzinfo=LOCAL).astimezone(UTC)


def _refresh_roster(launch: CurrentLaunch) -> dict[str, str]:
    """Have the course list brought up to date over NRPS 2.0 in the background (`services.roster`), so
    learners who have never opened the activity can be invited and show as "not started"; the notice
    and the "last updated" line for the page."""
    state = roster.ensure_recent(
        web.database(), launch.context_id, web.background(), redis_url=web.settings().redis_url
    )
    return {"roster_notice": state.notice, "roster_synced": state.synced_text}


def _asset_resolver(toolkit: Toolkit) -> Callable[[str], str]:
    """L2 documents live in `l2/`: their `../assets/...` diagrams are served by the player's asset route."""

    def resolve(href: str) -> str:
        path = posixpath.normpath(posixpath.join("l2", href.partition("#")[0]))
        if path.startswith("assets/"):
            return url_for("l1.asset", toolkit_id=toolkit.id, path=path)
        return href

    return resolve


def _common(launch: CurrentLaunch, toolkit: Toolkit) -> dict[str, Any]:
    return {
        "launch": launch,
        "toolkit": toolkit,
        "url": lambda endpoint, **values: launch_url_for(endpoint, launch, **values),
        "local": local,
        "render_inline": lambda text: Markup(render_inline(text)),
        "render_markdown": lambda text: Markup(render_markdown(text, _asset_resolver(toolkit))),
        "format_titles": {f.value: l2_sessions.PRESETS[f].title for f in GroupFormat},
    }


# --- Facilitator: plan ---------------------------------------------------------------------------------


@bp.get("/plan")
def plan() -> ResponseReturnValue:
    launch, toolkit = _facilitator()
    roster_state = _refresh_roster(launch)
    session = web.db_session()
    deadline = l2_sessions.l1_deadline(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    groups = l2_sessions.sessions_for(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    return render_template(
        "l2/plan.html",
        deadline=deadline,
        deadline_day=deadline.astimezone(LOCAL).date().isoformat() if deadline else "",
        deadline_time=deadline.astimezone(LOCAL).strftime("%H:%M") if deadline else "17:00",
        groups=groups,
        invited={g.id: len(l2_sessions.participants(session, g)) for g in groups},
        learners=l2_sessions.course_learners(session, launch.context_id),
        formats=list(GroupFormat),
        due_date=request.args.get("due_date", ""),
        l2_due_date=request.args.get("l2_due_date", ""),
        **roster_state,
        **_common(launch, toolkit),
    )


@bp.post("/plan/deadline")
def set_deadline() -> ResponseReturnValue:
    launch, toolkit = _facilitator()
    session = web.db_session()
    deadline = (
        None
        if request.form.get("clear")
        else _parse_local(request.form.get("day", ""), request.form.get("time", ""), "deadline")
    )
    l2_sessions.set_l1_deadline(session, context_id=launch.context_id, toolkit_id=toolkit.id, deadline=deadline)
    _commit()
    outcome = _push_due_date(launch, toolkit, "l1", deadline)
    return redirect(launch_url_for("l2.plan", launch, due_date=outcome), code=303)


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
def create_session() -> ResponseReturnValue:
    launch, toolkit = _facilitator()
    starts_at = _parse_local(request.form.get("day", ""), request.form.get("time", ""), "start")
    ids: list[int] = []
    for raw in request.form.getlist("participants"):
        try:
            ids.append(int(raw))
        except ValueError:
            raise BadRequest("Choose participants from the list.", reason="bad_participant") from None
    group = l2_sessions.schedule_session(
        web.db_session(),
        context_id=launch.context_id,
        toolkit=toolkit,
        starts_at=starts_at,
        place=request.form.get("place", ""),
        video_link=request.form.get("video_link", ""),
        group_format=request.form.get("format", ""),
        participant_ids=ids,
        title=request.form.get("title", ""),
    )
    _commit()
    due = l2_sessions.l2_due(web.db_session(), context_id=launch.context_id, toolkit=toolkit)
    outcome = _push_due_date(launch, toolkit, "l2", due)
    url = launch_url_for("l2.plan", launch, scheduled=group.id, l2_due_date=outcome)
    return redirect(url + f"#session-{group.id}", code=303)


# --- Facilitator: run the session ---------------------------------------------------------------------


def _live_context(launch: CurrentLaunch, toolkit: Toolkit, group: GroupSession, view: str) -> dict[str, Any]:
    session = web.db_session()
    state = l2_sessions.live_state(session, group, toolkit, for_facilitator=view == "control")
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
        **_common(launch, toolkit),
    }


@bp.get("/sessions/<int:session_id>/run")
def run(session_id: int) -> ResponseReturnValue:
    launch, toolkit = _facilitator()
    group = _group(launch, session_id)
    session = web.db_session()
    return render_template(
        "l2/run.html",
        learners=l2_sessions.course_learners(session, launch.context_id),
        invited={p.user_id for p in l2_sessions.participants(session, group)},
        **_live_context(launch, toolkit, group, "control"),
    )


@bp.get("/sessions/<int:session_id>/screen")
def screen(session_id: int) -> ResponseReturnValue:
    """The shared screen: what the whole room sees (never the moderation queue)."""
    launch, toolkit = _facilitator()
    group = _group(launch, session_id)
    return render_template("l2/screen.html", **_live_context(launch, toolkit, group, "screen"))


@bp.post("/sessions/<int:session_id>/control")
def control(session_id: int) -> ResponseReturnValue:
    launch, toolkit = _facilitator()
    group = _group(launch, session_id)
    session = web.db_session()
    action = request.form.get("action", "")
    if action == "start":
        l2_sessions.start(session, group, toolkit)
    elif action in ("next", "previous", "agenda"):
        index = {"next": group.agenda_index + 1, "previous": group.agenda_index - 1}.get(action)
        l2_sessions.go_to_agenda_item(session, group, toolkit, index if index is not None else _int("index"))
    elif action == "reveal":
        l2_sessions.reveal_next_stage(session, group, toolkit)
    elif action == "attendance":
        present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        for person in l2_sessions.participants(session, group):
            if person.attended != (person.user_id in present):
                l2_sessions.set_attendance(session, group, person.user_id, person.user_id in present)
    elif action == "roles":
        roles = {
            int(key.removeprefix("role-")): value
            for key, value in request.form.items()
            if key.startswith("role-") and key.removeprefix("role-").isdigit() and value
        }
        l2_sessions.assign_roles(session, group, roles)
    elif action == "participants":
        chosen = [int(v) for v in request.form.getlist("participants") if v.isdigit()]
        l2_sessions.set_participants(session, group, chosen)
    elif action in ("approve", "reject"):
        l2_sessions.moderate(session, group, _int("feedback_id"), approve=action == "approve")
    elif action == "close":
        l2_sessions.close(session, group, toolkit)
    else:
        raise BadRequest("That is not something this page can do.", reason="bad_action")
    _commit()
    return redirect(launch_url_for("l2.run", launch, session_id=group.id), code=303)


def _int(name: str) -> int:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        raise BadRequest("Something was missing from the form.", reason=f"bad_{name}") from None


@bp.get("/sessions/<int:session_id>/live-fragment")
def live_fragment(session_id: int) -> ResponseReturnValue:
    """The live region's HTML, or 204 when the revision the page has is still current."""
    launch, toolkit = _launch()
    group = _group(launch, session_id)
    view = request.args.get("view", "participant")
    if view in ("control", "screen"):
        if not launch.is_facilitator:
            raise Forbidden("This page is for course facilitators.", reason="not_facilitator")
    else:
        view = "participant"
        _require_participant_or_facilitator(launch, group)
    since = request.args.get("since", "")
    if since.isdigit() and int(since) == group.revision:
        return Response(status=204)
    html = render_template("l2/_live.html", **_live_context(launch, toolkit, group, view))
    response = Response(html, mimetype="text/html")
    response.headers["X-L2-Revision"] = str(group.revision)
    response.headers["Cache-Control"] = "no-store"
    return response


def _require_participant_or_facilitator(launch: CurrentLaunch, group: GroupSession) -> None:
    if not launch.is_facilitator:
        l2_sessions.require_participant(web.db_session(), group, launch.user_id)


# --- Facilitator: dashboard ----------------------------------------------------------------------------


@bp.get("/dashboard")
def dashboard_page() -> ResponseReturnValue:
    launch, toolkit = _facilitator()
    roster_state = _refresh_roster(launch)
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
        **_common(launch, toolkit),
    )


@bp.get("/dashboard.csv")
def dashboard_csv() -> ResponseReturnValue:
    launch, toolkit = _facilitator()
    board = dashboard.build(web.db_session(), context_id=launch.context_id, toolkit=toolkit)
    rows = board.filtered(dashboard.parse_filter(request.args.get("filter")))
    response = Response(dashboard.to_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{toolkit.id}-progress.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Participants ----------------------------------------------------------------------------------------


@bp.get("/")
def home() -> ResponseReturnValue:
    """A learner's L2: their sessions, the live page while one runs, then the reflection."""
    launch, toolkit = _launch()
    if launch.is_facilitator:
        return redirect(launch_url_for("l2.plan", launch), code=303)
    session = web.db_session()
    groups = l2_sessions.upcoming_for_learner(
        session, user_id=launch.user_id, context_id=launch.context_id, toolkit_id=toolkit.id
    )
    # "attended" here means the reflection is open: attending and the session at its reflections item.
    attended = l2_sessions.reflection_open(
        session, user_id=launch.user_id, context_id=launch.context_id, toolkit=toolkit
    )
    link = l2_sessions.l2_link(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    reflection = (
        reflections.find_reflection(session, user_id=launch.user_id, resource_link_id=link.id) if link else None
    )
    return render_template(
        "l2/home.html", groups=groups, attended=attended, reflection=reflection, **_common(launch, toolkit)
    )


@bp.get("/sessions/<int:session_id>/live")
def live(session_id: int) -> ResponseReturnValue:
    launch, toolkit = _launch()
    group = _group(launch, session_id)
    _require_participant_or_facilitator(launch, group)
    session = web.db_session()
    colleagues = {uid: name for uid, name in l2_sessions.names(session, group).items() if uid != launch.user_id}
    return render_template(
        "l2/live.html",
        colleagues=colleagues,
        sent=request.args.get("sent", ""),
        **_live_context(launch, toolkit, group, "participant"),
    )


@bp.post("/sessions/<int:session_id>/feedback")
def give_feedback(session_id: int) -> ResponseReturnValue:
    launch, _toolkit = _launch()
    group = _group(launch, session_id)
    recipient = request.form.get("recipient", "")
    l2_sessions.give_feedback(
        web.db_session(),
        group,
        author_id=launch.user_id,
        kind=request.form.get("kind", ""),
        text=request.form.get("text", ""),
        recipient_id=int(recipient) if recipient.isdigit() else None,
        anonymous=bool(request.form.get("anonymous")),
        prompt=request.form.get("prompt", ""),
    )
    _commit()
    return redirect(launch_url_for("l2.live", launch, session_id=group.id, sent="1") + "#give-feedback", code=303)


# --- The L2 reflection ----------------------------------------------------------------------------------


def _l2_link(launch: CurrentLaunch, toolkit: Toolkit) -> ResourceLink:
    session = web.db_session()
    if launch.resource_link_id is not None and launch.part == "l2":
        link = session.get(ResourceLink, launch.resource_link_id)
        if link is not None:
            return link
    found = l2_sessions.l2_link(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    if found is None:
        raise NotFound(
            "This course has no L2 activity for this toolkit yet.",
            reason="no_l2_link",
            advice="Ask your facilitator to add the L2 group session to the course.",
        )
    return found


@bp.get("/reflection")
def reflection() -> ResponseReturnValue:
    launch, toolkit = _launch()
    link = _l2_link(launch, toolkit)
    session = web.db_session()
    stored = reflections.find_reflection(session, user_id=launch.user_id, resource_link_id=link.id)
    if stored is None:
        if not l2_sessions.reflection_open(
            session, user_id=launch.user_id, context_id=link.context_id, toolkit=toolkit
        ):
            raise Forbidden(
                l2_sessions.REFLECTION_NOT_OPEN,
                reason="l2_not_attended",
                advice="If you were there, ask your facilitator to check the attendance list.",
            )
        offered = l2_sessions.feedforward_for(
            session, user_id=launch.user_id, context_id=link.context_id, toolkit_id=toolkit.id
        )
        return render_template("l2/keep.html", offered=offered, **_common(launch, toolkit))
    kept = l2_sessions.kept_feedforward(
        session, stored, user_id=launch.user_id, context_id=link.context_id, toolkit_id=toolkit.id
    )
    return _reflection_page(launch, toolkit, stored.fields, stored.version, stored=stored, kept=kept)


def _reflection_page(
    launch: CurrentLaunch, toolkit: Toolkit, values: dict[str, str], version: int, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    template = toolkit.l2.reflection
    html = render_template(
        "l2/reflection.html",
        template=template,
        guidance=Markup(render_markdown(template.guidance)),
        fields=l2_sessions.reflection_form_fields(toolkit),
        values=values,
        version=version,
        cpd_types=CPD_TYPES,
        warnings=reflections.identifying_details(values),
        **extra,
        **_common(launch, toolkit),
    )
    return html, status


@bp.post("/reflection/start")
def start_reflection() -> ResponseReturnValue:
    launch, toolkit = _launch()
    link = _l2_link(launch, toolkit)
    keep = [int(v) for v in request.form.getlist("keep") if v.isdigit()]
    l2_sessions.start_reflection(web.db_session(), user_id=launch.user_id, link=link, toolkit=toolkit, keep_ids=keep)
    _commit()
    return redirect(launch_url_for("l2.reflection", launch), code=303)


@bp.post("/reflection")
def save_reflection() -> ResponseReturnValue:
    launch, toolkit = _launch()
    link = _l2_link(launch, toolkit)
    session = web.db_session()
    values = {f.id: request.form.get(f.id, "") for f in l2_sessions.reflection_form_fields(toolkit)}
    version = int(request.form.get("version", "0")) if request.form.get("version", "").isdigit() else -1
    carry = request.form.get("action") == "carry"
    if carry:
        # One form, not two: the stages already written fill the empty record boxes, to be edited.
        values = carry_into_record(toolkit.l2.reflection.model, values)
    try:
        if request.form.get("action") == "submit":
            l2_sessions.submit_reflection(
                session, user_id=launch.user_id, link=link, toolkit=toolkit, values=values, version=version
            )
        else:
            l2_sessions.save_reflection(
                session, user_id=launch.user_id, link=link, toolkit=toolkit, values=values, version=version
            )
    except Conflict as conflict:
        session.rollback()
        return _reflection_page(launch, toolkit, values, version, 409, conflict=conflict)
    except reflections.ReflectionIncomplete as incomplete:
        session.rollback()
        return _reflection_page(launch, toolkit, values, version, 400, incomplete=incomplete)
    _commit()
    if request.form.get("action") == "submit":  # issue 12: the after questions and session feedback
        return redirect(launch_url_for("evaluation.after_l2", launch, submitted="1"), code=303)
    return redirect(launch_url_for("l2.reflection", launch, saved="1") + ("#record" if carry else ""), code=303)
