"""The domain's registrations, handed to the LTI layer in the shape it asks for (`lti.platforms`).

`lti/` never imports `services/` (issue 17), so the views build these and pass them to the protocol
steps: a `RegistryDirectory` answers "which registration is this, and may it launch" from the
process's cached registry, and `registry_ride_along` lets the launch-state store read the registry
version in the statement it makes anyway (issue 15: one statement fewer per launch).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lti_tool.lti.state_store import RideAlong
from lti_tool.models import Platform
from lti_tool.services import registrations, registry


@dataclass(frozen=True)
class RegistryDirectory:
    """`lti.platforms.PlatformDirectory` over the cached registry of the session's database."""

    session: Session

    def find_platform(self, issuer: str, client_id: str) -> Platform | None:
        return registry.find_platform(self.session, issuer, client_id)

    def platforms_for_issuer(self, issuer: str) -> list[Platform]:
        return registry.platforms_for_issuer(self.session, issuer)

    def may_launch(self, platform: Platform) -> bool:
        return registrations.may_launch(platform)


def registry_ride_along() -> RideAlong:
    """The registry version, read with the launch state (see `services.registry.version_column`)."""
    return RideAlong(column=registry.version_column, note=registry.note_version)
