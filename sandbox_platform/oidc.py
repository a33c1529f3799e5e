"""Checks on the tool's authentication request (LTI Security 1.0 §5.1.1.2, OpenID Connect Core §3.1.2).

The order matters: until `client_id` and `redirect_uri` are known to belong together, an error must
be shown here and never sent to the redirect URI (OIDC Core §3.1.2.6), or the endpoint would be an
open redirector. After that, errors go back to the tool as a form post with `error`,
`error_description` and `state`, as Moodle's mod/lti/auth.php does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sandbox_platform.model import PendingLaunch, Tool


class AuthRequestError(Exception):
    """A refused authentication request; `redirectable` says whether the tool may be told."""

    def __init__(self, error: str, description: str, *, redirectable: bool) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.redirectable = redirectable


@dataclass(frozen=True)
class AuthRequest:
    tool: Tool
    redirect_uri: str
    nonce: str
    state: str
    launch: PendingLaunch


def validate_auth_request(
    params: Mapping[str, str],
    *,
    find_tool: Callable[[str], Tool | None],
    find_launch: Callable[[str], PendingLaunch | None],
    hint_lifetime: int,
    now: float | None = None,
) -> AuthRequest:
    """Check every parameter of the authentication request; return what the id_token needs.

    Does not consume the launch: the caller marks it used once it answers.
    """
    client_id = params.get("client_id", "")
    tool = find_tool(client_id) if client_id else None
    if tool is None:
        raise AuthRequestError("unauthorized_client", "client_id is missing or not registered", redirectable=False)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in tool.redirect_uris:
        raise AuthRequestError(
            "invalid_request", "redirect_uri is not one of the tool's registered redirect URIs", redirectable=False
        )

    def refuse(error: str, description: str) -> AuthRequestError:
        return AuthRequestError(error, description, redirectable=True)

    if params.get("scope", "").split() != ["openid"]:
        raise refuse("invalid_scope", "scope must be openid")
    if params.get("response_type") != "id_token":
        raise refuse("unsupported_response_type", "response_type must be id_token")
    if params.get("response_mode") != "form_post":
        raise refuse("invalid_request", "response_mode must be form_post")
    if params.get("prompt") != "none":
        raise refuse("invalid_request", "prompt must be none")
    nonce = params.get("nonce", "")
    if not nonce:
        raise refuse("invalid_request", "nonce is required")
    login_hint = params.get("login_hint", "")
    if not login_hint:
        raise refuse("invalid_request", "login_hint is required")
    message_hint = params.get("lti_message_hint", "")
    launch = find_launch(message_hint) if message_hint else None
    if launch is None or launch.client_id != tool.client_id:
        raise refuse("invalid_request", "lti_message_hint does not match a launch this platform started")
    if launch.used:
        raise refuse("invalid_request", "this launch has already been used; start it again from the course")
    if (now if now is not None else time.time()) - launch.created > hint_lifetime:
        raise refuse("login_required", "this launch has expired; start it again from the course")
    if launch.user_key != login_hint:
        # The user signed in to the platform must be the one the launch was started for.
        raise refuse("login_required", "login_hint does not match the user who started the launch")
    return AuthRequest(tool=tool, redirect_uri=redirect_uri, nonce=nonce, state=params.get("state", ""), launch=launch)
