"""The facilitator's and the lead's CSV downloads in the interface language (issue 13): a Welsh (`cy-GB`)
launch gets Welsh headings and Welsh words in cells (statuses, yes and no, roles, section names, notes),
with the same columns, names, ISO dates and figures; an English launch gets the English file unchanged."""

from __future__ import annotations

import csv
import dataclasses
import io

from flask import Flask
from flask.testing import FlaskClient

from lti_tool.services import dashboard
from tests.lti_tool.evaluation.programme_support import AFTER_END
from tests.lti_tool.evaluation.support import answer_both
from tests.lti_tool.evaluation.test_programme_session_feedback import _give, _register
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l2_factories import finish_l1, launch_of, local_platform, sign_in
from tests.lti_tool.views.test_programme_times import _lead
from tests.lti_tool.views.test_programme_views import make_world

DASHBOARD_CY = ["Enw", "Statws L1", "Cynnydd L1 %", "Sgôr L1 %", "Amser cwblhau L1 (UTC)",
                "Myfyrdod L1 wedi’i gyflwyno", "Heb orffen erbyn y dyddiad cau", "Sesiwn L2", "Presenoldeb L2",
                "Myfyrdod L2 wedi’i gyflwyno"]  # fmt: skip
COHORT_EN = ["cohort", "participant", "coach", "mentor", "protected hours a week", "activity", "date (UTC)",
             "required", "status", "attended", "role"]  # fmt: skip
COHORT_CY = ["carfan", "cyfranogwr", "hyfforddwr", "mentor", "oriau wedi’u neilltuo yr wythnos", "gweithgaredd",
             "dyddiad (UTC)", "gofynnol", "statws", "yn bresennol", "rôl"]  # fmt: skip
REPORT_EN = ["Section", "Item", "Respondents", "1 Not at all confident", "2 A little confident", "3 Fairly confident",
             "4 Confident", "5 Very confident", "Average (1 to 5)", "Note"]  # fmt: skip
REPORT_CY = ["Adran", "Eitem", "Ymatebwyr", "1 Ddim yn hyderus o gwbl", "2 Ychydig yn hyderus", "3 Gweddol hyderus",
             "4 Hyderus", "5 Hyderus iawn", "Cyfartaledd (1 i 5)", "Nodyn"]  # fmt: skip


