"""The programme pages for a `cy-GB` launch (issue 13): the lead's pages (programmes, dates, one date with
its register, pairings, the cohort view), a participant's (timeline, a reflection, a one-to-one, the
development plan, the calendar), a coach's one-to-ones and the programme certificate's PDF come out in
Welsh, with no English interface string left outside `lang="en-GB"` (programme and toolkit content),
following test_l1_welsh.py's method. English launches are covered, unchanged, by test_programme_views.py.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from lti_tool.lti.roles import Role
from lti_tool.lti.session import CurrentLaunch
from lti_tool.models import LtiUser, ProgrammeEvent
from lti_tool.services.programmes import meetings, runs
from tests.lti_tool.evaluation.programme_support import AFTER_END, finish_programme
from tests.lti_tool.evaluation.support import complete_toolkit
from tests.lti_tool.factories import make_course
from tests.lti_tool.l1_factories import sign_in
from tests.lti_tool.l2_factories import csrf_from, launch_of, local_platform, toolkit
from tests.lti_tool.l2_factories import sign_in as sign_in_l2
from tests.lti_tool.programme_factories import Cohort, make_cohort, template
from tests.lti_tool.views.test_l1_welsh import interface_text
from tests.lti_tool.views.test_portfolio_welsh import _assert_welsh

# English a reader would notice if a page had been left out; none may be on a Welsh page.
ENGLISH = (
    "Programmes in this course", "Cohort view", "Falling behind", "Save the register", "Who attended",
    "Your development plan", "Back to your programme", "Protected time", "Not started", "Start date",
)  # fmt: skip
NAMES = ("Nia Jones", "Rhys Evans", "Siân Pritchard", "Gwen Morgan", "Dafydd Owen", "Elin Hughes")


@pytest.fixture
def cohort(app: Flask) -> Iterator[Cohort]:
    """A Welsh council's cohort: Welsh names (an English 'Learner 3' would read as untranslated)."""
    with app.extensions["swott.db"].session() as session:
        found = make_cohort(session, learners=2, platform=local_platform(session), name="Carfan Gwynedd")
        for user, name in zip([found.lead, *found.coaches, *found.learners], NAMES, strict=False):
            user.name = name
        session.commit()
    yield found


def _client(app: Flask, cohort: Cohort, user: LtiUser, role: str = "learner") -> FlaskClient:
    client = app.test_client()
    sign_in(client, CurrentLaunch(
        launch_id=f"cy-pg-{user.id}", user_id=user.id, platform_id=cohort.platform.id, context_id=cohort.context.id,
        resource_link_id=cohort.link.id, role=Role(role), toolkit_id="", part="pg", deployment_id="1",
        message_type="LtiResourceLinkRequest", locale="cy-GB",
    ))  # fmt: skip
    return client


