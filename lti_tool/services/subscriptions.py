"""Subscriptions: which toolkits a platform (optionally one deployment) may launch, and until when.

Toolkits are sold by subscription. A platform that has just registered has none until an operator
grants them. A subscription with no toolkit covers every toolkit, including ones published later.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Deployment, Platform, Subscription
from lti_tool.services.registrations import RegistrationError, find_deployment


def grant(
    session: Session,
    platform: Platform,
    toolkit_ids: Iterable[str | None],
    *,
    deployment_id: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> list[Subscription]:
    """Add subscriptions (`None` in `toolkit_ids` means all toolkits). Commits."""
    deployment = _deployment(platform, deployment_id)
    created = []
    for toolkit_id in toolkit_ids:
        subscription = Subscription(
            platform=platform,
            deployment=deployment,
            toolkit_id=toolkit_id,
            starts_on=starts_on or date.today(),
            ends_on=ends_on,
        )
        session.add(subscription)
        created.append(subscription)
    session.commit()
    return created


def revoke(
    session: Session, platform: Platform, toolkit_ids: Iterable[str | None], *, deployment_id: str | None = None
) -> int:
    """Delete the matching subscriptions (`None` = the all-toolkits ones). Commits; returns how many."""
    deployment = _deployment(platform, deployment_id)
    wanted = set(toolkit_ids)
    removed = 0
    for subscription in list(platform.subscriptions):
        if subscription.toolkit_id in wanted and subscription.deployment_id == (deployment.id if deployment else None):
            session.delete(subscription)
            removed += 1
    session.commit()
    return removed


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
    query = select(Subscription).where(Subscription.platform_id == platform_id)
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


def list_subscriptions(session: Session, platform: Platform | None = None) -> list[Subscription]:
    query = select(Subscription).order_by(Subscription.platform_id, Subscription.id)
    if platform is not None:
        query = query.where(Subscription.platform_id == platform.id)
    return list(session.scalars(query))
