"""LTI roles (LTI Core 1.3 §A.2) to the two SWOTT roles, facilitator and learner.

Platforms send full URIs (`http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor`), sub-roles
(`.../membership/Instructor#TeachingAssistant`), institution roles (`.../institution/person#Administrator`)
and, like Moodle for some roles, bare short names (`Instructor`). Anything we do not recognise, and no
role at all, is a learner: the least privilege.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    FACILITATOR = "facilitator"
    LEARNER = "learner"


FACILITATOR_NAMES = frozenset({"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"})


def role_name(uri: str) -> str:
    """The last name in a role URI: `...membership#Instructor` → Instructor, `Instructor` → Instructor."""
    name = uri.strip()
    for separator in ("#", "/"):
        if separator in name:
            name = name.rsplit(separator, 1)[1]
    return name


def swott_role(roles: Iterable[str]) -> Role:
    """Facilitator if any role is a teaching or administering role; learner otherwise."""
    if any(role_name(r) in FACILITATOR_NAMES for r in roles if isinstance(r, str)):
        return Role.FACILITATOR
    return Role.LEARNER
