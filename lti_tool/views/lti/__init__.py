"""The LTI endpoints platforms and LMS administrators use (ARCHITECTURE.md "Public interfaces"), one
module per step: `oidc` (`/lti/login`), `launch` (`/lti/launch`), `deep_linking` (`/lti/deep-link`),
`registration` (`/lti/register`, `/lti/canvas.json`) and `jwks` (`/lti/jwks.json`).

All are on one blueprint, `lti` (`common.bp`), so every endpoint is `lti.<view>`. The protocol itself
is in `lti_tool/lti/`; these views wire it to the domain (`services/`), which `lti/` never imports.
Framing (CSP frame-ancestors) is `lti_tool/framing.py`.
"""

from __future__ import annotations

from lti_tool.launch_targets import LaunchTargets
from lti_tool.views.lti import deep_linking, jwks, launch, oidc, registration
from lti_tool.views.lti.common import bp

__all__ = ["bp", "deep_linking", "jwks", "launch", "oidc", "register_launch_targets", "registration"]


def register_launch_targets(targets: LaunchTargets) -> None:
    """A facilitator's Deep Linking request opens the toolkit picker."""
    targets.add("lti.deep_link", deep_linking.picker_page)
