"""Record a validated launch: upsert the user, the context (course), the resource link and the enrolment.

Called only after every check passed (and the subscription was confirmed), in one transaction, so a
refused launch writes no row. Names and emails are stored because the facilitator dashboard shows them;
they are never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.lti import claims
from lti_tool.lti.launch import ValidatedLaunch
from lti_tool.models import Context, Enrolment, LtiUser, ResourceLink, utcnow


@dataclass(frozen=True)
class RecordedLaunch:
    user_id: int
    context_id: int
    resource_link_id: int | None


def _text(value: Any, limit: int = 255) -> str:
    return str(value)[:limit] if isinstance(value, str | int) else ""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def context_key(launch: ValidatedLaunch) -> str:
    """The platform's context id; a launch without a context (LTI Core 1.3 §5.4.1 makes it optional)
    gets one per deployment, so its users still have somewhere to belong."""
    context_id = _mapping(launch.body.get(claims.CONTEXT)).get("id")
    return _text(context_id) or f"_deployment:{launch.deployment.deployment_id}"


def record_launch(session: Session, launch: ValidatedLaunch, toolkit_id: str = "", part: str = "") -> RecordedLaunch:
    body = launch.body
    platform_id = launch.platform.id
    now = utcnow()

    user = session.scalar(select(LtiUser).where(LtiUser.platform_id == platform_id, LtiUser.sub == body["sub"]))
    if user is None:
        user = LtiUser(platform_id=platform_id, sub=_text(body["sub"]))
        session.add(user)
    name = body.get("name") or " ".join(p for p in (body.get("given_name"), body.get("family_name")) if p)
    if name:
        user.name = _text(name)
    if body.get("email"):
        user.email = _text(body["email"])
    user.last_launch_at = now

    context_claim = _mapping(body.get(claims.CONTEXT))
    key = context_key(launch)
    context = session.scalar(select(Context).where(Context.platform_id == platform_id, Context.context_id == key))
    if context is None:
        context = Context(platform_id=platform_id, context_id=key)
        session.add(context)
    if context_claim.get("title"):
        context.title = _text(context_claim["title"])
    if context_claim.get("label"):
        context.label = _text(context_claim["label"])
    ags = _mapping(body.get(claims.AGS_ENDPOINT))
    if ags.get("lineitems"):
        context.lineitems_url = _text(ags["lineitems"], 1024)
    nrps = _mapping(body.get(claims.NRPS))
    if nrps.get("context_memberships_url"):
        context.memberships_url = _text(nrps["context_memberships_url"], 1024)
    session.flush()

    link = None
    link_claim = _mapping(body.get(claims.RESOURCE_LINK))
    if launch.message_type == claims.RESOURCE_LINK_REQUEST and toolkit_id:
        link_id = _text(link_claim["id"])
        link = session.scalar(
            select(ResourceLink).where(ResourceLink.context_id == context.id, ResourceLink.link_id == link_id)
        )
        if link is None:
            link = ResourceLink(context_id=context.id, link_id=link_id, toolkit_id=toolkit_id, part=part)
            session.add(link)
        link.toolkit_id = toolkit_id
        link.part = part
        if link_claim.get("title"):
            link.title = _text(link_claim["title"])
        if ags.get("lineitem"):
            link.lineitem_url = _text(ags["lineitem"], 1024)
        scopes = ags.get("scope")
        if isinstance(scopes, list):
            link.ags_scopes = [str(s) for s in scopes]

    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.context_id == context.id)
    )
    if enrolment is None:
        session.flush()
        enrolment = Enrolment(user_id=user.id, context_id=context.id, role=launch.role.value)
        session.add(enrolment)
    enrolment.role = launch.role.value
    enrolment.active = True
    session.commit()
    return RecordedLaunch(user_id=user.id, context_id=context.id, resource_link_id=link.id if link else None)
