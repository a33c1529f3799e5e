"""The sandbox platform's state and its Python API (what tests and `swott demo` call).

Everything lives in this object's memory, behind one lock: the sandbox is one process and forgets
everything when it stops. That is deliberate — it is a place to try the tool, not an LMS.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from sandbox_platform import ags, claims
from sandbox_platform.config import PlatformConfig
from sandbox_platform.keys import SigningKey
from sandbox_platform.model import (
    ALL_SCOPES,
    DEEP_LINKING_REQUEST,
    DEEP_LINKING_RESPONSE,
    DL,
    LTI,
    RESOURCE_LINK_REQUEST,
    ROLE_INSTITUTION_STAFF,
    ROLE_INSTITUTION_STUDENT,
    ROLE_INSTRUCTOR,
    ROLE_LEARNER,
    AccessToken,
    Course,
    DeepLinkRequest,
    Grade,
    LineItem,
    PendingLaunch,
    Placement,
    ScoreRecord,
    Tool,
    User,
)
from sandbox_platform.oidc import AuthRequest, validate_auth_request
from sandbox_platform.registration import ClientRegistration, RegistrationError, registration_response
from sandbox_platform.script import Script
from sandbox_platform.toolkeys import ToolKeys, ToolTokenError

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class DeepLinkError(Exception):
    """A refused deep linking response; the message says why."""


class TokenError(Exception):
    """A refused access token request (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class DeepLinkResult:
    """What a deep linking response did: the placements added and the tool's messages for the user."""

    placements: list[Placement]
    msg: str = ""
    errormsg: str = ""


@dataclass
class TokenRequest:
    """One call to the token endpoint, as tests count them."""

    client_id: str
    scopes: list[str]
    granted: bool
    reason: str = ""


def _people() -> list[User]:
    # Fictional people; the email domain is reserved for examples (RFC 2606).
    staff = (ROLE_INSTRUCTOR, ROLE_INSTITUTION_STAFF)
    student = (ROLE_LEARNER, ROLE_INSTITUTION_STUDENT)
    return [
        User("facilitator", "1001", "Jordan", "Reyes", "jordan.reyes@example.org", staff),
        User("learner1", "2001", "Sam", "Okafor", "sam.okafor@example.org", student),
        User("learner2", "2002", "Chris", "Nowak", "chris.nowak@example.org", student),
        User("learner3", "2003", "Taylor", "Brennan", "taylor.brennan@example.org", student),
    ]


@dataclass
class _State:
    tools: dict[str, Tool] = field(default_factory=dict)
    placements: dict[str, Placement] = field(default_factory=dict)
    line_items: dict[str, LineItem] = field(default_factory=dict)
    grades: dict[tuple[str, str], Grade] = field(default_factory=dict)
    launches: dict[str, PendingLaunch] = field(default_factory=dict)
    deep_links: dict[str, DeepLinkRequest] = field(default_factory=dict)
    registration_tokens: dict[str, float] = field(default_factory=dict)
    registration_updates: dict[str, str] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    seen_jtis: dict[str, float] = field(default_factory=dict)
    seen_dl_nonces: dict[str, float] = field(default_factory=dict)
    scores: list[ScoreRecord] = field(default_factory=list)
    token_requests: list[TokenRequest] = field(default_factory=list)
    next_type_id: int = 1
    next_line_item: int = 1


class Platform:
    """A small LTI 1.3 platform: one course, four people, any number of tools."""

    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self.key = SigningKey()
        self.tool_keys = ToolKeys()
        self.course = Course(id="course-1", label="SANDBOX101", title="Sandbox course")
        self.users = {user.key: user for user in _people()}
        self._state = _State()
        self._lock = threading.RLock()
        #: Faults, delays and other LMSs' answers that tests and demos in this process script (never over HTTP).
        self.script = Script()

    # ----- people and tools -------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.config.issuer

    @property
    def facilitator(self) -> User:
        return self.users["facilitator"]

    @property
    def learners(self) -> list[User]:
        return [user for user in self.users.values() if not user.is_instructor]

    def user(self, key_or_sub: str) -> User:
        """A user by handle ("learner1") or by `sub`."""
        if key_or_sub in self.users:
            return self.users[key_or_sub]
        for user in self.users.values():
            if user.sub == key_or_sub:
                return user
        raise KeyError(f"no sandbox user {key_or_sub!r}")

    @property
    def tools(self) -> list[Tool]:
        with self._lock:
            return list(self._state.tools.values())

    def tool(self, client_id: str | None = None) -> Tool:
        """The tool with `client_id`, or the only (latest) registered tool when it is None."""
        with self._lock:
            if client_id is None:
                if not self._state.tools:
                    raise LookupError("no tool is registered with the sandbox platform yet")
                return list(self._state.tools.values())[-1]
            return self._state.tools[client_id]

    def find_tool(self, client_id: str) -> Tool | None:
        with self._lock:
            return self._state.tools.get(client_id)

    def register_tool(
        self,
        *,
        initiate_login_uri: str,
        redirect_uris: Iterable[str],
        jwks_uri: str,
        target_link_uri: str | None = None,
        name: str = "Tool",
        client_id: str | None = None,
        deep_linking_uri: str = "",
        scopes: Iterable[str] = ALL_SCOPES,
        custom: dict[str, str] | None = None,
        registration: dict[str, Any] | None = None,
    ) -> Tool:
        """Register a tool by hand (what an LMS administrator types into Moodle's manual form)."""
        redirect_uris = list(redirect_uris)
        with self._lock:
            type_id = self._state.next_type_id
            self._state.next_type_id += 1
            tool = Tool(
                client_id=client_id or secrets.token_urlsafe(12),
                name=name,
                initiate_login_uri=initiate_login_uri,
                redirect_uris=redirect_uris,
                jwks_uri=jwks_uri,
                target_link_uri=target_link_uri or redirect_uris[0],
                # Moodle uses the tool type id as the deployment id; keep it a string as the spec says.
                deployment_id=str(type_id),
                type_id=type_id,
                scopes=frozenset(scopes),
                deep_linking_uri=deep_linking_uri,
                custom=dict(custom or {}),
                registration=dict(registration or {}),
            )
            self._state.tools[tool.client_id] = tool
            return tool

    # ----- placements -------------------------------------------------------------------------

    @property
    def placements(self) -> list[Placement]:
        with self._lock:
            return list(self._state.placements.values())

    def placement(self, placement_id: str) -> Placement:
        with self._lock:
            return self._state.placements[placement_id]

    def add_placement(
        self,
        *,
        title: str,
        client_id: str | None = None,
        url: str | None = None,
        custom: dict[str, str] | None = None,
        text: str = "",
        line_item: dict[str, Any] | None = None,
        due: datetime | None = None,
    ) -> Placement:
        """Add a resource link to the course; `line_item` ({label, scoreMaximum, resourceId, tag}) adds a column."""
        tool = self.tool(client_id)
        with self._lock:
            placement = Placement(
                id=secrets.token_hex(8),
                client_id=tool.client_id,
                title=title,
                url=url or tool.target_link_uri,
                custom=dict(custom or {}),
                text=text,
                due=due,
            )
            if line_item is not None:
                fields = ags.validate_line_item(line_item)
                if due is not None and "end_date_time" not in fields:
                    fields["end_date_time"] = due.isoformat()
                item = self._new_line_item(tool.client_id, resource_link_id=placement.id, **fields)
                placement.line_item_id = item.id
            self._state.placements[placement.id] = placement
            return placement

    # ----- launches ---------------------------------------------------------------------------

    def begin_launch(self, *, user: str, client_id: str, message_type: str, placement_id: str | None) -> PendingLaunch:
        """Record a launch the platform is beginning for `user` (its single-use `lti_message_hint`), as a
        learner's or teacher's click does; `launch_url` and a test's forged launch both begin here."""
        launch = PendingLaunch(
            hint=secrets.token_urlsafe(16),
            client_id=client_id,
            user_key=self.user(user).key,
            message_type=message_type,
            placement_id=placement_id,
            created=time.time(),
        )
        with self._lock:
            # Forget launches nobody finished, so a long-running demo does not grow without bound.
            cutoff = launch.created - self.config.launch_hint_lifetime
            self._state.launches = {h: v for h, v in self._state.launches.items() if v.created > cutoff}
            self._state.launches[launch.hint] = launch
        return launch

    def login_initiation(self, launch: PendingLaunch, storage_target: str = "") -> tuple[str, dict[str, str]]:
        """The tool's initiate-login URL and the parameters of third-party initiated login (Security §5.1.1.1).

        `storage_target` adds `lti_storage_target` (LTI Client Side postMessages): the frame that
        answers `lti.put_data`/`lti.get_data`; the sandbox's launch page answers as `_parent`.
        """
        tool = self.tool(launch.client_id)
        placement = self.placement(launch.placement_id) if launch.placement_id is not None else None
        target = placement.url if placement is not None else tool.deep_link_target
        params = {
            "iss": self.issuer,
            "login_hint": launch.user_key,
            "target_link_uri": target,
            "lti_message_hint": launch.hint,
            "client_id": tool.client_id,
            "lti_deployment_id": tool.deployment_id,
        }
        if storage_target:
            params["lti_storage_target"] = storage_target
        return tool.initiate_login_uri, params

    def launch_url(
        self, user: str = "learner1", placement: str | Placement | None = None, storage_target: str = ""
    ) -> str:
        """Start a resource link launch of `placement` (default: the first) for `user`; the URL to open.

        Opening it (GET) begins the OIDC login at the tool; a client that follows redirects and posts
        the auto-submitting form (see `sandbox_platform.browser`) ends on the tool's launch page.
        """
        if placement is None:
            placements = self.placements
            if not placements:
                raise LookupError("the course has no placements yet: add one with add_placement or deep linking")
            chosen = placements[0]
        else:
            chosen = placement if isinstance(placement, Placement) else self.placement(placement)
        launch = self.begin_launch(
            user=user, client_id=chosen.client_id, message_type=RESOURCE_LINK_REQUEST, placement_id=chosen.id
        )
        return _with_query(*self.login_initiation(launch, storage_target))

    def deep_link_url(self, user: str = "facilitator", client_id: str | None = None, storage_target: str = "") -> str:
        """Start a deep linking launch ("Add a toolkit") for `user`; the URL to open."""
        tool = self.tool(client_id)
        launch = self.begin_launch(
            user=user, client_id=tool.client_id, message_type=DEEP_LINKING_REQUEST, placement_id=None
        )
        return _with_query(*self.login_initiation(launch, storage_target))

    def expect_deep_link(self, request: DeepLinkRequest) -> None:
        """Accept one Deep Linking response echoing `request.data` (DL 2.0 §4.4.9 `data`)."""
        with self._lock:
            self._state.deep_links[request.data] = request

    def find_launch(self, hint: str) -> PendingLaunch | None:
        with self._lock:
            return self._state.launches.get(hint)

    def authorize(self, params: dict[str, str]) -> tuple[AuthRequest, str]:
        """Validate an authentication request and return it with the signed id_token (single use)."""
        with self._lock:
            request = validate_auth_request(
                params,
                find_tool=self.find_tool,
                find_launch=self.find_launch,
                hint_lifetime=self.config.launch_hint_lifetime,
            )
            request.launch.used = True
        forged = request.launch.forged
        return request, self.key.sign(forged(request.nonce) if forged else self.id_token_claims(request))

    def id_token_claims(self, request: AuthRequest) -> dict[str, Any]:
        """Every claim of the id_token for a validated authentication request."""
        launch, tool = request.launch, request.tool
        user = self.user(launch.user_key)
        placement = self.placement(launch.placement_id) if launch.placement_id else None
        values = claims.substitution_values(user, self.course, placement)
        target = placement.url if placement else tool.deep_link_target
        body = claims.common_claims(
            issuer=self.issuer,
            tool=tool,
            user=user,
            course=self.course,
            nonce=request.nonce,
            lifetime=self.config.id_token_lifetime,
            message_type=launch.message_type,
            target_link_uri=target,
            return_url=self.config.url("/"),
            product=(self.config.product_family_code, self.config.version),
        )
        lineitem_url = None
        if placement is not None:
            custom = claims.expand_custom({**tool.custom, **placement.custom}, values)
            body.update(claims.resource_link_claims(placement, custom))
            if placement.line_item_id:
                lineitem_url = self.line_item_url(tool, placement.line_item_id)
        else:
            data = secrets.token_urlsafe(16)
            self.expect_deep_link(DeepLinkRequest(data, tool.client_id, tool.deployment_id, user.key, time.time()))
            body.update(
                claims.deep_linking_claims(
                    return_url=self.config.url("/deep_linking/return"),
                    data=data,
                    custom=claims.expand_custom(tool.custom, values),
                )
            )
        body.update(
            claims.service_claims(
                tool=tool,
                lineitems_url=self.line_items_url(tool),
                lineitem_url=lineitem_url,
                memberships_url=self.memberships_url(tool),
            )
        )
        return body

    # ----- deep linking -----------------------------------------------------------------------

    def receive_deep_linking_response(self, token: str) -> DeepLinkResult:
        """Verify a Deep Linking response JWT (DL 2.0 §4.5) and add its `ltiResourceLink` items.

        Checks: RS256 signature with the tool's published key, `iss` = client_id (found via the
        unverified `iss`, then verified), `aud` = our issuer, `exp`/`iat`, `nonce` present and new,
        version 1.3.0, message type, deployment id, and `data` echoed from a request we issued.
        """
        import jwt as pyjwt

        try:
            unverified = pyjwt.decode(token, options={"verify_signature": False})
        except pyjwt.PyJWTError:
            raise DeepLinkError("the JWT is not well formed") from None
        client_id = unverified.get("iss")
        tool = self.find_tool(client_id) if isinstance(client_id, str) else None
        if tool is None:
            raise DeepLinkError("the JWT's iss is not the client_id of a registered tool")
        try:
            body = self.tool_keys.verify(
                token,
                jwks_uri=tool.jwks_uri,
                audience=self.issuer,
                issuer=tool.client_id,
                leeway=self.config.clock_leeway,
            )
        except ToolTokenError as error:
            raise DeepLinkError(str(error)) from None
        if body.get(LTI + "message_type") != DEEP_LINKING_RESPONSE:
            raise DeepLinkError("message_type must be LtiDeepLinkingResponse")
        if body.get(LTI + "version") != "1.3.0":
            raise DeepLinkError("version must be 1.3.0")
        if body.get(LTI + "deployment_id") != tool.deployment_id:
            raise DeepLinkError("deployment_id is not the tool's deployment")
        nonce = body.get("nonce")
        if not isinstance(nonce, str) or not nonce:
            raise DeepLinkError("nonce is required")
        data = body.get(DL + "data")
        with self._lock:
            if nonce in self._state.seen_dl_nonces:
                raise DeepLinkError("this response has been received before (nonce reused)")
            request = self._state.deep_links.get(data) if isinstance(data, str) else None
            if request is None or request.client_id != tool.client_id:
                raise DeepLinkError("data does not echo a deep linking request this platform issued")
            if request.used:
                raise DeepLinkError("this deep linking request has already been answered")
            items = body.get(DL + "content_items", [])
            if not isinstance(items, list):
                raise DeepLinkError("content_items must be a list")
            parsed = [_resource_link(item, tool) for item in items if isinstance(item, dict)]
            request.used = True
            self._state.seen_dl_nonces[nonce] = time.time()
        placements = [self.add_placement(client_id=tool.client_id, **item) for item in parsed]
        # DL 2.0 §4.5: `msg`/`errormsg` are for the user, `log`/`errorlog` for the platform's logs.
        messages = [body.get(DL + name) for name in ("msg", "errormsg")]
        return DeepLinkResult(placements, *(m if isinstance(m, str) else "" for m in messages))

    # ----- dynamic registration ---------------------------------------------------------------

    def new_registration_token(self, client_id: str | None = None) -> str:
        """A single-use registration token; with `client_id`, registering with it updates that tool
        (same client and deployment) instead of adding one."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._state.registration_tokens[token] = time.time() + self.config.registration_token_lifetime
            if client_id is not None:
                self._state.registration_updates[token] = client_id
        return token

    def registration_token_valid(self, token: str) -> bool:
        with self._lock:
            expires = self._state.registration_tokens.get(token)
        return expires is not None and expires > time.time()

    def start_registration(self, tool_register_url: str) -> str:
        """The URL that begins Dynamic Registration at the tool (DR 1.0 §3.3), with a fresh token."""
        token = self.new_registration_token()
        params = {
            "openid_configuration": self.config.url("/.well-known/openid-configuration"),
            "registration_token": token,
        }
        separator = "&" if urlsplit(tool_register_url).query else "?"
        return tool_register_url + separator + urlencode(params)

    def register_client(self, token: str, registration: ClientRegistration) -> dict[str, Any]:
        """Consume the registration token and register the tool; the 201 body (DR 1.0 §3.6)."""
        with self._lock:
            if not self.registration_token_valid(token):
                raise RegistrationError("invalid_token", "the registration token is unknown, used or expired", 401)
            del self._state.registration_tokens[token]
            fields: dict[str, Any] = {
                "initiate_login_uri": registration.initiate_login_uri,
                "redirect_uris": list(registration.redirect_uris),
                "jwks_uri": registration.jwks_uri,
                "target_link_uri": registration.target_link_uri,
                "name": registration.name,
                "deep_linking_uri": registration.deep_linking_uri,
                "scopes": frozenset(registration.scopes),
                "custom": dict(registration.custom),
                "registration": dict(registration.raw),
            }
            existing = self._state.tools.get(self._state.registration_updates.pop(token, ""))
            if existing is not None:
                tool = replace(existing, **fields)
                self._state.tools[tool.client_id] = tool
            else:
                tool = self.register_tool(**fields)
            tool.claims = registration.claims
        return registration_response(registration, client_id=tool.client_id, deployment_id=tool.deployment_id)

    # ----- service URLs -----------------------------------------------------------------------

    def line_items_url(self, tool: Tool) -> str:
        # Moodle's service URLs carry `?type_id=N`: tools must insert `/scores` before the query.
        return self.config.url(f"/ags/contexts/{self.course.id}/lineitems?type_id={tool.type_id}")

    def line_item_url(self, tool: Tool, line_item_id: str, suffix: str = "") -> str:
        path = f"/ags/contexts/{self.course.id}/lineitems/{line_item_id}/lineitem{suffix}?type_id={tool.type_id}"
        return self.config.url(path)

    def memberships_url(self, tool: Tool) -> str:
        return self.config.url(f"/nrps/contexts/{self.course.id}/bindings/{tool.type_id}/memberships")

    # ----- access tokens (AGS 2.0 §3.1, LTI Security §4.1) -------------------------------------

    def issue_access_token(self, form: dict[str, str]) -> dict[str, Any]:
        """The client-credentials grant with a JWT client assertion (RFC 7523 §2.2, Security §4.1.1)."""
        requested = form.get("scope", "").split()
        record = TokenRequest(client_id="", scopes=requested, granted=False)
        with self._lock:
            self._state.token_requests.append(record)
        try:
            tool, scopes = self._check_token_request(form, requested)
        except TokenError as error:
            record.reason = error.error
            raise
        token = AccessToken(
            token=secrets.token_urlsafe(32),
            client_id=tool.client_id,
            scopes=frozenset(scopes),
            expires=time.time() + self.config.access_token_lifetime,
            generation=self.script.token_generation,
        )
        with self._lock:
            self._state.access_tokens[token.token] = token
        record.client_id, record.granted = tool.client_id, True
        return {
            "access_token": token.token,
            "token_type": "Bearer",
            "expires_in": self.config.access_token_lifetime,
            "scope": " ".join(scopes),
        }

    def _check_token_request(self, form: dict[str, str], requested: list[str]) -> tuple[Tool, list[str]]:
        import jwt as pyjwt

        if form.get("grant_type") != "client_credentials":
            raise TokenError("unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            raise TokenError("invalid_request", "client_assertion_type must be the JWT bearer type")
        assertion = form.get("client_assertion", "")
        try:
            unverified = pyjwt.decode(assertion, options={"verify_signature": False})
        except pyjwt.PyJWTError:
            raise TokenError("invalid_client", "client_assertion is not a JWT", 401) from None
        tool = self.find_tool(str(unverified.get("iss", "")))
        if tool is None:
            raise TokenError("invalid_client", "the assertion's iss is not a registered client_id", 401)
        try:
            body = self.tool_keys.verify(
                assertion,
                jwks_uri=tool.jwks_uri,
                audience=self.config.url("/token"),
                issuer=tool.client_id,
                leeway=self.config.clock_leeway,
            )
        except ToolTokenError as error:
            raise TokenError("invalid_client", str(error), 401) from None
        if body.get("sub") != tool.client_id:
            raise TokenError("invalid_client", "the assertion's sub must be the client_id", 401)
        jti = body.get("jti")
        if not isinstance(jti, str) or not jti:
            raise TokenError("invalid_client", "the assertion needs a jti", 401)
        now = time.time()
        with self._lock:
            self._state.seen_jtis = {k: v for k, v in self._state.seen_jtis.items() if v > now - 3600}
            if jti in self._state.seen_jtis:
                raise TokenError("invalid_client", "this client assertion has been used before (jti replay)", 401)
            self._state.seen_jtis[jti] = float(body.get("exp", now))
        scopes = [scope for scope in requested if scope in tool.scopes]
        if not scopes:
            raise TokenError("invalid_scope", "none of the requested scopes is granted to this tool")
        return tool, scopes

    def check_access(self, authorization: str, scope: str | Iterable[str], type_id: str | None) -> Tool:
        """The tool behind a bearer token that holds `scope` (any of them); raises `TokenError` otherwise."""
        wanted = {scope} if isinstance(scope, str) else set(scope)
        kind, _, value = authorization.partition(" ")
        if kind.lower() != "bearer" or not value:
            raise TokenError("invalid_token", "a bearer access token is required", 401)
        with self._lock:
            token = self._state.access_tokens.get(value.strip())
        if token is None or token.expires <= time.time() or token.generation < self.script.token_generation:
            raise TokenError("invalid_token", "the access token is unknown, expired or revoked", 401)
        if not wanted & token.scopes:
            raise TokenError("insufficient_scope", "the access token lacks the scope this service needs", 403)
        tool = self.tool(token.client_id)
        if type_id is not None and type_id != str(tool.type_id):
            raise TokenError("insufficient_scope", "type_id does not name the tool this token belongs to", 403)
        return tool

    @property
    def token_requests(self) -> list[TokenRequest]:
        """Every call to the token endpoint, in order (a tool should reuse its token)."""
        with self._lock:
            return list(self._state.token_requests)

    # ----- line items and scores ---------------------------------------------------------------

    def _new_line_item(self, client_id: str, **fields: Any) -> LineItem:
        with self._lock:
            item = LineItem(id=str(self._state.next_line_item), client_id=client_id, **fields)
            self._state.next_line_item += 1
            self._state.line_items[item.id] = item
            return item

    def create_line_item(self, tool: Tool, body: Any) -> LineItem:
        return self._new_line_item(tool.client_id, **ags.validate_line_item(body))

    def update_line_item(self, tool: Tool, line_item_id: str, body: Any) -> LineItem:
        """Replace a line item with a PUT body (AGS §3.2.8; see `ags.line_item_replacement`)."""
        fields = ags.line_item_replacement(body)
        with self._lock:
            item = self.line_item(tool, line_item_id)
            for name, value in fields.items():
                setattr(item, name, value)
            return item

    def delete_line_item(self, tool: Tool, line_item_id: str) -> None:
        with self._lock:
            self.line_item(tool, line_item_id)
            del self._state.line_items[line_item_id]
            self._state.grades = {k: v for k, v in self._state.grades.items() if k[0] != line_item_id}

    def line_item(self, tool: Tool | None, line_item_id: str) -> LineItem:
        """A line item; a tool only sees its own (another tool's looks missing)."""
        with self._lock:
            item = self._state.line_items.get(line_item_id)
        if item is None or (tool is not None and item.client_id != tool.client_id):
            raise KeyError(line_item_id)
        return item

    def line_items(self, tool: Tool | None = None) -> list[LineItem]:
        with self._lock:
            items = list(self._state.line_items.values())
        return [item for item in items if tool is None or item.client_id == tool.client_id]

    def post_score(self, tool: Tool, line_item_id: str, body: Any) -> ScoreRecord:
        """Apply one score (AGS §3.4) and record it in the history whatever the outcome."""
        with self._lock:
            item = self.line_item(tool, line_item_id)
            user_id = body.get("userId") if isinstance(body, dict) else None
            current = self._state.grades.get((item.id, user_id)) if isinstance(user_id, str) else None
            members = {user.sub for user in self.users.values()}
            try:
                grade = ags.apply_score(body, members=members, current=current)
            except ags.ScoreError as error:
                record = ScoreRecord(item.id, tool.client_id, _as_dict(body), error.status, error.reason)
            else:
                self._state.grades[(item.id, grade.user_id)] = grade
                record = ScoreRecord(item.id, tool.client_id, _as_dict(body), 200, "accepted")
            self._state.scores.append(record)
            return record

    @property
    def scores(self) -> list[ScoreRecord]:
        """Every score POST received, accepted or refused, in arrival order."""
        with self._lock:
            return list(self._state.scores)

    def grade(self, line_item_id: str, user: str) -> Grade | None:
        """The stored grade of `user` (handle or sub) on a line item, if any."""
        with self._lock:
            return self._state.grades.get((line_item_id, self.user(user).sub))


def _with_query(url: str, params: dict[str, str]) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + urlencode(params)


def _as_dict(body: Any) -> dict[str, Any]:
    return dict(body) if isinstance(body, dict) else {"_body": body}


def _resource_link(item: dict[str, Any], tool: Tool) -> dict[str, Any]:
    """The placement an `ltiResourceLink` content item asks for (Deep Linking 2.0 §3.3)."""
    if item.get("type") != "ltiResourceLink":
        raise DeepLinkError(f"content item type {item.get('type')!r} is not accepted here")
    url = item.get("url") or tool.target_link_uri
    if not isinstance(url, str):
        raise DeepLinkError("an ltiResourceLink's url must be a string")
    custom = item.get("custom", {})
    if not isinstance(custom, dict):
        raise DeepLinkError("an ltiResourceLink's custom must be an object")
    title = item.get("title")
    placement: dict[str, Any] = {
        "title": title if isinstance(title, str) and title else "Untitled",
        "url": url,
        "custom": {str(k): str(v) for k, v in custom.items()},
        "text": item.get("text") if isinstance(item.get("text"), str) else "",
    }
    line_item = item.get("lineItem")
    if line_item is not None:
        if not isinstance(line_item, dict):
            raise DeepLinkError("lineItem must be an object")
        line_item = {"label": placement["title"], **line_item}
        try:
            ags.validate_line_item(line_item)
        except ags.ScoreError as error:
            raise DeepLinkError(f"lineItem: {error.reason}") from None
        placement["line_item"] = line_item
    submission = item.get("submission")
    if isinstance(submission, dict) and submission.get("endDateTime"):
        try:
            placement["due"] = ags.parse_timestamp(submission["endDateTime"])
        except ags.ScoreError:
            raise DeepLinkError("submission.endDateTime must be an ISO 8601 date-time with a time zone") from None
    return placement
