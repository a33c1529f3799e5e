"""factory_boy factories for the core models: `PlatformFactory.create(session=s)`,
`ContextFactory.create(session=s, platform=p)`, `ResourceLinkFactory`, `LtiUserFactory`, `EnrolmentFactory`,
`AttemptFactory`, `ReflectionFactory`; and `make_course`, the one builder of a whole `Course` from them.

Each call adds the row to the given session and flushes it (so it has its id), as the helpers in
`l1_factories`, `l2_factories` and `services/passback_support` expect. Generated values draw numbers from
one counter, `ids`, shared with those helpers, so names such as "Learner 7" stay unique across models.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from factory.alchemy import SQLAlchemyModelFactory
from factory.declarations import LazyAttribute, LazyFunction
from sqlalchemy.orm import Session

from lti_tool.models import Attempt, Context, Enrolment, LtiUser, Platform, Reflection, ResourceLink

ids = itertools.count(1)


def _next_id() -> int:
    return next(ids)


class ModelFactory(SQLAlchemyModelFactory):
    """A factory whose `create` takes the session to use: `SomeFactory.create(session=session, **fields)`."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type[Any], *args: Any, session: Session | None = None, **kwargs: Any) -> Any:
        assert session is not None, f"{cls.__name__}(session=...) needs the session to add the row to"
        row = model_class(*args, **kwargs)
        session.add(row)
        session.flush()
        return row


class PlatformFactory(ModelFactory):
    class Meta:
        model = Platform

    class Params:
        n = LazyFunction(_next_id)

    issuer = LazyAttribute(lambda o: f"https://lms{o.n}.example.org")
    client_id = LazyAttribute(lambda o: f"client-{o.n}")
    name = LazyAttribute(lambda o: f"Council {o.n}")
    auth_login_url = "https://lms.example.org/auth"
    auth_token_url = "https://lms.example.org/token"
    key_set_url = "https://lms.example.org/jwks"
    brand_colour = ""


class ContextFactory(ModelFactory):
    """A course on `platform` (pass `platform=`, or `platform_id=`)."""

    class Meta:
        model = Context
        exclude = ("platform",)

    platform = None
    platform_id = LazyAttribute(lambda o: o.platform.id)
    context_id = LazyFunction(lambda: f"course-{_next_id()}")
    title = "Team CPD"


class ResourceLinkFactory(ModelFactory):
    """A placement in `context` (pass `context=`, or `context_id=`); the small fixture toolkit's L1 unless told."""

    class Meta:
        model = ResourceLink
        exclude = ("context",)

    context = None
    context_id = LazyAttribute(lambda o: o.context.id)
    link_id = LazyFunction(lambda: f"link-{_next_id()}")
    title = "L1"
    toolkit_id = "mini"
    part = "l1"


class LtiUserFactory(ModelFactory):
    """A person on `platform` (pass `platform=`, or `platform_id=`)."""

    class Meta:
        model = LtiUser
        exclude = ("platform",)

    class Params:
        n = LazyFunction(_next_id)

    platform = None
    platform_id = LazyAttribute(lambda o: o.platform.id)
    sub = LazyAttribute(lambda o: f"user-{o.n}")
    name = LazyAttribute(lambda o: f"Learner {o.n}")
    email = LazyAttribute(lambda o: f"l{o.n}@example.org")


class EnrolmentFactory(ModelFactory):
    class Meta:
        model = Enrolment

    role = "learner"


class AttemptFactory(ModelFactory):
    """An L1 attempt just started (pass `user_id`, `resource_link_id`, `toolkit_id` and what differs)."""

    class Meta:
        model = Attempt

    answers = LazyFunction(dict)
    answer_counts = LazyFunction(dict)
    notes = LazyFunction(dict)
    status = "in_progress"


class ReflectionFactory(ModelFactory):
    """A submitted reflection, as a save then a submit leave it (pass the owner, link, toolkit, model, fields
    and `submitted_at`)."""

    class Meta:
        model = Reflection

    status = "submitted"
    version = 2


@dataclass
class Course:
    """A course on one platform with its placements (by part), learners and facilitators.

    Rows are loaded and stay readable after their session closes (`Database` sessions keep them), so a test
    may read `course.l1.id` or `course.learners[0].sub` outside any session.
    """

    platform: Platform
    context: Context
    links: dict[str, ResourceLink]
    learners: list[LtiUser]
    facilitators: list[LtiUser] = field(default_factory=list)

    @property
    def l1(self) -> ResourceLink:
        return self.links["l1"]

    @property
    def l2(self) -> ResourceLink:
        assert "l2" in self.links, "this course was made without an L2 placement"
        return self.links["l2"]

    @property
    def facilitator(self) -> LtiUser:
        assert self.facilitators, "this course was made without a facilitator"
        return self.facilitators[0]

    # The passback tests address the course by ids and its learners by platform user id (AGS `userId`).
    @property
    def platform_id(self) -> int:
        return self.platform.id

    @property
    def context_id(self) -> int:
        return self.context.id

    @property
    def link_id(self) -> int:
        return self.l1.id

    @property
    def subs(self) -> list[str]:
        return [user.sub for user in self.learners]


def make_course(
    session: Session,
    *,
    platform: Platform | None = None,
    learners: int = 2,
    toolkit_id: str = "participatory-practice",
    parts: tuple[str, ...] = ("l1", "l2"),
    facilitator: bool = True,
    enrolled: bool = True,
    context_fields: Mapping[str, Any] | None = None,
    l1_fields: Mapping[str, Any] | None = None,
    learner_fields: Callable[[int], Mapping[str, Any]] | None = None,
) -> Course:
    """A course with a placement of `toolkit_id` for each of `parts`, a facilitator and `learners` learners.

    Only what is asked for is made: without `enrolled` the learners have no enrolment (they exist on the
    platform, as if they had launched another course), and `facilitator=False` adds no facilitator, so
    tests that count the enrolments a roster sync adds count only their own. `*_fields` override the
    factories' generated values (`learner_fields(n)` for the n-th learner).
    """
    platform = platform or PlatformFactory.create(session=session)
    context = ContextFactory.create(session=session, platform=platform, **(context_fields or {}))
    links = {}
    for part in parts:
        overrides = (l1_fields or {}) if part == "l1" else {}
        links[part] = ResourceLinkFactory.create(
            session=session, context=context, toolkit_id=toolkit_id, part=part, **overrides
        )

    def person(role: str, fields: Mapping[str, Any], *, enrol: bool = True) -> LtiUser:
        user: LtiUser = LtiUserFactory.create(session=session, platform=platform, **fields)
        if enrol:
            EnrolmentFactory.create(session=session, user_id=user.id, context_id=context.id, role=role)
        return user

    facilitators = [person("facilitator", {})] if facilitator else []
    people = [person("learner", learner_fields(n) if learner_fields else {}, enrol=enrolled) for n in range(learners)]
    return Course(platform, context, links, people, facilitators)