def _rows(client: FlaskClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv", url
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _in_both(app: Flask, course: Course, part: str, url: str) -> tuple[list[list[str]], list[list[str]]]:
    """The course facilitator's download of `url`, launched in English and then in Welsh."""
    found = []
    for locale in ("en-GB", "cy-GB"):
        client = app.test_client()
        sign_in(client, dataclasses.replace(launch_of(course, course.facilitator, part=part, role="facilitator"),
                                            locale=locale))  # fmt: skip
        found.append(_rows(client, url))
    return found[0], found[1]


def test_the_dashboard_csv_is_in_the_facilitators_language(app: Flask) -> None:
    with app.extensions["swott.db"].session() as session:
        course = make_course(session, learners=2, platform=local_platform(session))
        finish_l1(session, course, course.learners[0], score=90.0)
        session.commit()
    english, welsh = _in_both(app, course, "l2", "/l2/dashboard.csv")
    assert english[0] == list(dashboard.CSV_HEADER) and welsh[0] == DASHBOARD_CY
    finished = course.learners[0].name
    by_name = {row[0]: row for row in english[1:]}
    assert by_name[finished][1:4] == ["Completed", "100", "90"] and by_name[finished][5] == "yes"
    assert by_name[finished][8] == "Not invited"
    cymraeg = {row[0]: row for row in welsh[1:]}
    assert cymraeg[finished][1:4] == ["Wedi’i gwblhau", "100", "90"] and cymraeg[finished][5] == "ie"
    assert cymraeg[finished][4] == by_name[finished][4] != ""  # the ISO date and time, the same in both
    assert cymraeg[finished][8] == "Heb gael gwahoddiad" and cymraeg[course.learners[1].name][1] == "Heb ddechrau"
    assert [row[:1] + row[2:4] for row in welsh[1:]] == [row[:1] + row[2:4] for row in english[1:]]


def test_the_cohort_csv_is_in_the_leads_language(app: Flask) -> None:
    world = make_world(app)
    launch, meeting = world.events("launch-workshop")[0], world.events("action-learning-set")[0]
    _register(world, launch, world.a.learners[:2])
    _register(world, meeting, world.a.learners)  # everyone a consultant
    url = f"/programmes/{world.a.the_run.id}/cohort.csv"
    english, welsh = _rows(_lead(world, "en-GB"), url), _rows(_lead(world, "cy-GB"), url)
    assert english[0] == COHORT_EN and welsh[0] == COHORT_CY
    assert len(english) == len(welsh)
    at_launch = [row for row in english if row[5] == launch.title]
    assert sorted((row[8], row[9]) for row in at_launch) == [("Done", "yes"), ("Done", "yes"), ("Missed", "no")]
    at_launch_cy = [row for row in welsh if row[5] == launch.title]
    expected = [("Wedi’i golli", "na"), ("Wedi’i wneud", "ie"), ("Wedi’i wneud", "ie")]
    assert sorted((row[8], row[9]) for row in at_launch_cy) == expected
    # The first set meeting's register gave every member a role; the later meetings have none yet.
    assert {row[10] for row in english if row[5] == meeting.title} == {"consultant", ""}
    assert {row[10] for row in welsh if row[5] == meeting.title} == {"ymgynghorydd", ""}
    # Names, titles, hours and ISO dates are the same in both languages.
    assert [row[:7] for row in welsh[1:]] == [row[:7] for row in english[1:]]


def test_the_course_evaluation_csv_is_in_the_leads_language(app: Flask) -> None:
    with app.extensions["swott.db"].session() as session:
        course = make_course(session, learners=5, platform=local_platform(session))
        for index, user in enumerate(course.learners):
            answer_both(session, course, user, 1 + index % 2, 4, text=f"Geiriau {index}", share=True)
        session.commit()
    english, welsh = _in_both(app, course, "l1", "/evaluation/report.csv")
    assert english[0] == REPORT_EN and welsh[0] == REPORT_CY
    assert english[1] == ["Response rate", "Enrolled learners", "5", *[""] * 6, ""]
    assert welsh[1] == ["Cyfradd ymateb", "Dysgwyr sydd wedi cofrestru", "5", *[""] * 6, ""]
    assert welsh[2][:2] == ["Cyfradd ymateb", "Wedi ateb cyn L1"] and welsh[2][2:] == english[2][2:]
    assert [row[0] for row in welsh].count("Hyder o’r blaen") == [row[0] for row in english].count("Confidence before")
    # The learning outcomes' statements (toolkit content) and every figure are the same in both.
    assert [row[1:] for row in welsh if row[0] == "Hyder wedyn"] == [
        row[1:] for row in english if row[0] == "Confidence after"
    ]


def test_the_cohort_evaluation_csv_says_not_enough_and_may_identify_someone_in_welsh(app: Flask) -> None:
    world = make_world(app, learners=5)
    workshop = world.events("launch-workshop")[0]
    _register(world, workshop, world.a.learners)
    for index, user in enumerate(world.a.learners):
        text = "Ask Mrs Patel to come back" if index == 0 else f"Geiriau {index}"
        _give(world, world.client(user, world.a), workshop, 4, text, share=True)
    app.extensions["swott.clock"] = lambda: AFTER_END
    welsh = _rows(_lead(world, "cy-GB"), f"/evaluation/cohort/{world.a.the_run.id}.csv")
    assert welsh[0] == REPORT_CY
    assert ["Hyder", "Pob deilliant dysgu", "0", *[""] * 6, "Dim digon o ymatebion i’w dangos"] in welsh
    assert ["Adborth ar y sesiwn", "Atebion", "5", *[""] * 6, ""] in welsh
    said = [row for row in welsh if row[0] == "Beth fyddai pobl yn ei newid"]
    assert said[0][1] == "Ask Mrs Patel to come back"  # the learner's words, as written
    assert said[0][-1].startswith("Gallai adnabod rhywun: enw")
    english = _rows(_lead(world, "en-GB"), f"/evaluation/cohort/{world.a.the_run.id}.csv")
    assert english[0] == REPORT_EN and ["Session feedback", "Answers", "5", *[""] * 6, ""] in english
    said = [row for row in english if row[0] == "What people would change"]
    assert said[0][-1].startswith("May identify someone: a name")
    programme = _rows(_lead(world, "cy-GB"), f"/evaluation/programme/{world.a.the_run.template_id}.csv")
    assert programme[0] == REPORT_CY