def _welsh(client: FlaskClient, path: str, *words: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    html = response.get_data(as_text=True)
    _assert_welsh(html, *words)
    text = interface_text(html)
    assert [e for e in ENGLISH if e in text] == [], path
    return html


def _post(client: FlaskClient, url: str, data: dict[str, object], form_page: str = "") -> str:
    response = client.post(url, data={"csrf_token": csrf_from(client, form_page or url), **data})
    assert response.status_code in (200, 303, 400), url
    return response.get_data(as_text=True)


def _event(app: Flask, cohort: Cohort, activity_id: str) -> int:
    with app.extensions["swott.db"].session() as session:
        query = select(ProgrammeEvent.id).where(
            ProgrammeEvent.run_id == cohort.the_run.id, ProgrammeEvent.activity_id == activity_id
        )
        return int(session.scalars(query.order_by(ProgrammeEvent.starts_at)).first() or 0)


def test_the_programme_leads_pages_are_in_welsh(app: Flask, cohort: Cohort) -> None:
    lead = _client(app, cohort, cohort.lead, "facilitator")
    run_id = cohort.the_run.id
    index = _welsh(lead, "/programmes/", "Rhaglenni yn y cwrs hwn", "Dechrau rhaglen ar gyfer carfan",
                   "Cymru a Lloegr", "Pa wyliau banc sy’n berthnasol?")  # fmt: skip
    assert index.count(f'<span lang="en-GB">{template().title}</span>') == 1  # in the table: English content
    assert f"/programmes/{run_id}?launch=" in index and ">Carfan Gwynedd</a>" in index and "&lt;a" not in index
    assert re.search(r'<div class="govuk-radios"\s+lang="en-GB" data-module="govuk-radios">', index)  # titles too
    refused = _post(lead, "/programmes/", {"cohort_name": ""}, form_page="/programmes/")
    _assert_welsh(refused, "Mae yna broblem", "Dewiswch raglen", "Rhowch enw ar gyfer y garfan")
    run = _welsh(lead, f"/programmes/{run_id}", "Yn dechrau", "Amserlen", "Symud y rhaglen gyfan", "Wythnos 1:")
    assert 'lang="en-GB"' in run  # week and activity titles
    workshop = _event(app, cohort, "launch-workshop")
    page = f"/programmes/{run_id}/events/{workshop}"
    _welsh(lead, page, "Dyddiad, amser a lle", "Cadw’r dyddiad hwn", "Cofrestr", "Pwy oedd yn bresennol?",
           "Cadw’r gofrestr", "Yn ôl i’r amserlen")  # fmt: skip
    wrong = _post(lead, page, {"day-day": "31", "day-month": "2", "day-year": "2027", "start_time": "25:00",
                               "save": "1"})  # fmt: skip
    _assert_welsh(wrong, "Rhowch amser fel 10yb, 2:30yh neu 14:30")
    with app.extensions["swott.db"].session() as session:
        ids = [str(m.participant.id) for m in runs.members(session, cohort.the_run)]
    _post(lead, f"{page}/register", {"present": ids[:1]}, form_page=page)
    _welsh(lead, f"/programmes/{run_id}/cohort?recorded={workshop}", "Golwg ar y garfan", "Cofrestr wedi’i chadw.",
           "Cynnydd fesul cyfranogwr", "Wedi’i wneud", "Wedi’i golli", "Heb ddechrau", "Llyfr graddau")  # fmt: skip
    _welsh(lead, f"/programmes/{run_id}/pairings", "Hyfforddwyr, mentoriaid ac amser wedi’i neilltuo",
           "Oriau wedi’u neilltuo yr wythnos", "Neb eto", "Cadw’r parau")  # fmt: skip
    issued = _welsh(lead, "/certificates/course", "Rhaglenni", "Tystysgrifau a roddwyd yn y cwrs hwn")
    assert '<span class="govuk-caption-l">Rhaglenni</span>' in issued
    sets = _event(app, cohort, "action-learning-set")
    _welsh(lead, f"/programmes/{run_id}/events/{sets}", "Rolau yn y cyfarfod hwn", "Cyflwynydd", "Dim rôl")


def test_a_participants_programme_pages_are_in_welsh(app: Flask, cohort: Cohort) -> None:
    learner = _client(app, cohort, cohort.learners[0])
    run_id = cohort.the_run.id
    timeline = _welsh(learner, f"/programmes/{run_id}/timeline", "Eich rhaglen: Carfan Gwynedd", "Wythnos 1:",
                      "Eich cynllun datblygu", "Heb ddechrau")  # fmt: skip
    assert "Not started" not in timeline and "Your programme certificate" not in timeline
    _welsh(learner, f"/programmes/{run_id}/plan", "Ychwanegu nod", "Nod ar gyfer y rhaglen hon")
    blank = _post(learner, f"/programmes/{run_id}/plan", {"goal-text": "", "goal-add_goal": "1"})
    _assert_welsh(blank, "Ysgrifennwch y nod", "Mae yna broblem")
    _post(learner, f"/programmes/{run_id}/plan", {"goal-text": "Arwain cynhadledd grŵp teulu", "goal-add_goal": "1"})
    _welsh(learner, f"/programmes/{run_id}/plan", "Nod 1", "Adolygu nod 1: pa mor bell aethoch chi?")
    _welsh(learner, f"/programmes/{run_id}/calendar", "Ychwanegu eich rhaglen at eich calendr",
           "Tanysgrifiwch i un cyfeiriad")  # fmt: skip
    coaching = _event(app, cohort, "coaching")
    _welsh(learner, f"/programmes/{run_id}/events/{coaching}/meeting", "Eich nodiadau", "Camau gweithredu a gytunwyd",
           "Heb ei gofnodi fel un a gynhaliwyd eto.")  # fmt: skip
    # A reflection once the register says they were there.
    meeting = _event(app, cohort, "action-learning-set")
    with app.extensions["swott.db"].session() as session:
        ids = [m.participant.id for m in runs.members(session, cohort.the_run)]
        fields = meetings.form_fields(template().activity("action-learning-set"))
    lead = _client(app, cohort, cohort.lead, "facilitator")
    page = f"/programmes/{run_id}/events/{meeting}"
    roles = {f"role-{pid}": "consultant" for pid in ids}
    _post(lead, f"{page}/register", {"present": [str(i) for i in ids], **roles}, form_page=page)
    reflection = _welsh(learner, f"{page}/reflection", "Myfyrdod:", "Cyflwyno i’m portffolio DPP", "Cadw fel drafft")
    assert f'<span lang="en-GB">{fields[0].label}</span>' in reflection  # the CPD record's fields: toolkit text
    short = _post(learner, f"{page}/reflection", {fields[0].id: "Dim ond hyn", "submit": "1"})
    _assert_welsh(short, "Mae yna broblem", "Ysgrifennwch eich")
    assert f'Ysgrifennwch eich <span lang="en-GB">{fields[1].label.lower()}</span>' in short


def test_a_coachs_one_to_ones_are_in_welsh(app: Flask, cohort: Cohort) -> None:
    coach = _client(app, cohort, cohort.coaches[0], "facilitator")
    run_id = cohort.the_run.id
    _welsh(coach, f"/programmes/{run_id}/supporting", "Eich cyfarfodydd un i un", "Nid oes neb yn y garfan hon")
    with app.extensions["swott.db"].session() as session:
        ids = [m.participant.id for m in runs.members(session, cohort.the_run)]
    pairs: dict[str, object] = {}
    for pid in ids:
        pairs |= {f"coach-{pid}": str(cohort.coaches[0].id), f"mentor-{pid}": "0", f"hours-{pid}": "12"}
    lead = _client(app, cohort, cohort.lead, "facilitator")
    _post(lead, f"/programmes/{run_id}/pairings", pairs)
    wrong = _post(lead, f"/programmes/{run_id}/pairings", {**pairs, f"hours-{ids[0]}": "99"})
    _assert_welsh(wrong, "Rhowch rhwng 0 a 40 awr")
    _welsh(lead, f"/programmes/{run_id}/cohort?paired=1", "Parau wedi’u cadw.", "12 awr yr wythnos", NAMES[1])
    learner = _client(app, cohort, cohort.learners[0])
    meeting = f"/programmes/{run_id}/events/{_event(app, cohort, 'coaching')}/meeting"
    _post(learner, meeting, {"notes": "Pryder preifat", "actions": "Cynllunio’r ymweliad", "shared": "y"})
    _post(learner, f"/programmes/{run_id}/plan", {"goal-text": "Arwain cynhadledd", "goal-add_goal": "1"})
    plans = "Cynlluniau datblygu’r cyfranogwyr rydych yn eu hyfforddi"
    _welsh(coach, f"/programmes/{run_id}/supporting", "Cofnodi fel un a gynhaliwyd", "Nodiadau a rannwyd:",
           "Camau gweithredu:", plans, "Arwain cynhadledd")  # fmt: skip


def test_the_programme_certificate_is_in_welsh_with_its_title_in_english(app: Flask, cohort: Cohort) -> None:
    person = cohort.learners[0]
    with app.extensions["swott.db"].session() as session:
        finish_programme(session, cohort.the_run, session.get_one(LtiUser, person.id))
        session.commit()
    app.extensions["swott.clock"] = lambda: AFTER_END
    learner = _client(app, cohort, person)
    page = f"/programmes/{cohort.the_run.id}/certificate"
    assert learner.post(page, data={"csrf_token": csrf_from(learner, page)}).status_code == 303
    _welsh(learner, page, "Cod y dystysgrif", "Lawrlwytho")
    pdf = learner.get(f"{page}.pdf")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.data))
    assert str(reader.root_object["/Lang"]) == "cy"
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for words in ("Tystysgrif cwblhau", "Mae hyn yn tystio bod", NAMES[3],
                  "wedi cwblhau’r rhaglen", "Pob gweithgaredd gofynnol yn y rhaglen.", "1 Mawrth 2027",
                  "o ddysgu", "Gwiriwch y dystysgrif hon yn", "Cod y dystysgrif"):  # fmt: skip
        assert words in text, words
    assert " ".join(template().title.split()) in text  # the programme's title, as written
    for english in ("Certificate of completion", "This certifies that", "completed the programme", "March",
                    "hours of learning", "Check this certificate"):  # fmt: skip
        assert english not in text, english


