"""Who is launched: the one place that reads and writes the launch in the Flask session.

Other blueprints call `current_launch()` (or `require_launch()`), and build links with
`launch_url_for()` so the right launch follows the user. The Flask session is a signed cookie
(SameSite=None; Secure under HTTPS). Several launches can be open in one browser (two courses in two
tabs), so the session keeps the few most recent by id and links carry `launch=<id>`.

Where the browser blocks third-party cookies (Safari, Chrome in iframes) and the launch came through
platform storage, the cookie never comes back: the launch then travels as a signed, expiring token in
the `lt` parameter instead (itsdangerous, keyed by SECRET_KEY).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import current_app, g, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lti_tool.errors import Unauthorised
from lti_tool.lazy_text import _l
from lti_tool.lti.roles import Role

SESSION_KEY = "lti_launches"
MAX_LAUNCHES = 4
# Over 20 hours: WCAG 2.2 SC 2.2.1 (Timing Adjustable) accepts a time limit only past 20 hours, and a
# learner may leave L1 open overnight between visits. A new launch from the LMS always renews it.
TOKEN_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class CurrentLaunch:
    """The launched user and placement. Ids are database ids except where named `platform_*`."""

    launch_id: str
    user_id: int  # LtiUser.id
    platform_id: int  # Platform.id
    context_id: int  # Context.id
    resource_link_id: int | None  # ResourceLink.id (None for deep linking)
    role: Role
    toolkit_id: str
    part: str  # "l1" | "l2" | "" (deep linking)
    deployment_id: str  # the platform's deployment id string
    message_type: str
    deep_link: dict[str, Any] = field(default_factory=dict)  # deep_linking_settings for the picker
    cookieless: bool = False
    # Interface language (lti_tool.i18n): the launch's `locale` claim (LTI Core 1.3 §5.4.4) as sent, the
    # platform's default language at launch time, and the language the person picked with the switch.
    locale: str = ""
    platform_language: str = ""
    language: str = ""

    @property
    def is_facilitator(self) -> bool:
        return self.role is Role.FACILITATOR

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["role"] = self.role.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurrentLaunch:
        return cls(**{**data, "role": Role(data["role"])})


def new_launch_id() -> str:
    return secrets.token_urlsafe(12)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="swott-launch")


def remember(launch: CurrentLaunch) -> None:
    """Keep the launch in the session (newest last, at most MAX_LAUNCHES)."""
    launches = [d for d in session.get(SESSION_KEY, []) if d.get("launch_id") != launch.launch_id]
    if launch.deep_link:
        # Deep-linking settings can be long (Canvas puts a JWT in `data`); keep only the newest, so the
        # session cookie stays under the browsers' 4 KB limit.
        launches = [{**d, "deep_link": {}} for d in launches]
    launches.append(launch.to_dict())
    session[SESSION_KEY] = launches[-MAX_LAUNCHES:]
    request.environ.pop(_RESOLVED, None)  # the session's launches changed: resolve afresh


def launch_token(launch: CurrentLaunch) -> str:
    return _serializer().dumps(launch.to_dict())


REQUEST_LAUNCH = "swott_launch"
# This request's launch as read from `lt` or the session, kept in the request's own environ (not `g`,
# which a test's outer app context shares between requests): an L1 page asks for it about 18 times
# (every link), and each reading decoded the session's launch again (issue 15).
_RESOLVED = "swott.launch_resolved"


def use_for_request(launch: CurrentLaunch) -> None:
    """Make `launch` this request's launch: the launch POST answers with the first page itself (issue
    15: two tool requests per launch), and that page's links and forms must carry the new launch."""
    setattr(g, REQUEST_LAUNCH, launch)


def current_launch() -> CurrentLaunch | None:
    """The launch this request belongs to: the one the launch POST just made, else from `lt`
    (cookieless), else the session by `launch` id, else the most recent launch in the session."""
    made: CurrentLaunch | None = g.get(REQUEST_LAUNCH)
    if made is not None:
        return made
    environ = request.environ
    if _RESOLVED not in environ:
        environ[_RESOLVED] = _resolve()
    resolved: CurrentLaunch | None = environ[_RESOLVED]
    return resolved


def _resolve() -> CurrentLaunch | None:
    token = request.values.get("lt") or (request.view_args or {}).get("lt")
    if token:
        try:
            return CurrentLaunch.from_dict(_serializer().loads(token, max_age=TOKEN_MAX_AGE))
        except (BadSignature, TypeError, ValueError, KeyError):
            return None
    launches = session.get(SESSION_KEY, [])
    wanted = request.values.get("launch") or (request.view_args or {}).get("launch")
    for data in reversed(launches):
        if not wanted or data.get("launch_id") == wanted:
            try:
                return CurrentLaunch.from_dict(data)
            except (TypeError, ValueError, KeyError):
                return None
    return None


def require_launch() -> CurrentLaunch:
    launch = current_launch()
    if launch is None:
        raise Unauthorised(
            _l(
                "We do not know who you are on this page: your session may have expired, or your browser "
                "blocked the cookie we need."
            ),
            reason="no_launch",
            advice=_l("Open the activity again from your course."),
        )
    return launch


def launch_url_for(endpoint: str, launch: CurrentLaunch | None = None, **values: Any) -> str:
    """`url_for` plus what keeps the launch attached: `lt` when cookieless, `launch` otherwise."""
    launch = launch or current_launch()
    if launch is not None:
        if launch.cookieless:
            values["lt"] = launch_token(launch)
        else:
            values["launch"] = launch.launch_id
    return url_for(endpoint, **values)
