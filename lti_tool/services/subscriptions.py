"""Subscriptions: which toolkits a platform (optionally one deployment) may launch, and until when.

Toolkits are sold by subscription. A platform that has just registered has none until an operator
grants them. A subscription with no toolkit covers every toolkit, including ones published later.

Every grant records who made it (and when: `created_at`); a revocation is recorded on the row (who and
when) instead of deleting it, so the operator page and `swott subscription list --all` can answer "who
gave or took this council's access, and when".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Deployment, Platform, Subscription, utcnow
from lti_tool.services.registrations import RegistrationError, find_deployment


def grant(
    session: Session,
    platform: Platform,
    toolkit_ids: Iterable[str | None],
    *,
    deployment_id: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    granted_by: str = "",
) -> list[Subscription]:
    """Add subscriptions (`None` in `toolkit_ids` means all toolkits). Commits."""
    deployment = _deployment(platform, deployment_id)
    starts_on = starts_on or date.today()
    if ends_on is not None and ends_on < starts_on:
        raise RegistrationError("the last day of a subscription cannot be before its first day")
    created = []
    for toolkit_id in toolkit_ids:
        subscription = Subscription(
            platform=platform,
            deployment=deployment,
            toolkit_id=toolkit_id,
            starts_on=starts_on,
            ends_on=ends_on,
            granted_by=granted_by[:255],
        )
        session.add(subscription)
        created.append(subscription)
    session.commit()
    return created


def revoke(
    session: Session,
    platform: Platform,
    toolkit_ids: Iterable[str | None],
    *,
    deployment_id: str | None = None,
    revoked_by: str = "",
) -> int:
    """Revoke the matching subscriptions (`None` = the all-toolkits ones). Commits; returns how many."""
    deployment = _deployment(platform, deployment_id)
    wanted = set(toolkit_ids)
    revoked = 0
    for subscription in list(platform.subscriptions):
        if (
            subscription.revoked_at is None
            and subscription.toolkit_id in wanted
            and subscription.deployment_id == (deployment.id if deployment else None)
        ):
            _mark_revoked(subscription, revoked_by)
            revoked += 1
    session.commit()
    return revoked


def revoke_subscription(session: Session, subscription: Subscription, revoked_by: str) -> bool:
    """Revoke one subscription (the operator page's button). Commits; False if it already was."""
    if subscription.revoked_at is not None:
        return False
    _mark_revoked(subscription, revoked_by)
    session.commit()
    return True


def _mark_revoked(subscription: Subscription, revoked_by: str) -> None:
    subscription.revoked_at = utcnow()
    subscription.revoked_by = revoked_by[:255]


def _deployment(platform: Platform, deployment_id: str | None) -> Deployment | None:
    if deployment_id is None:
        return None
    deployment = find_deployment(platform, deployment_id)
    if deployment is None:
        raise RegistrationError(f"deployment {deployment_id!r} is not registered for this platform")
    return deployment


def active_subscriptions(
    session: Session, platform_id: int, deployment: Deployment | None, today: date | None = None
) -> list[Subscription]:
    today = today or date.today()
    query = select(Subscription).where(Subscription.platform_id == platform_id, Subscription.revoked_at.is_(None))
    rows = session.scalars(query)
    return [
        s
        for s in rows
        if s.active_on(today)
        and (s.deployment_id is None or (deployment is not None and s.deployment_id == deployment.id))
    ]


def is_subscribed(
    session: Session, platform_id: int, deployment: Deployment | None, toolkit_id: str, today: date | None = None
) -> bool:
    return any(
        s.toolkit_id in (None, toolkit_id) for s in active_subscriptions(session, platform_id, deployment, today)
    )


def subscribed_toolkit_ids(
    session: Session,
    platform_id: int,
    deployment: Deployment | None,
    catalogue_ids: Iterable[str],
    today: date | None = None,
) -> list[str]:
    """The catalogue's toolkits this platform may use today, in catalogue order."""
    active = active_subscriptions(session, platform_id, deployment, today)
    everything = any(s.toolkit_id is None for s in active)
    named = {s.toolkit_id for s in active}
    return [t for t in catalogue_ids if everything or t in named]


def list_subscriptions(
    session: Session, platform: Platform | None = None, *, include_revoked: bool = False
) -> list[Subscription]:
    query = select(Subscription).order_by(Subscription.platform_id, Subscription.id)
    if platform is not None:
        query = query.where(Subscription.platform_id == platform.id)
    if not include_revoked:
        query = query.where(Subscription.revoked_at.is_(None))
    return list(session.scalars(query))
