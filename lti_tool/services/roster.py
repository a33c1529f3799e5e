"""Names and Role Provisioning Services 2.0 client: who is in a course, for the facilitator page.

NRPS 2.0 §2: GET the launch's `context_memberships_url` (stored on `Context.memberships_url`) with
`Accept: application/vnd.ims.lti-nrps.v2.membershipcontainer+json` and a token for the scope
`contextmembership.readonly`; large courses come in pages linked by `Link: <…>; rel="next"` (§2.4.2).
Next links are followed only on the origin of the memberships URL, because each request carries our
bearer token.

Members' names and emails are personal data: they are returned for display, never logged (`Member`'s
repr leaves them out).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool import dates
from lti_tool.db import Database
from lti_tool.lti.roles import Role, swott_role
from lti_tool.lti.service_client import LtiServiceClient, PlatformEndpoint, ServiceError
from lti_tool.models import Context, Enrolment, LtiUser, Platform, utcnow
from lti_tool.services.access_tokens import AccessTokens
from lti_tool.services.grades import same_origin
from lti_tool.words import N_

log = logging.getLogger(__name__)

MEMBERSHIP_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MAX_PAGES = 200


@dataclass(frozen=True)
class Member:
    """One course member as the platform lists them (NRPS 2.0 §2.3)."""

    user_id: str  # the platform's `sub` for this person, as in their launches
    roles: tuple[str, ...]
    status: str = "Active"  # Active | Inactive | Deleted
    name: str = field(default="", repr=False)
    given_name: str = field(default="", repr=False)
    family_name: str = field(default="", repr=False)
    email: str = field(default="", repr=False)

    @property
    def active(self) -> bool:
        return self.status == "Active"

    @property
    def role(self) -> Role:
        """The SWOTT role, by the same rule as launches (`lti_tool.lti.roles`)."""
        return swott_role(self.roles)

    @property
    def is_learner(self) -> bool:
        return self.role is Role.LEARNER

    @property
    def is_facilitator(self) -> bool:
        return self.role is Role.FACILITATOR

    @property
    def display_name(self) -> str:
        return self.name or " ".join(p for p in (self.given_name, self.family_name) if p) or self.user_id


RosterError = ServiceError  # the one error class of the LTI services (`lti.service_client`)


# Column sizes of `lti_user` (sub, name, email); NRPS gives no limits, so a platform can send anything.
MAX_FIELD = 255
MAX_ROLES = 50
STATUSES = frozenset({"Active", "Inactive", "Deleted"})


def clean_text(value: object, limit: int = MAX_FIELD) -> str:
    """A roster string safe to store and show: no NUL or other control characters, no lone
    surrogates, at most `limit` characters (PostgreSQL refuses NUL in text; issue 9 defect 4).

    A local stand-in until `lti.claims.clean_text` (the launch side's cleaner) is merged; then this
    should call that one.
    """
    if not isinstance(value, str):
        return ""
    kept = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in value
        if not (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r")
    )
    return " ".join(kept.split())[:limit]


def _member(raw: dict[str, Any]) -> Member | None:
    """One NRPS member, cleaned; None for an entry we cannot use (no usable `user_id`)."""
    user_id = raw.get("user_id")
    # The user_id must match the `sub` of this person's launches exactly, so it is never altered:
    # one that is too long or carries control characters is left out rather than stored changed.
    if not isinstance(user_id, str) or not user_id or len(user_id) > MAX_FIELD or clean_text(user_id) != user_id:
        return None
    roles = raw.get("roles")
    role_list = [r for r in roles if isinstance(r, str) and len(r) <= 1024] if isinstance(roles, list) else []
    status = raw.get("status")
    email = clean_text(raw.get("email"), MAX_FIELD + 1)
    return Member(
        user_id=user_id,
        roles=tuple(role_list[:MAX_ROLES]),
        status=status if status in STATUSES else "Active",  # §2.3: absent status means Active
        name=clean_text(raw.get("name")),
        given_name=clean_text(raw.get("given_name")),
        family_name=clean_text(raw.get("family_name")),
        email=email if len(email) <= MAX_FIELD else "",  # a cut-off address would be wrong, not shorter
    )


class RosterService(LtiServiceClient):
    """Reads a course's members over NRPS with a shared, reused access token (`LtiServiceClient`)."""

    max_pages = MAX_PAGES

    def members(
        self, platform: PlatformEndpoint, memberships_url: str, scopes: Sequence[str] = (SCOPE_NRPS,)
    ) -> list[Member]:
        """Every member of the context, across all pages, in the platform's order (each person once)."""
        if not memberships_url:
            raise RosterError(
                "the platform offered no roster service (NRPS) for this course", status=None, retryable=False
            )
        members: dict[str, Member] = {}
        url: str | None = memberships_url
        seen: set[str] = set()
        pages = 0
        while url and url not in seen:
            if pages >= self.max_pages:
                raise RosterError(f"the roster has more than {self.max_pages} pages", status=None, retryable=False)
            seen.add(url)
            pages += 1
            body, next_url = self._page(platform, url, scopes)
            for raw in body.get("members") or []:
                member = _member(raw) if isinstance(raw, dict) else None
                if member is not None:
                    members.setdefault(member.user_id, member)
            url = next_url if next_url and same_origin(next_url, memberships_url) else None
            if next_url and url is None:
                log.warning(
                    "roster: platform %s sent a next link to another origin; not followed", platform.platform_id
                )
        log.info("roster: %d members in %d page(s) from platform %s", len(members), pages, platform.platform_id)
        return list(members.values())

    def _page(self, platform: PlatformEndpoint, url: str, scopes: Sequence[str]) -> tuple[dict[str, Any], str | None]:
        response = self.request(platform, scopes, "GET", url, what="roster request", accept=MEMBERSHIP_MEDIA_TYPE)
        try:
            body = response.json()
        except ValueError:
            raise RosterError("the roster is not JSON", status=response.status_code, retryable=False) from None
        if not isinstance(body, dict):
            raise RosterError("the roster is not a membership container", status=response.status_code, retryable=False)
        return body, response.links.get("next", {}).get("url")


@dataclass(frozen=True)
class RosterSync:
    """What `sync_enrolments` changed (counts only: no personal data)."""

    members: int
    new_users: int
    new_enrolments: int
    deactivated: int


def sync_enrolments(session: Session, *, context_id: int, members: Sequence[Member]) -> RosterSync:
    """Record every member as a user and enrolment of the course, so the facilitator page lists people
    who have not launched yet ("not started"). The caller commits.

    Members the platform marks Inactive or Deleted, and enrolled people missing from the (complete)
    roster, become inactive enrolments; nothing is deleted, so their progress and reflections stay.
    """
    context = session.get(Context, context_id)
    if context is None:
        raise LookupError(f"no context {context_id}")
    subs = [m.user_id for m in members]
    users = {
        u.sub: u
        for u in session.scalars(
            select(LtiUser).where(LtiUser.platform_id == context.platform_id, LtiUser.sub.in_(subs))
        )
    }
    enrolments = {e.user_id: e for e in session.scalars(select(Enrolment).where(Enrolment.context_id == context.id))}
    new_users = new_enrolments = deactivated = 0
    # New people first, in one flush (a council-wide course lists thousands: one round trip, not one each).
    for member in members:
        if member.user_id not in users:
            user = LtiUser(platform_id=context.platform_id, sub=member.user_id)
            session.add(user)
            users[member.user_id] = user
            new_users += 1
    session.flush()
    listed: set[int] = set()
    for member in members:
        user = users[member.user_id]
        full_name = member.name or " ".join(p for p in (member.given_name, member.family_name) if p)
        if full_name and user.name != full_name[:255]:
            user.name = full_name[:255]
        if member.email and user.email != member.email:
            user.email = member.email
        listed.add(user.id)
        enrolment = enrolments.get(user.id)
        if enrolment is None:
            enrolment = Enrolment(user_id=user.id, context_id=context.id, role=member.role)
            session.add(enrolment)
            enrolments[user.id] = enrolment
            new_enrolments += 1
        elif enrolment.role != member.role:
            enrolment.role = member.role
        if enrolment.active and not member.active:
            deactivated += 1
        if enrolment.active != member.active:
            enrolment.active = member.active
    for user_id, enrolment in enrolments.items():
        if user_id not in listed and enrolment.active:
            enrolment.active = False
            deactivated += 1
    session.flush()
    return RosterSync(len(members), new_users, new_enrolments, deactivated)


ROSTER_MAX_AGE = timedelta(minutes=5)


class RosterStatus(StrEnum):
    """What a facilitator page can say about the course list it shows."""

    FRESH = "fresh"  # fetched within ROSTER_MAX_AGE: not asked again
    REFRESHING = "refreshing"  # a refresh is on its way in the background; the page shows the last list
    NOT_OFFERED = "not_offered"  # the launch carried no NRPS claim
    UNAVAILABLE = "unavailable"  # the last refresh failed: the platform did not answer or refused


NOTICES = {
    RosterStatus.NOT_OFFERED: N_(
        "Your LMS does not share the course list with this tool, so only the people who have opened the activity "
        "appear."
    ),
    RosterStatus.UNAVAILABLE: N_(
        "We could not get the course list from your LMS just now, so only the people who have opened the activity "
        "appear. Reload the page to try again."
    ),
}
FIRST_SYNC_NOTICE = N_(
    "We are fetching the course list from your LMS, so only the people who have opened the activity appear "
    "for now. Reload the page in a moment to see everyone."
)
SYNCED = N_("Course list from your LMS, last updated at %(time)s on %(day)s (UK time).")
"""The notices are English here; the views show them through gettext (the module stays free of Flask)."""


def _english(text: str, **values: object) -> str:
    return text % values if values else text


class Scheduler(Protocol):
    """Runs a task off the request (`lti_tool.background.Background`), once per key at a time."""

    def submit(self, key: str, task: Callable[[], object]) -> bool: ...

    def failed_at(self, key: str) -> datetime | None: ...


@dataclass(frozen=True)
class RosterState:
    status: RosterStatus
    synced_at: datetime | None  # when the list shown last came from the platform (None: never)

    @property
    def notice(self) -> str:
        if self.status is RosterStatus.REFRESHING and self.synced_at is None:
            return FIRST_SYNC_NOTICE
        return NOTICES.get(self.status, "")

    @property
    def synced_text(self) -> str:
        """'Course list from your LMS, last updated at …' for the facilitator pages (UK time)."""
        return self.synced_sentence()

    def synced_sentence(self, translate: Callable[..., str] = _english, language: str = "en") -> str:
        """`synced_text` in a language: the view passes its `gettext` and the request's language."""
        if self.synced_at is None:
            return ""
        # One way of writing times everywhere (docs/dates.md): "2:09pm on Wednesday 2 December 2026".
        return translate(
            SYNCED,
            time=dates.format_time(self.synced_at, language=language),
            day=dates.format_day(self.synced_at, language=language),
        )


def ensure_recent(
    database: Database,
    context_id: int,
    scheduler: Scheduler,
    *,
    redis_url: str = "",
    max_age: timedelta = ROSTER_MAX_AGE,
    now: datetime | None = None,
) -> RosterState:
    """Have the course list refreshed in the background unless it came from the platform within `max_age`.

    Facilitator pages call this on every view. It only reads the database: the NRPS requests (a
    council-wide course has thousands of members over many pages, NRPS 2.0 §2.4; a first sync of
    10,000 took 11 s) run in `scheduler`, never in the page's request (issue 15). The page shows the
    list it has, with when it was last synced; a failed refresh says so, and the next view asks again.
    """
    now = now or utcnow()
    with database.session() as session:
        context = session.get(Context, context_id)
        if context is None or not context.memberships_url:
            return RosterState(RosterStatus.NOT_OFFERED, None)
        synced_at = context.roster_synced_at
    if synced_at is not None and now - synced_at < max_age:
        return RosterState(RosterStatus.FRESH, synced_at)
    key = f"roster:{context_id}"
    failed = scheduler.failed_at(key)
    scheduler.submit(key, lambda: refresh_roster(database, context_id, redis_url=redis_url))
    if failed is not None and (synced_at is None or failed > synced_at):
        return RosterState(RosterStatus.UNAVAILABLE, synced_at)
    return RosterState(RosterStatus.REFRESHING, synced_at)


def refresh_roster(
    database: Database, context_id: int, *, redis_url: str = "", now: datetime | None = None
) -> RosterSync:
    """Fetch the course's members over NRPS and record them (commits). Raises RosterError."""
    with database.session() as session:
        row = session.execute(
            select(Context, Platform).join(Platform, Context.platform_id == Platform.id).where(Context.id == context_id)
        ).one_or_none()
        if row is None:
            raise LookupError(f"no context {context_id}")
        context, platform = row
        endpoint, url = PlatformEndpoint.of(platform), context.memberships_url
    tokens = AccessTokens(database, redis_url=redis_url)
    try:
        members = RosterService(tokens, http=tokens.http).members(endpoint, url)
    finally:
        tokens.close()
    with database.session() as session:
        result = sync_enrolments(session, context_id=context_id, members=members)
        synced = session.get(Context, context_id)
        if synced is not None:
            synced.roster_synced_at = now or utcnow()
        session.commit()
    log.info(
        "roster: context %s has %d members (%d new users, %d new enrolments, %d deactivated)",
        context_id,
        result.members,
        result.new_users,
        result.new_enrolments,
        result.deactivated,
    )
    return result
