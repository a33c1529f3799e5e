"""The grade service against a platform with Moodle's AGS semantics, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.db import Database
from lti_tool.models import Platform
from lti_tool.services.access_tokens import AccessTokens, PlatformEndpoint
from lti_tool.services.grades import AgsError, GradeService, Score, ScoreConflict, scores_url
from sandbox_platform.script import SERVICES
from tests.lti_tool.services.passback_support import AGS_SCOPES, seed_course
from tests.lti_tool.services.sandbox_lms import SandboxLms

WHEN = datetime(2026, 11, 23, 9, 30, 15, 678000, tzinfo=UTC)


@pytest.fixture
def grades(database: Database) -> GradeService:
    return GradeService(AccessTokens(database))


def _endpoint(database: Database) -> PlatformEndpoint:
    with database.session() as session:
        return PlatformEndpoint.of(session.scalars(select(Platform)).one())


def _score(sub: str, when: datetime = WHEN, **changes: Any) -> Score:
    values: dict[str, Any] = {
        "user_id": sub,
        "score_given": 80.0,
        "score_maximum": 100.0,
        "activity_progress": "Completed",
        "grading_progress": "FullyGraded",
        "timestamp": when,
    }
    values.update(changes)
    return Score(**values)


def test_scores_url_goes_before_moodles_query_string() -> None:
    assert (
        scores_url("https://moodle.example.org/mod/lti/services.php/2/lineitems/7/lineitem?type_id=7")
        == "https://moodle.example.org/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=7"
    )
    assert scores_url("https://canvas.example.org/api/lti/courses/1/line_items/5/") == (
        "https://canvas.example.org/api/lti/courses/1/line_items/5/scores"
    )


def test_submit_score_reaches_the_gradebook(database: Database, ags: SandboxLms, grades: GradeService) -> None:
    course = seed_course(database, ags)
    with database.session() as session:
        from lti_tool.models import ResourceLink

        lineitem = session.get(ResourceLink, course.link_id).lineitem_url  # type: ignore[union-attr]
    grades.submit_score(_endpoint(database), lineitem, _score(course.subs[0]), AGS_SCOPES)
    [received] = ags.accepted()
    assert received == {
        "userId": course.subs[0],
        "scoreGiven": 80.0,
        "scoreMaximum": 100.0,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-11-23T09:30:15+00:00",  # whole seconds: Moodle's resolution
    }
    assert ags.score(course.subs[0]) == 80.0


def test_progress_without_a_score_still_sends_score_maximum(
    database: Database, ags: SandboxLms, grades: GradeService
) -> None:
    course = seed_course(database, ags)
    started = _score(course.subs[0], score_given=None, activity_progress="Started", grading_progress="NotReady")
    grades.submit_score(_endpoint(database), ags.lineitem_url(1), started, AGS_SCOPES)
    assert ags.accepted()[0]["scoreMaximum"] == 100.0
    assert "scoreGiven" not in ags.accepted()[0]


def test_same_second_is_a_conflict(database: Database, ags: SandboxLms, grades: GradeService) -> None:
    course = seed_course(database, ags)
    endpoint = _endpoint(database)
    grades.submit_score(endpoint, ags.lineitem_url(1), _score(course.subs[0]), AGS_SCOPES)
    with pytest.raises(ScoreConflict):
        grades.submit_score(
            endpoint, ags.lineitem_url(1), _score(course.subs[0], WHEN + timedelta(milliseconds=300)), AGS_SCOPES
        )
    grades.submit_score(endpoint, ags.lineitem_url(1), _score(course.subs[0], WHEN + timedelta(seconds=1)), AGS_SCOPES)
    assert len(ags.accepted()) == 2


def test_refused_token_is_renewed_once(database: Database, ags: SandboxLms, grades: GradeService) -> None:
    course = seed_course(database, ags)
    endpoint = _endpoint(database)
    grades.submit_score(endpoint, ags.lineitem_url(1), _score(course.subs[0]), AGS_SCOPES)
    ags.script.revoke_tokens()  # e.g. the platform was restored from a backup
    grades.submit_score(endpoint, ags.lineitem_url(1), _score(course.subs[0], WHEN + timedelta(seconds=5)), AGS_SCOPES)
    assert len(ags.platform.token_requests) == 2
    assert len(ags.accepted()) == 2


def test_outages_are_retryable_and_refusals_are_not(database: Database, ags: SandboxLms, grades: GradeService) -> None:
    course = seed_course(database, ags)
    endpoint = _endpoint(database)
    grades.submit_score(endpoint, ags.lineitem_url(1), _score(course.subs[0]), AGS_SCOPES)  # token cached
    ags.script.fail(503, services=SERVICES)
    with pytest.raises(AgsError) as unavailable:
        grades.submit_score(
            endpoint, ags.lineitem_url(1), _score(course.subs[0], WHEN + timedelta(seconds=1)), AGS_SCOPES
        )
    assert unavailable.value.retryable and unavailable.value.status == 503
    assert unavailable.value.retry_after == 1.0
    ags.script.clear()
    with pytest.raises(AgsError) as missing:
        grades.submit_score(
            endpoint, ags.lineitem_url(99), _score(course.subs[0], WHEN + timedelta(seconds=2)), AGS_SCOPES
        )
    assert not missing.value.retryable and missing.value.status == 404
    ags.stop()
    with pytest.raises(AgsError) as refused:
        grades.submit_score(
            endpoint, ags.lineitem_url(1), _score(course.subs[0], WHEN + timedelta(seconds=3)), AGS_SCOPES
        )
    assert refused.value.retryable and refused.value.status is None


def test_line_item_is_found_or_created_once_per_resource_link(
    database: Database, ags: SandboxLms, grades: GradeService
) -> None:
    seed_course(database, ags, with_lineitem=False)
    endpoint = _endpoint(database)
    created = grades.find_or_create_line_item(
        endpoint, ags.lineitems_url, resource_link_id="rl-42", label="L1", score_maximum=100, scopes=AGS_SCOPES
    )
    again = grades.find_or_create_line_item(
        endpoint, ags.lineitems_url, resource_link_id="rl-42", label="L1", score_maximum=100, scopes=AGS_SCOPES
    )
    assert created == again == ags.lineitem_url(1)
    [item] = ags.platform.line_items()
    assert item.resource_link_id == "rl-42"
    assert item.score_maximum == 100


def test_line_item_end_date_can_be_set_and_cleared(database: Database, ags: SandboxLms, grades: GradeService) -> None:
    seed_course(database, ags)
    endpoint = _endpoint(database)
    deadline = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    updated = grades.update_line_item_end_date(endpoint, ags.lineitem_url(1), deadline, AGS_SCOPES)
    item = ags.platform.line_item(None, "1")
    assert updated["endDateTime"] == item.end_date_time == "2026-12-04T17:00:00+00:00"
    assert item.label == "Participatory practice L1"  # the rest of the line item is kept
    grades.update_line_item_end_date(endpoint, ags.lineitem_url(1), None, AGS_SCOPES)
    assert item.end_date_time == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"activity_progress": "Finished"}, "activityProgress"),
        ({"grading_progress": "Done"}, "gradingProgress"),
        ({"score_maximum": 0.0}, "scoreMaximum"),
        ({"score_given": -1.0}, "scoreGiven"),
        ({"timestamp": datetime(2026, 11, 23, 9, 0)}, "time zone"),
    ],
)
def test_scores_ags_does_not_allow_are_refused_before_sending(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _score("u1", **change)
