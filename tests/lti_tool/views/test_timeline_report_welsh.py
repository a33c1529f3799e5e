"""The programme timeline and the evaluation report for a `cy-GB` launch (issue 13): `<html lang="cy">`,
Welsh interface text, no English interface string outside `lang="en-GB"` (programme and toolkit content,
the chart's own words for now), following test_l1_welsh.py's method."""

from __future__ import annotations

import dataclasses

from flask import Flask

from lti_tool.lti.roles import Role
from lti_tool.lti.session import CurrentLaunch
from tests.lti_tool.evaluation.support import answer_both
from tests.lti_tool.l1_factories import sign_in
from tests.lti_tool.l2_factories import course_in, launch_of, local_platform
from tests.lti_tool.l2_factories import sign_in as sign_in_l2
from tests.lti_tool.programme_factories import make_cohort
from tests.lti_tool.views.test_portfolio_welsh import _assert_welsh


def test_the_programme_timeline_is_in_welsh(app: Flask) -> None:
    with app.extensions["swott.db"].session() as session:
        cohort = make_cohort(session, learners=1, platform=local_platform(session), name="Carfan A")
        person = cohort.learners[0]
        run_id, platform_id, context_id, link_id = (
            cohort.the_run.id,
            cohort.platform.id,
            cohort.context.id,
            cohort.link.id,
        )
        session.commit()
    client = app.test_client()
    sign_in(client, CurrentLaunch(
        launch_id=f"cy-{person.id}", user_id=person.id, platform_id=platform_id, context_id=context_id,
        resource_link_id=link_id, role=Role.LEARNER, toolkit_id="ten-week-cohort", part="pg", deployment_id="1",
        message_type="LtiResourceLinkRequest", locale="cy-GB",
    ))  # fmt: skip
    page = client.get(f"/programmes/{run_id}/timeline")
    assert page.status_code == 200
    _assert_welsh(page.get_data(as_text=True), "Eich rhaglen:", "Wythnos 1:", "Eich cynllun datblygu")


def test_the_evaluation_report_is_in_welsh_with_and_without_enough_answers(app: Flask) -> None:
    course = course_in(app, learners=5)
    lead = app.test_client()
    sign_in_l2(lead, dataclasses.replace(launch_of(course, course.facilitator, part="l1", role="facilitator"),
                                         locale="cy-GB"))  # fmt: skip
    empty = lead.get("/evaluation/report").get_data(as_text=True)
    _assert_welsh(empty, "Adroddiad gwerthuso ar gyfer y cwrs hwn", "Dim digon o ymatebion i’w dangos", "Pwy atebodd")
    with app.extensions["swott.db"].session() as session:
        for index, user in enumerate(course.learners):
            answer_both(session, course, user, 1 + index % 2, 4, text=f"Geiriau {index}", share=True)
        session.commit()
    full = lead.get("/evaluation/report").get_data(as_text=True)
    _assert_welsh(full, "Y ffigurau, fesul deilliant dysgu", "Cyfartaledd (1 i 5)", "Ddim yn hyderus o gwbl",
                  "Geiriau 4")  # fmt: skip
    assert 'class="swott-chart-wrap" lang="en-GB"' in full


def test_the_certificate_check_pages_are_in_welsh_for_a_welsh_session(app: Flask) -> None:
    client = app.test_client()
    client.get("/language/cy?next=/certificates/check")
    _assert_welsh(client.get("/certificates/check").get_data(as_text=True), "Gwirio tystysgrif", "Cod y dystysgrif")
    refused = client.get("/certificates/check?code=")
    assert refused.status_code == 400
    _assert_welsh(refused.get_data(as_text=True), "Rhowch god y dystysgrif", "Mae yna broblem")
    unknown = client.get("/certificates/ABCD-EFGH-JKLM-NPQR")
    assert unknown.status_code == 404
    _assert_welsh(unknown.get_data(as_text=True), "Nid oes gan unrhyw dystysgrif y cod hwn", "Gwirio tystysgrif arall")
