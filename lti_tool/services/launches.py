"""Record a validated launch: upsert the user, the context (course), the resource link and the enrolment.

Called only after every check passed (routing and the subscription included) and the nonce was spent,
in one transaction, so a refused launch writes no row. Names and emails are stored because the
facilitator dashboard shows them; they are never logged.

Each row is one `INSERT … ON CONFLICT … DO UPDATE … RETURNING id` (PostgreSQL 9.5+, SQLite 3.35+):
four statements for a whole launch, and two first launches of the same person or course racing each
other both succeed (the loser's insert becomes an update) instead of one failing with an
IntegrityError (issue 15, item 6). Text claims pass through `claims.clean_text` first (no NUL or
control characters, bounded length: issue 9, defect 4); identifiers were checked by the validator.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lti_tool.db import Base
from lti_tool.lti import claims
from lti_tool.lti.claims import clean_text
from lti_tool.lti.launch import ValidatedLaunch
from lti_tool.models import Context, Enrolment, LtiUser, ResourceLink, utcnow


@dataclass(frozen=True)
class RecordedLaunch:
    user_id: int
    context_id: int
    resource_link_id: int | None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def context_key(launch: ValidatedLaunch) -> str:
    """The platform's context id; a launch without a context (LTI Core 1.3 §5.4.1 makes it optional)
    gets one per deployment, so its users still have somewhere to belong."""
    context_id = _mapping(launch.body.get(claims.CONTEXT)).get("id")
    # The validator refused ids over 255 characters or with control characters (`clean_identifier`).
    return str(context_id) if context_id not in (None, "") else f"_deployment:{launch.deployment.deployment_id}"


def upsert(session: Session, model: type[Base], keys: Mapping[str, Any], values: Mapping[str, Any]) -> int:
    """Insert the row named by `keys` or update it with `values`, in one statement; its id.

    The conflict target is the model's unique constraint over `keys`. Only PostgreSQL and SQLite are
    supported (the two databases the tool runs on).
    """
    table = model.__table__
    assert isinstance(table, Table)
    statement = _upsert_statement(session.get_bind().dialect.name, table, tuple(keys), tuple(values))
    return int(session.execute(statement, {**keys, **values}).scalar_one())


@functools.lru_cache(maxsize=64)
def _upsert_statement(dialect: str, table: Table, keys: tuple[str, ...], values: tuple[str, ...]) -> Any:
    """The upsert for these column names, built once per process with bound parameters.

    Building the statement (the `excluded` columns, the conflict clause) was a third of a launch's
    database time (issue 15); only the values differ between launches.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in (*keys, *values)})
    # With nothing to change, a no-op update still returns the existing row's id.
    changes = {name: statement.excluded[name] for name in values} or {name: statement.excluded[name] for name in keys}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=changes).returning(table.c.id)


def _present(**values: str) -> dict[str, str]:
    """The values the launch actually sent: an absent claim never blanks what an earlier launch stored."""
    return {name: value for name, value in values.items() if value}


def record_launch(session: Session, launch: ValidatedLaunch, toolkit_id: str = "", part: str = "") -> RecordedLaunch:
    """Upsert the launch's rows (four statements) and commit."""
    body = launch.body
    platform_id = launch.platform.id
    now = utcnow()

    name = clean_text(body.get("name")) or clean_text(
        " ".join(clean_text(body.get(p)) for p in ("given_name", "family_name") if clean_text(body.get(p)))
    )
    user_id = upsert(
        session,
        LtiUser,
        {"platform_id": platform_id, "sub": str(body["sub"])},
        {"last_launch_at": now, **_present(name=name, email=clean_text(body.get("email")))},
    )

    context_claim = _mapping(body.get(claims.CONTEXT))
    ags = _mapping(body.get(claims.AGS_ENDPOINT))
    nrps = _mapping(body.get(claims.NRPS))
    context_id = upsert(
        session,
        Context,
        {"platform_id": platform_id, "context_id": context_key(launch)},
        _present(
            title=clean_text(context_claim.get("title")),
            label=clean_text(context_claim.get("label")),
            lineitems_url=clean_text(ags.get("lineitems"), claims.MAX_URL),
            memberships_url=clean_text(nrps.get("context_memberships_url"), claims.MAX_URL),
        ),
    )

    link_id = None
    if launch.message_type == claims.RESOURCE_LINK_REQUEST and toolkit_id:
        link_claim = _mapping(body.get(claims.RESOURCE_LINK))
        values: dict[str, Any] = {
            "toolkit_id": toolkit_id,
            "part": part,
            **_present(
                title=clean_text(link_claim.get("title")),
                lineitem_url=clean_text(ags.get("lineitem"), claims.MAX_URL),
            ),
        }
        scopes = ags.get("scope")
        if isinstance(scopes, list):
            values["ags_scopes"] = [clean_text(s, claims.MAX_URL) for s in scopes if clean_text(s, claims.MAX_URL)]
        link_id = upsert(session, ResourceLink, {"context_id": context_id, "link_id": str(link_claim["id"])}, values)

    upsert(
        session,
        Enrolment,
        {"user_id": user_id, "context_id": context_id},
        {"role": launch.role.value, "active": True, "updated_at": now},
    )
    session.commit()
    return RecordedLaunch(user_id=user_id, context_id=context_id, resource_link_id=link_id)
