"""The operator page's signed, one-hour links (`swott admin link`), made and read in one place.

There is no operator login: whoever has a shell on the server (and so could run every `swott platform`
command anyway) prints a link signed with SWOTT_SECRET_KEY that names them, and the page records changes
as theirs. The CLI makes links and the page (`views/admin.py`) reads them; neither imports the other.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

PATH = "/admin/"
MAX_AGE = 3600
SALT = "swott-admin"


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def admin_link(secret_key: str | bytes, base_url: str, operator: str = "operator") -> str:
    """A link to the operator page for `operator`, valid for `MAX_AGE` seconds."""
    token = _serializer(secret_key).dumps({"operator": operator[:100]})
    return f"{base_url.rstrip('/')}{PATH}?token={token}"


def operator_from(secret_key: str | bytes, token: str) -> str | None:
    """The operator a valid, unexpired link names ("operator" for old links), or None."""
    try:
        payload: Any = _serializer(secret_key).loads(token, max_age=MAX_AGE)
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    if isinstance(payload, dict) and isinstance(payload.get("operator"), str):
        return str(payload["operator"])
    return "operator"  # links made before links named their operator
