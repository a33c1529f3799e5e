"""Platform registrations (issuer + client_id) and their deployments, and the values to paste into LMSs.

Keyed by (issuer, client_id) because Canvas uses https://canvas.instructure.com as the issuer of every
cloud instance (LTI Core 1.3 §5.1.2 only promises the issuer identifies the platform *vendor* there).
Registering the same issuer and client again updates that registration (URLs, name, new deployments).
Production accepts only HTTPS platform URLs; development also accepts plain HTTP on loopback, for the
sandbox platform and tests.

Who may register (issue 9, defect 1): anyone can open `/lti/register`, so a Dynamic Registration is
*pending* — it launches nothing and frames nothing (`may_launch`, `framing_platforms`) — until an
operator approves it (`swott platform approve`, or the operator page). An operator who expects a
council can instead make a one-time, expiring invite URL (`swott platform invite`): a registration
through it is active at once. `swott platform add` is run by an operator, so it is active too.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from lti_tool.lti.outbound import is_loopback as is_loopback

# The URL rules and the tool's own addresses belong to the LTI layer (lti/ never imports services/);
# re-exported here for the callers that already use them from this module.
from lti_tool.lti.platforms import RegistrationError as RegistrationError
from lti_tool.lti.platforms import ToolUrls as ToolUrls
from lti_tool.lti.platforms import check_platform_url as check_platform_url
from lti_tool.lti.platforms import find_deployment as find_deployment
from lti_tool.lti.platforms import origin as origin
from lti_tool.models import Deployment, Platform, PlatformStatus, RegisteredBy, RegistrationInvite, utcnow

ACTIVE = PlatformStatus.ACTIVE
PENDING = PlatformStatus.PENDING
INVITE_DAYS = 7


def find_platform(session: Session, issuer: str, client_id: str) -> Platform | None:
    return session.scalar(select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id))


def platforms_for_issuer(session: Session, issuer: str) -> list[Platform]:
    return list(session.scalars(select(Platform).where(Platform.issuer == issuer).order_by(Platform.id)))


def list_platforms(session: Session) -> list[Platform]:
    query = select(Platform).options(selectinload(Platform.deployments)).order_by(Platform.issuer, Platform.client_id)
    return list(session.scalars(query))


def may_launch(platform: Platform) -> bool:
    """The one launch check on a registration: only an approved (active) platform may launch or log in."""
    return platform.status == ACTIVE


def framing_platforms(session: Session) -> list[Platform]:
    """The platforms whose pages may frame ours (CSP frame-ancestors): the active ones only."""
    return [p for p in list_platforms(session) if may_launch(p)]


def pending_platforms(session: Session) -> list[Platform]:
    return [p for p in list_platforms(session) if p.status == PENDING]


def approve_platform(session: Session, platform: Platform, by: str) -> bool:
    """Make a pending registration active, recording who and when. Commits; False if it already was."""
    if platform.status == ACTIVE:
        return False
    platform.status = ACTIVE
    platform.approved_by = by[:255]
    platform.approved_at = utcnow()
    session.commit()
    return True


def add_platform(
    session: Session,
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: Iterable[str] = (),
    name: str = "",
    production: bool = False,
    registered_by: RegisteredBy = RegisteredBy.MANUAL,
    pending: bool = False,
    approved_by: str = "",
    commit: bool = True,
) -> Platform:
    """Create or update a registration and add its deployments (existing ones are kept). Commits.

    An operator's registration (the default; `approved_by` says who, or which invite) is active. With
    `pending` (a Dynamic Registration nobody invited) a new registration waits for approval and an
    existing one keeps its status: registering again never approves a platform, nor suspends one.
    """
    if not client_id.strip():
        raise RegistrationError("the client ID is empty")
    issuer = check_platform_url(issuer, production, "issuer")
    # Moodle's issuer is its wwwroot without a trailing slash, and so is every launch's `iss`: a pasted
    # "https://moodle.council.example/" would otherwise be a second registration no launch ever matches.
    if urlsplit(issuer).path in ("", "/"):
        issuer = issuer.rstrip("/")
    urls = {
        "auth_login_url": check_platform_url(auth_login_url, production, "authentication (OIDC) URL"),
        "auth_token_url": check_platform_url(auth_token_url, production, "access token URL"),
        "key_set_url": check_platform_url(key_set_url, production, "public keyset URL"),
    }
    platform = find_platform(session, issuer, client_id.strip())
    if platform is None:
        platform = Platform(
            issuer=issuer, client_id=client_id.strip(), registered_by=registered_by, status=PENDING, **urls
        )
        session.add(platform)
    else:
        for attribute, value in urls.items():
            if getattr(platform, attribute) != value:
                setattr(platform, attribute, value)
                # A new key set URL means the cached keys are someone else's.
                if attribute == "key_set_url":
                    platform.key_set = None
                    platform.key_set_fetched_at = None
    if name:
        platform.name = name
    for deployment_id in deployment_ids:
        deployment_id = deployment_id.strip()
        if deployment_id and find_deployment(platform, deployment_id) is None:
            platform.deployments.append(Deployment(deployment_id=deployment_id))
    if not pending and platform.status != ACTIVE:
        platform.status = ACTIVE
        platform.approved_by = approved_by[:255]
        platform.approved_at = utcnow()
    if commit:
        session.commit()
    else:
        session.flush()
    return platform


# --- Invites: one-time, expiring Dynamic Registration URLs ----------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invite(
    session: Session, *, label: str = "", created_by: str = "", valid_for: timedelta = timedelta(days=INVITE_DAYS)
) -> tuple[RegistrationInvite, str]:
    """A new invite and its secret token (shown once; only its hash is kept). Commits."""
    if valid_for <= timedelta(0):
        raise RegistrationError("an invite must be valid for some time (for example --days 7)")
    token = secrets.token_urlsafe(24)
    invite = RegistrationInvite(
        token_hash=_token_hash(token),
        label=label.strip()[:255],
        created_by=created_by[:255],
        expires_at=utcnow() + valid_for,
    )
    session.add(invite)
    session.commit()
    return invite, token


INVITE_UNUSABLE = (
    "This registration link has expired or has already been used. Ask the SWOTT Connect team for a new one, "
    "or register with the plain registration URL (the team then approves it)"
)


def usable_invite(session: Session, token: str, now: datetime | None = None) -> RegistrationInvite:
    """The unused, unexpired invite with this token, or a `RegistrationError` saying what to do."""
    invite = session.scalar(select(RegistrationInvite).where(RegistrationInvite.token_hash == _token_hash(token)))
    if invite is None or invite.used_at is not None or invite.expires_at <= (now or utcnow()):
        raise RegistrationError(INVITE_UNUSABLE)
    return invite


def claim_invite(session: Session, invite: RegistrationInvite) -> None:
    """Mark the invite used, atomically: of two registrations racing with one link, one wins. Commits."""
    claimed = session.execute(
        update(RegistrationInvite)
        .where(RegistrationInvite.id == invite.id, RegistrationInvite.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if getattr(claimed, "rowcount", 0) != 1:
        raise RegistrationError(INVITE_UNUSABLE)
    session.refresh(invite)


def release_invite(session: Session, invite: RegistrationInvite) -> None:
    """Give a claimed invite back when the registration it was claimed for did not complete. Commits."""
    session.rollback()
    session.execute(
        update(RegistrationInvite)
        .where(RegistrationInvite.id == invite.id, RegistrationInvite.platform_id.is_(None))
        .values(used_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def list_invites(session: Session) -> list[RegistrationInvite]:
    return list(session.scalars(select(RegistrationInvite).order_by(RegistrationInvite.id.desc())))


BRAND_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def set_brand_colour(session: Session, platform: Platform, colour: str) -> None:
    """Set (or, with "", clear) the colour the player's header uses for this platform's learners. Commits.

    The player still falls back to the default when white text on the colour would fail WCAG 1.4.3.
    """
    colour = colour.strip()
    if colour and not BRAND_COLOUR.match(colour):
        raise RegistrationError(f"the brand colour must look like #1d4f91, not {colour!r}")
    platform.brand_colour = colour.lower()
    session.commit()


def remove_platform(session: Session, issuer: str, client_id: str | None = None) -> int:
    """Remove a registration (with its deployments, subscriptions, users and courses). Commits."""
    platforms = platforms_for_issuer(session, issuer)
    if client_id is not None:
        platforms = [p for p in platforms if p.client_id == client_id]
    elif len(platforms) > 1:
        raise RegistrationError(f"{issuer} has {len(platforms)} registrations: say which with --client-id")
    for platform in platforms:
        session.delete(platform)
    session.commit()
    return len(platforms)


def resolve_platform(session: Session, issuer: str, client_id: str | None) -> Platform:
    """The one registration an operator means, or a sentence saying why it is ambiguous or missing."""
    platforms = platforms_for_issuer(session, issuer)
    if client_id is not None:
        platforms = [p for p in platforms if p.client_id == client_id]
    if not platforms:
        raise RegistrationError(
            f"no platform is registered with issuer {issuer}" + (f" and client ID {client_id}" if client_id else "")
        )
    if len(platforms) > 1:
        raise RegistrationError(f"{issuer} has {len(platforms)} registrations: say which with --client-id")
    return platforms[0]
