"""The follow-up in the learner's calendar: their own feed outside a programme, and a participant's feed."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar

from lti_tool.models import ProgrammeParticipant
from lti_tool.services.evaluation import followups
from lti_tool.services.programmes import calendar as programme_calendar
from tests.lti_tool.evaluation.support import T0, submit_l2
from tests.lti_tool.evaluation.test_views import World, _text
from tests.lti_tool.evaluation.test_views import world as world  # the fixture
from tests.lti_tool.l2_factories import csrf_from, toolkit
from tests.lti_tool.programme_factories import make_cohort


def _events(body: bytes) -> list[dict[str, str]]:
    cal = Calendar.from_ical(body)
    return [
        {"uid": str(e["uid"]), "summary": str(e["summary"]), "day": e.decoded("dtstart").isoformat(),
         "sequence": str(e.get("sequence", 0))}
        for e in cal.walk("VEVENT")
    ]  # fmt: skip


def _address(page: str) -> str:
    found = re.search(r'id="feed-address"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="feed-address"', page)
    assert found is not None, "the page shows the new address once"
    return found.group(1) or found.group(2)


def test_a_learner_outside_a_programme_subscribes_and_sees_their_follow_up(world: World) -> None:
    days = world.app.extensions["swott.settings"].follow_up_days
    with world.session() as session:
        submit_l2(session, world.course, world.course.learners[0], when=T0)
        submit_l2(session, world.course, world.course.learners[1], when=T0 + timedelta(days=3))
        session.commit()
    world.app.extensions["swott.clock"] = lambda: T0 + timedelta(days=1)
    client = world.client(0, part="l2")
    assert "Add your follow-up dates to your calendar" in _text(client.get("/l2/"))
    page = _text(client.get("/calendar/"))
    assert "Follow-ups to come: 1." in page and 'id="feed-address"' not in page
    done = client.post("/calendar/", data={"csrf_token": csrf_from(client, "/calendar/")})
    address = _address(_text(done))
    path = address.split("://", 1)[1].split("/", 1)[1]
    public = world.app.test_client()
    feed = public.get(f"/{path}")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.headers["Cache-Control"] == "private, no-store"
    events = _events(feed.data)
    # Only this learner's own follow-up (not the other learner's, three days later).
    assert len(events) == 1
    assert events[0]["day"] == (T0 + timedelta(days=days)).date().isoformat()
    assert toolkit().title in events[0]["summary"] and "Follow-up" in events[0]["summary"]
    assert world.course.learners[0].name not in feed.get_data(as_text=True)
    uid = events[0]["uid"]
    # Fetched again: the same event (stable UID). "Ask me later" moves it on with a higher SEQUENCE.
    assert _events(public.get(f"/{path}").data)[0]["uid"] == uid
    with world.session() as session:
        asked = T0 + timedelta(days=days + 1)
        followups.remind_later(session, user_id=world.course.learners[0].id, context_id=world.course.context.id,
                               toolkit_id=toolkit().id, now=asked)  # fmt: skip
        session.commit()
    moved = _events(public.get(f"/{path}").data)
    assert [e["uid"] for e in moved] == [uid] and int(moved[0]["sequence"]) > 0
    assert moved[0]["day"] == (asked + timedelta(days=followups.REMIND_LATER_DAYS)).date().isoformat()
    # Answered: the reminder goes.
    with world.session() as session:
        followups.answer(session, user_id=world.course.learners[0].id, context_id=world.course.context.id,
                         toolkit_id=toolkit().id, carried_out=followups.CarriedOut.YES, what_happened="Done",
                         impact="", in_portfolio=False, now=asked)  # fmt: skip
        session.commit()
    assert _events(public.get(f"/{path}").data) == []
    # A new address stops the old one at once.
    again = client.post("/calendar/", data={"csrf_token": csrf_from(client, "/calendar/")})
    assert _address(_text(again)) != address
    assert public.get(f"/{path}").status_code == 404


def test_a_programme_participant_s_feed_carries_their_follow_up(world: World) -> None:
    with world.session() as session:
        learner = world.course.learners[2]
        cohort = make_cohort(session, learners=1, platform=world.course.platform, context=world.course.context)
        participant = ProgrammeParticipant(run_id=cohort.the_run.id, user_id=learner.id)
        session.add(participant)
        session.flush()
        token = programme_calendar.reset_feed_token(session, participant)
        submit_l2(session, world.course, learner, when=T0)
        session.commit()
    body = world.app.test_client().get(f"/programmes/feed/{token}.ics")
    assert body.status_code == 200
    summaries = [e["summary"] for e in _events(body.data)]
    assert any(s.startswith("Follow-up: did you carry out your action?") for s in summaries)
    assert len(summaries) > 1  # and the programme's own dates
