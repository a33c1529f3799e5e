"""Factories for programme tests: a course with learners, a lead and a coach, and a run of a shipped template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from lti_tool.models import Context, LtiUser, Platform, ProgrammeRun, ResourceLink
from lti_tool.services.programmes import runs, templates
from tests.conftest import shipped_catalogue
from tests.lti_tool.l1_factories import make_context, make_link, make_platform, make_user
from toolkits import Catalogue
from toolkits.programmes import Programme

TEN_WEEKS = "ten-week-cohort"
# A Monday; week 1 day 1 of a run starting then.
START = date(2027, 3, 1)


def catalogue() -> Catalogue:
    """The shipped toolkits, loaded once for the whole session (tests/conftest.py)."""
    return shipped_catalogue()


def template(template_id: str = TEN_WEEKS) -> Programme:
    found = templates.get(catalogue(), template_id)
    assert found is not None, f"the shipped {template_id} template must load"
    return found


@dataclass
class Cohort:
    platform: Platform
    context: Context
    link: ResourceLink
    lead: LtiUser
    coaches: list[LtiUser]
    learners: list[LtiUser] = field(default_factory=list)
    run: ProgrammeRun | None = None

    @property
    def the_run(self) -> ProgrammeRun:
        assert self.run is not None
        return self.run


def make_cohort(
    session: Session, *, learners: int = 3, platform: Platform | None = None, start: date = START,
    template_id: str = TEN_WEEKS, name: str = "Cohort A", context: Context | None = None,
) -> Cohort:  # fmt: skip
    """A course (or `context`) with a lead, two coaches and learners, running the template for them."""
    platform = platform or make_platform(session)
    context = context or make_context(session, platform)
    link = make_link(session, context, toolkit_id=template_id, part="pg")
    lead = make_user(session, platform, context, role="facilitator")
    coaches = [make_user(session, platform, context, role="facilitator") for _ in range(2)]
    people = [make_user(session, platform, context) for _ in range(learners)]
    run = runs.create_run(
        session, context_id=context.id, programme=template(template_id), cohort_name=name, starts_on=start,
        participant_ids=[p.id for p in people], resource_link_id=link.id,
    )  # fmt: skip
    return Cohort(platform, context, link, lead, coaches, people, run)
