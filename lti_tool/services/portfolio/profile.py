"""Which regulator a learner's portfolio follows, and their registration details (issue 13).

The learner's own choice wins; else their platform's default (`swott platform set --regulator`); else
Social Work England (`regulators.choose`). The registration date anchors the SSSC declaration year and
the three-year periods of Social Care Wales and NISCC (docs/regulators.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import LtiUser, Platform, PortfolioProfile
from lti_tool.services import regulators
from lti_tool.services.regulators import Registrant, Regulator


@dataclass(frozen=True)
class ProfileChoice:
    regulator: str
    registered_on: date | None = None
    newly_qualified: bool = False
    part_time: bool = False
    manager_since: date | None = None


def _row(session: Session, user_id: int) -> PortfolioProfile | None:
    return session.scalar(select(PortfolioProfile).where(PortfolioProfile.user_id == user_id))


def platform_default(session: Session, user_id: int) -> str:
    user = session.get(LtiUser, user_id)
    platform = session.get(Platform, user.platform_id) if user else None
    return platform.default_regulator if platform else regulators.DEFAULT


def regulator_for(session: Session, *, user_id: int) -> tuple[Regulator, Registrant]:
    """The learner's regulator and what they told us about their registration."""
    row = _row(session, user_id)
    regulator = regulators.choose(row.regulator if row else None, platform_default(session, user_id))
    if row is None:
        return regulator, Registrant()
    return regulator, Registrant(
        registered_on=row.registered_on,
        newly_qualified=row.newly_qualified,
        part_time=row.part_time,
        manager_since=row.manager_since,
    )


def current_choice(session: Session, *, user_id: int) -> ProfileChoice:
    regulator, registrant = regulator_for(session, user_id=user_id)
    return ProfileChoice(
        regulator=regulator.code,
        registered_on=registrant.registered_on,
        newly_qualified=registrant.newly_qualified,
        part_time=registrant.part_time,
        manager_since=registrant.manager_since,
    )


def save(session: Session, *, user_id: int, choice: ProfileChoice) -> None:
    """Keep the learner's choice (an unknown regulator code is refused by `regulators.get`)."""
    code = regulators.get(choice.regulator).code
    row = _row(session, user_id)
    if row is None:
        row = PortfolioProfile(user_id=user_id)
        session.add(row)
    row.regulator = code
    row.registered_on = choice.registered_on
    row.newly_qualified = choice.newly_qualified
    row.part_time = choice.part_time
    row.manager_since = choice.manager_since
    session.flush()