def test_the_programme_questionnaire_marks_its_statements_english(app: Flask, cohort: Cohort) -> None:
    """The page's own words are Welsh and the template's statements are marked English content. (The
    confidence scale and the send/skip buttons come from the evaluation forms, translated separately.)"""
    learner = _client(app, cohort, cohort.learners[0])
    page = learner.get(f"/programmes/{cohort.the_run.id}/questionnaire/before").get_data(as_text=True)
    assert '<html lang="cy"' in page
    assert "Cyn i'r rhaglen ddechrau: pa mor hyderus ydych chi?" in interface_text(page)
    questionnaire = template().questionnaire
    assert questionnaire is not None
    assert f'<span lang="en-GB">{questionnaire.confidence[0]}</span>' in page  # the template's own words
    assert f'<span lang="en-GB">{template().title}</span>' in page


def test_a_toolkit_certificate_is_in_welsh_for_a_welsh_launch(app: Flask) -> None:
    """The toolkit's certificate shares the PDF (certificate_files.download): Welsh words, English title."""
    with app.extensions["swott.db"].session() as session:
        course = make_course(session, learners=1, platform=local_platform(session))
        complete_toolkit(session, course, course.learners[0])
        session.commit()
    client = app.test_client()
    sign_in_l2(client, dataclasses.replace(launch_of(course, course.learners[0], part="l1"), locale="cy-GB"))
    assert client.post("/certificates/", data={"csrf_token": csrf_from(client, "/certificates/")}).status_code == 303
    reader = PdfReader(io.BytesIO(client.get("/certificates/certificate.pdf").data))
    assert str(reader.root_object["/Lang"]) == "cy"
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    title = " ".join(toolkit().title.split())
    for words in ("Tystysgrif cwblhau", "wedi cwblhau pecyn cymorth SWOTT", "15 Ionawr 2027",
                  "Safonau proffesiynol Social Work England a gwmpesir:", title):  # fmt: skip
        assert words in text, words
    assert "Certificate of completion" not in text and "January" not in text


