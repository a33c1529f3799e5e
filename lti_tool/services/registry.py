"""Registrations, deployments, platform key sets and subscriptions, cached in each process.

A launch needs the platform (issuer + client id), its deployments, its key set and its subscriptions;
every response needs the frame-ancestors origins. Reading them from the database on every request was
most of a launch's SQL (issue 15). Here each process keeps one snapshot and checks one integer,
`registry_version.version`, once per database session (a request): a change in any process bumps that
integer in the same transaction as the change, so every other process reloads on its next request —
"at once", not after a time-to-live (issue 9, defect 9).

The bump is automatic: a `before_flush` hook on every SQLAlchemy session sees new, changed or deleted
`Platform`, `Deployment` and `Subscription` rows (the platform key set is a column of `Platform`, so a
key refresh counts too). Changes made outside the ORM (raw SQL, a database restore) are seen after
`bump_version` or a restart.

See docs/launch.md. The snapshot holds detached ORM objects with their deployments and subscriptions loaded: read them,
never add them to a session or change them.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.selectable import ScalarSelect

from lti_tool.models import Deployment, Platform, RegistryVersion, Subscription
from lti_tool.services.registrations import may_launch, origin

_WATCHED = (Platform, Deployment, Subscription)
_SESSION_VERSION = "swott.registry_version"
CANVAS_CLOUD_ISSUER = "https://canvas.instructure.com"


@dataclass(frozen=True)
class Snapshot:
    """Every registration as of one `registry_version`."""

    version: int
    by_key: dict[tuple[str, str], Platform] = field(default_factory=dict)
    by_id: dict[int, Platform] = field(default_factory=dict)
    by_issuer: dict[str, list[Platform]] = field(default_factory=dict)
    frame_ancestors: tuple[str, ...] = ()


def frame_ancestor_origins(platforms: Iterable[Platform]) -> tuple[str, ...]:
    """Origins allowed to frame us: each platform's issuer and login origins.

    Canvas cloud's issuer (canvas.instructure.com) is not the council's Canvas host, which is a
    subdomain of instructure.com, so Canvas registrations allow that wildcard.
    """
    origins: set[str] = set()
    for platform in platforms:
        for url in (platform.issuer, platform.auth_login_url):
            value = origin(url)
            if value:
                origins.add(value)
        if origin(platform.issuer) == CANVAS_CLOUD_ISSUER:
            origins.add("https://*.instructure.com")
    return tuple(sorted(origins))


def current_version(session: Session) -> int:
    """The registry version, read once per session transaction (one cheap primary-key read)."""
    cached = session.info.get(_SESSION_VERSION)
    if cached is not None:
        return int(cached)
    value = session.scalar(select(RegistryVersion.version).where(RegistryVersion.id == 1))
    version = -1 if value is None else int(value)
    session.info[_SESSION_VERSION] = version
    return version


def version_column() -> ScalarSelect[int]:
    """The version as a scalar subquery, to ride along in a query a request makes anyway."""
    return select(RegistryVersion.version).where(RegistryVersion.id == 1).scalar_subquery()


def note_version(session: Session, value: int | None) -> None:
    """Remember a version read through `version_column` for the rest of the session's transaction."""
    session.info[_SESSION_VERSION] = -1 if value is None else int(value)


def bump_version(session: Session) -> None:
    """Tell every process its cached registrations are stale (in the caller's transaction)."""
    session.connection().execute(
        update(RegistryVersion).where(RegistryVersion.id == 1).values(version=RegistryVersion.version + 1)
    )
    session.info.pop(_SESSION_VERSION, None)


@event.listens_for(Session, "before_flush")
def _bump_on_change(session: Session, _context: Any, _instances: Any) -> None:
    changed = any(isinstance(obj, _WATCHED) for obj in (*session.new, *session.deleted)) or any(
        isinstance(obj, _WATCHED) and session.is_modified(obj) for obj in session.dirty
    )
    if changed:
        bump_version(session)


