"""Storing an LTI Dynamic Registration: the domain half of `lti.dynamic_registration`.

The protocol module fetches the platform's configuration and sends our client registration; this one
decides what the registration becomes. Through an operator's invite it is active at once and the
invite is used up; otherwise it waits for an operator's approval (`services.registrations`, issue 9
defect 1). The same issuer and client id registered again update that registration
(`registrations.add_platform`), never add a second one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lti_tool.lti import dynamic_registration
from lti_tool.lti.platforms import ToolUrls
from lti_tool.models import Platform, RegisteredBy, RegistrationInvite
from lti_tool.services import registrations

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistrationResult:
    platform: Platform
    deployment_id: str


def register(
    session: Session,
    openid_configuration: str,
    registration_token: str,
    urls: ToolUrls,
    production: bool,
    invite: RegistrationInvite | None = None,
) -> RegistrationResult:
    """Run the whole registration; commits the platform and deployment (pending unless `invite`).

    The invite is claimed before the platform is asked (so one link registers one platform even when
    two registrations race) and given back if the registration does not complete.
    """
    config = dynamic_registration.fetch_configuration(openid_configuration, registration_token, production)
    metadata = dynamic_registration.client_metadata(urls, dynamic_registration.wanted_scopes(config))
    if invite is not None:
        registrations.claim_invite(session, invite)
    try:
        answer = dynamic_registration.send_registration(config, metadata, registration_token, production)
        result = _store(session, answer, production, invite)
    except Exception:
        if invite is not None:
            registrations.release_invite(session, invite)
        raise
    log.info("dynamic registration complete: platform=%s status=%s", result.platform.id, result.platform.status)
    return result


def _store(
    session: Session,
    answer: dynamic_registration.PlatformRegistration,
    production: bool,
    invite: RegistrationInvite | None,
) -> RegistrationResult:
    approved_by = ""
    if invite is not None:
        approved_by = f"invite {invite.label or invite.id} (made by {invite.created_by or 'an operator'})"
    platform = registrations.add_platform(
        session,
        issuer=answer.issuer,
        client_id=answer.client_id,
        auth_login_url=answer.auth_login_url,
        auth_token_url=answer.auth_token_url,
        key_set_url=answer.key_set_url,
        deployment_ids=[answer.deployment_id] if answer.deployment_id else [],
        name=answer.name,
        production=production,
        registered_by=RegisteredBy.DYNAMIC,
        pending=invite is None,
        approved_by=approved_by,
        commit=False,
    )
    if invite is not None:
        invite.platform_id = platform.id
    session.commit()
    return RegistrationResult(platform=platform, deployment_id=answer.deployment_id)