def test_the_calendar_files_and_feed_are_in_welsh_for_a_welsh_learner(app: Flask, cohort: Cohort) -> None:
    learner = _client(app, cohort, cohort.learners[0])
    run_id = cohort.the_run.id
    made = _post(learner, f"/programmes/{run_id}/calendar", {})
    _assert_welsh(made, "Cyfeiriad eich calendr", "Copïwch ef nawr")
    address = made.split('id="feed-address" type="text" readonly value="')[1].split('"')[0]
    assert address.endswith(".ics?lang=cy")  # the feed has no launch: its address keeps the language
    feed = Calendar.from_ical(app.test_client().get(address.removeprefix("http://127.0.0.1:5000")).data)
    assert str(feed["X-WR-CALNAME"]) == "Rhaglen: Carfan Gwynedd"
    summaries = [str(e["SUMMARY"]) for e in feed.walk("VEVENT")]
    assert any(s.startswith("Dyddiad cau: ") for s in summaries) and not any(s.startswith("Due:") for s in summaries)
    assert all(str(e["DESCRIPTION"]).startswith("Carfan Gwynedd: rhaglen ") for e in feed.walk("VEVENT"))
    l1 = next(e for e in feed.walk("VEVENT") if str(e["SUMMARY"]).startswith("Dyddiad cau: "))
    with app.extensions["swott.db"].session() as session:
        event = session.scalars(select(ProgrammeEvent).where(ProgrammeEvent.uid == str(l1["UID"]))).one()
        event_id = event.id
    one = Calendar.from_ical(learner.get(f"/programmes/{run_id}/events/{event_id}.ics").data)
    assert str(one.walk("VEVENT")[0]["SUMMARY"]).startswith("Dyddiad cau: ")
