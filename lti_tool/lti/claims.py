"""Claim names of LTI Core 1.3 §5, Deep Linking 2.0 §4, AGS 2.0 §3 and NRPS 2.0 §3."""

from __future__ import annotations

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
TOOL_PLATFORM = LTI + "tool_platform"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
ACCEPTED_MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)

AGS_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# --- Cleaning claim values before they reach a query (facts and sources: docs/launch.md) -------------

# OpenID Connect Core 1.0 §2 ("sub ... MUST NOT exceed 255 ASCII characters in length"), which LTI
# Core 1.3 §5.3.6 adopts for the user identifier; our `lti_user.sub` column has the same limit.
MAX_SUB = 255
MAX_TEXT = 255
MAX_URL = 1024

# C0 controls (NUL included), DEL and C1 controls; tab, newline and carriage return become spaces.
# PostgreSQL refuses NUL in text ("invalid byte sequence"), and none of these belong in a name or title.
_CONTROL = dict.fromkeys([*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])
_SPACES = {0x09: " ", 0x0A: " ", 0x0D: " "}
_TABLE = {**_CONTROL, **_SPACES}


def clean_text(value: object, max_len: int = MAX_TEXT) -> str:
    """A claim value fit to store and show: a string (numbers are spelled), control characters and NUL
    removed (tab and newlines become spaces), lone surrogates dropped, outer space trimmed, and cut to
    `max_len` characters. Anything else (lists, objects, None) is "".

    One function for every text a platform sends us (launch claims here, NRPS roster entries in
    `services.roster`), so a NUL or a 10,000-character name can never reach a query or a page.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = str(value).translate(_TABLE)
    # A lone surrogate (e.g. "\ud800" from a JSON escape) cannot be encoded to UTF-8 for the database.
    text = text.encode("utf-8", "ignore").decode("utf-8") if not text.isascii() else text
    return text.strip()[:max_len].rstrip()


def clean_identifier(value: object, max_len: int = MAX_SUB) -> str | None:
    """An identifier claim (`sub`, context id, resource link id) exactly as sent, or None if unusable.

    Identifiers are compared, not shown, so they are never altered: cutting or cleaning one could make
    two people (or two courses) the same row. A value that is empty, too long, or holds a control
    character is refused instead.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    if not text or len(text) > max_len or text != text.translate(_CONTROL):
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text