@event.listens_for(Session, "after_rollback")
def _forget_version(session: Session) -> None:
    # Kept across a commit (a request reads the version once, not once per transaction), but a
    # rollback may have undone our own bump.
    session.info.pop(_SESSION_VERSION, None)


def usable(platform: Platform) -> bool:
    """Whether a registration may frame the tool: approved (active) platforms only. Pending ones stay
    in the snapshot so a launch from them meets the plain "not approved yet" refusal
    (`registrations.may_launch`, checked by login and launch), not "unknown platform"."""
    return may_launch(platform)


class Registry:
    """One process's snapshot of the registrations, reloaded when the version moves. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.loads = 0  # how many times the snapshot was (re)built: tests and benchmarks read it

    def snapshot(self, session: Session) -> Snapshot:
        version = current_version(session)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version and version >= 0:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.version != version or version < 0:
                snapshot = self._snapshot = self._load(session, version)
        return snapshot

    def _load(self, session: Session, version: int) -> Snapshot:
        # Its own session: the objects are detached at once and never tied to the caller's transaction.
        # The snapshot is labelled with the version *it* read, first: if the caller's transaction has
        # bumped the version but not committed, the label stays older, so the next call reloads.
        with Session(bind=session.get_bind(), expire_on_commit=False) as own:
            value = own.scalar(select(RegistryVersion.version).where(RegistryVersion.id == 1))
            version = -1 if value is None else int(value)
            query = select(Platform).options(selectinload(Platform.deployments), selectinload(Platform.subscriptions))
            platforms = list(own.scalars(query.order_by(Platform.id)))
            own.expunge_all()
        self.loads += 1
        by_issuer: dict[str, list[Platform]] = {}
        for platform in platforms:
            by_issuer.setdefault(platform.issuer, []).append(platform)
        return Snapshot(
            version=version,
            by_key={(p.issuer, p.client_id): p for p in platforms},
            by_id={p.id: p for p in platforms},
            by_issuer=by_issuer,
            frame_ancestors=frame_ancestor_origins(p for p in platforms if usable(p)),
        )


_REGISTRIES: weakref.WeakKeyDictionary[Engine, Registry] = weakref.WeakKeyDictionary()
_REGISTRIES_LOCK = threading.Lock()


def registry_for(session: Session) -> Registry:
    """The registry of the session's engine: one per app (or CLI, or worker) and database."""
    engine = session.get_bind().engine
    registry = _REGISTRIES.get(engine)
    if registry is None:
        with _REGISTRIES_LOCK:
            registry = _REGISTRIES.setdefault(engine, Registry())
    return registry


def find_platform(session: Session, issuer: str, client_id: str) -> Platform | None:
    """The registration a login or launch names, or None: the one lookup every launch goes through."""
    return registry_for(session).snapshot(session).by_key.get((issuer, client_id))


def platforms_for_issuer(session: Session, issuer: str) -> list[Platform]:
    return list(registry_for(session).snapshot(session).by_issuer.get(issuer, []))


def platform_by_id(session: Session, platform_id: int) -> Platform | None:
    return registry_for(session).snapshot(session).by_id.get(platform_id)


def frame_ancestors(session: Session) -> tuple[str, ...]:
    """The origins that may frame the tool (CSP `frame-ancestors`), as of this request."""
    return registry_for(session).snapshot(session).frame_ancestors


def is_subscribed(
    platform: Platform, deployment: Deployment | None, toolkit_id: str, today: date | None = None
) -> bool:
    """Whether a cached platform may launch `toolkit_id` today (the rules of `services.subscriptions`)."""
    today = today or date.today()
    return any(
        s.active_on(today)
        and (s.deployment_id is None or (deployment is not None and s.deployment_id == deployment.id))
        and s.toolkit_id in (None, toolkit_id)
        for s in platform.subscriptions
    )
