"""LTI roles to SWOTT roles (LTI Core 1.3 §A.2): full, sub-role, institution and short forms."""

from __future__ import annotations

import pytest

from lti_tool.lti.roles import Role, swott_role

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
I = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"  # noqa: E741


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([M + "Instructor"], Role.FACILITATOR),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"], Role.FACILITATOR),
        ([M + "ContentDeveloper"], Role.FACILITATOR),
        ([M + "Administrator"], Role.FACILITATOR),
        ([I + "Administrator"], Role.FACILITATOR),
        (["Instructor"], Role.FACILITATOR),
        (["TeachingAssistant"], Role.FACILITATOR),
        ([M + "Learner", M + "Instructor"], Role.FACILITATOR),
        ([M + "Learner"], Role.LEARNER),
        ([I + "Student"], Role.LEARNER),
        (["Learner"], Role.LEARNER),
        ([M + "Mentor"], Role.LEARNER),
        (["http://example.com/roles#Wizard"], Role.LEARNER),
        ([], Role.LEARNER),
    ],
)
def test_role_mapping(roles: list[str], expected: Role) -> None:
    assert swott_role(roles) is expected
