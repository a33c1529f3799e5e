"""Launches the tool must refuse: each gets a 4xx page in plain language and writes no rows.

The first group are the 1EdTech LTI 1.3 tool certification "known bad" payloads (no kid, wrong kid,
wrong or missing LTI version, invalid or missing message type, missing roles / deployment_id /
resource_link id / sub, bad timestamps); the rest are the attacks LTI Security 1.0 §5.1.3 guards
against, and the gaps pylti1p3 leaves open (nonce reuse, azp, leeway).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox_platform.forge import LTI, Forge, SigningKey
from tests.lti_tool.lti.conftest import begin_login, build_app, row_counts, sandbox
from tests.lti_tool.lti.http_support import b64

Forgery = Callable[[Forge, str], str]


def _body(platform: Forge, nonce: str, **changes: Any) -> dict[str, Any]:
    body = platform.claims(nonce, target_link_uri="http://127.0.0.1:5000/lti/launch")
    for name, value in changes.items():
        key = name if not name.startswith("lti_") else LTI + name[4:]
        if value is _DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return body


_DROP = object()


class FromNow(int):
    """A timestamp this many seconds from when the token is signed (not from when the file was loaded:
    a long suite run would otherwise age a "future" iat into the past)."""


def signed(**changes: Any) -> Forgery:
    def forge(platform: Forge, nonce: str) -> str:
        now = int(time.time())
        at_sign_time = {k: now + v if isinstance(v, FromNow) else v for k, v in changes.items()}
        return platform.sign(_body(platform, nonce, **at_sign_time))

    return forge


def _no_kid(platform: Forge, nonce: str) -> str:
    return platform.sign(_body(platform, nonce), headers={})


def _wrong_kid(platform: Forge, nonce: str) -> str:
    return platform.sign(_body(platform, nonce), headers={"kid": "no-such-kid"})


def _unknown_key(platform: Forge, nonce: str) -> str:
    # Signed by a key the platform never published, under the platform's real kid.
    return platform.sign(_body(platform, nonce), key=SigningKey(), headers={"kid": platform.key.kid})


def _tampered(platform: Forge, nonce: str) -> str:
    header, _payload, signature = platform.sign(_body(platform, nonce)).split(".")
    payload = b64(_body(platform, nonce, lti_roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]))
    return f"{header}.{payload}.{signature}"


def _alg_none(platform: Forge, nonce: str) -> str:
    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': platform.key.kid})}.{b64(_body(platform, nonce))}."


def _hs256_with_public_key(platform: Forge, nonce: str) -> str:
    # The classic algorithm-confusion attack: HMAC keyed with the platform's (public) PEM.
    header = {"alg": "HS256", "typ": "JWT", "kid": platform.key.kid}
    signing_input = f"{b64(header)}.{b64(_body(platform, nonce))}".encode()
    import hashlib
    import hmac

    mac = hmac.new(platform.key.public_pem, signing_input, hashlib.sha256).digest()
    return signing_input.decode() + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _garbage(platform: Forge, nonce: str) -> str:
    return "not-a-jwt"


CASES: dict[str, tuple[Forgery, str]] = {
    # 1EdTech certification "known bad" payloads
    "no kid": (_no_kid, "no_kid"),
    "wrong kid": (_wrong_kid, "unknown_kid"),
    "wrong LTI version": (signed(lti_version="1.2.0"), "wrong_version"),
    "no LTI version": (signed(lti_version=_DROP), "missing_version"),
    "invalid message type": (signed(lti_message_type="LtiFooRequest"), "invalid_message_type"),
    "missing message type": (signed(lti_message_type=_DROP), "missing_message_type"),
    "missing roles claim": (signed(lti_roles=_DROP), "missing_roles"),
    "missing deployment_id": (signed(lti_deployment_id=_DROP), "missing_deployment_id"),
    "missing resource_link id": (signed(lti_resource_link={"title": "no id"}), "missing_resource_link_id"),
    "missing sub": (signed(sub=_DROP), "missing_sub"),
    "timestamps as strings": (signed(iat="yesterday", exp="tomorrow"), "bad_token_claims"),
    "missing exp": (signed(exp=_DROP), "missing_exp"),
    "missing iat": (signed(iat=_DROP), "missing_iat"),
    # LTI Security 1.0 §5.1.3 and the gaps pylti1p3 leaves open
    "wrong aud": (signed(aud="someone-else"), "unknown_platform"),
    "our client in aud but a stranger's azp": (signed(aud=["swott-client-1", "x"], azp="x"), "unknown_platform"),
    "several audiences without azp": (signed(aud=["swott-client-1", "other-tool"]), "azp_missing"),
    "azp not among the audiences": (signed(azp="swott-client-1", aud="other"), "azp_not_in_aud"),
    "unknown issuer": (signed(iss="https://evil.example"), "unknown_platform"),
    "unregistered deployment": (signed(lti_deployment_id="99"), "unknown_deployment"),
    "expired token": (signed(iat=FromNow(-600), exp=FromNow(-300)), "expired"),
    "iat in the future beyond leeway": (signed(iat=FromNow(300), exp=FromNow(600)), "iat_in_future"),
    "nonce not the one issued": (lambda p, n: p.sign(_body(p, "another-nonce")), "nonce_mismatch"),
    "tampered payload": (_tampered, "bad_signature"),
    "signed by an unpublished key": (_unknown_key, "bad_signature"),
    "alg none": (_alg_none, "bad_alg"),
    "HS256 signed with the platform's public key": (_hs256_with_public_key, "bad_alg"),
    "not a JWT": (_garbage, "malformed_token"),
    "target_link_uri of another tool": (
        signed(lti_target_link_uri="https://other.example/launch"),
        "foreign_target_link_uri",
    ),
}


@pytest.fixture(scope="module")
def shared_platform() -> Iterator[Forge]:
    with sandbox() as platform:
        yield platform


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory, shared_platform: Forge) -> Iterator[Flask]:
    """One app for all the known-bad cases: a refused launch changes nothing, which each case checks."""
    app = build_app(tmp_path_factory.mktemp("negative"), shared_platform)
    yield app
    app.extensions["swott.db"].dispose()


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_launch_is_refused_with_no_rows_written(
    case: str, shared_app: Flask, shared_platform: Forge, caplog: pytest.LogCaptureFixture
) -> None:
    forge, reason = CASES[case]
    lti_app, lti_platform = shared_app, shared_platform
    lti_client = lti_app.test_client()
    before = row_counts(lti_app)
    state, nonce = begin_login(lti_client, lti_platform)
    token = forge(lti_platform, nonce)
    caplog.set_level("INFO")
    response = lti_client.post("/lti/launch", data={"id_token": token, "state": state})
    page = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500
    assert "We could not open this activity" in page
    assert "Traceback" not in page and token not in page
    assert f"reason={reason} " in caplog.text
    assert "Test Person" not in caplog.text and "person@example.invalid" not in caplog.text
    assert row_counts(lti_app) == before


def _valid_launch(client: FlaskClient, platform: Forge) -> tuple[str, str, str]:
    """A login on `client` and a valid id_token for it: the state, the nonce and the token."""
    state, nonce = begin_login(client, platform)
    return state, nonce, platform.sign(_body(platform, nonce))


def test_replayed_id_token_is_refused(lti_app: Flask, lti_client: FlaskClient, lti_platform: Forge) -> None:
    state, _nonce, token = _valid_launch(lti_client, lti_platform)
    first = lti_client.post("/lti/launch", data={"id_token": token, "state": state})
    assert first.status_code == 200
    after_first = row_counts(lti_app)
    replay = lti_client.post("/lti/launch", data={"id_token": token, "state": state})
    assert replay.status_code == 400
    assert "expired or was already used" in replay.get_data(as_text=True)
    assert row_counts(lti_app) == after_first


def test_nonce_is_single_use_even_with_a_fresh_state(
    lti_app: Flask, lti_client: FlaskClient, lti_platform: Forge
) -> None:
    """pylti1p3 never consumes the nonce; here a nonce that launched once never launches again."""
    from lti_tool import web
    from lti_tool.lti.state_store import DatabaseStateStore, StateRecord

    state, nonce, token = _valid_launch(lti_client, lti_platform)
    assert lti_client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 200
    before = row_counts(lti_app)
    # An attacker who could plant a state carrying the same nonce still gets nowhere.
    with lti_app.app_context():
        store = DatabaseStateStore(web.db_session())
        original = store.get(state)
        assert original is None
        platform_id = 1
        store.put(StateRecord(state="planted", nonce=nonce, platform_id=platform_id))
    lti_client.set_cookie("swott-lti-state-planted", "planted", path="/lti/")
    response = lti_client.post("/lti/launch", data={"id_token": token, "state": "planted"})
    assert response.status_code == 400
    assert row_counts(lti_app) == before


@pytest.mark.parametrize("data", [{"state": "s"}, {"id_token": "x"}, {"id_token": "x", "state": "never-issued"}])
def test_missing_or_unknown_state_or_token(lti_app: Flask, lti_client: FlaskClient, data: dict[str, str]) -> None:
    before = row_counts(lti_app)
    response = lti_client.post("/lti/launch", data=data)
    assert response.status_code == 400
    assert row_counts(lti_app) == before


def test_state_issued_to_another_browser_is_not_accepted(
    lti_app: Flask, lti_client: FlaskClient, lti_platform: Forge
) -> None:
    """Login CSRF: a state issued to the attacker's browser, posted from the victim's, has no cookie."""
    state, _nonce, token = _valid_launch(lti_client, lti_platform)
    victim = lti_app.test_client()
    before = row_counts(lti_app)
    response = victim.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 401
    assert "Open in a new window" in response.get_data(as_text=True)
    assert row_counts(lti_app) == before


def test_unsubscribed_toolkit_gets_a_403_that_says_who_to_contact(
    lti_app: Flask, lti_client: FlaskClient, lti_platform: Forge
) -> None:
    from lti_tool import web
    from lti_tool.models import Subscription

    with lti_app.app_context():
        session = web.db_session()
        for row in session.query(Subscription).all():
            session.delete(row)
        session.commit()
    before = row_counts(lti_app)
    state, nonce = begin_login(lti_client, lti_platform)
    roles = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    response = lti_client.post(
        "/lti/launch", data={"id_token": lti_platform.sign(_body(lti_platform, nonce, lti_roles=roles)), "state": state}
    )
    assert response.status_code == 403
    assert "contact the SWOTT team" in response.get_data(as_text=True)
    # Refused after routing: not even the nonce is spent, so the table counts are all unchanged.
    assert row_counts(lti_app) == before


# Launches that pass every token check but are refused by routing (issue 9, defect 3): before the fix
# each left a `used_nonce` row, because the nonce was consumed before these checks.
ROUTING_CASES: dict[str, tuple[dict[str, Any], int, str]] = {
    "deep linking by a learner": (
        {
            "lti_message_type": "LtiDeepLinkingRequest",
            "lti_resource_link": _DROP,
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": "http://127.0.0.1:9/return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
            },
        },
        403,
        "deep_linking_not_facilitator",
    ),
    "unknown toolkit": ({"lti_custom": {"toolkit_id": "no-such-toolkit", "part": "l1"}}, 404, "unknown_toolkit"),
    "unknown part": ({"lti_custom": {"toolkit_id": "mini", "part": "l9"}}, 404, "unknown_toolkit"),
    "no toolkit named": ({"lti_custom": _DROP}, 404, "unknown_toolkit"),
}


@pytest.mark.parametrize("case", list(ROUTING_CASES), ids=list(ROUTING_CASES))
def test_launch_refused_by_routing_writes_nothing_not_even_the_nonce(
    case: str, shared_app: Flask, shared_platform: Forge, caplog: pytest.LogCaptureFixture
) -> None:
    changes, status, reason = ROUTING_CASES[case]
    client = shared_app.test_client()
    before = row_counts(shared_app)
    state, nonce = begin_login(client, shared_platform)
    caplog.set_level("INFO")
    token = shared_platform.sign(_body(shared_platform, nonce, **changes))
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == status
    assert f"reason={reason} " in caplog.text
    assert row_counts(shared_app) == before


def test_platform_without_subscription_writes_nothing(
    tmp_path: Path, lti_platform: Forge, caplog: pytest.LogCaptureFixture
) -> None:
    """A platform registered but never granted a subscription: a 403, and every table as it was."""
    from lti_tool import web
    from lti_tool.services import subscriptions
    from lti_tool.services.registrations import find_platform

    app = build_app(tmp_path, lti_platform)
    try:
        with app.app_context():
            session = web.db_session()
            platform = find_platform(session, lti_platform.issuer, lti_platform.client_id)
            assert platform is not None
            assert subscriptions.revoke(session, platform, [None]) == 1
        client = app.test_client()
        before = row_counts(app)
        state, nonce = begin_login(client, lti_platform)
        caplog.set_level("INFO")
        response = client.post(
            "/lti/launch", data={"id_token": lti_platform.sign(_body(lti_platform, nonce)), "state": state}
        )
        assert response.status_code == 403
        assert "reason=not_subscribed " in caplog.text
        assert row_counts(app) == before
    finally:
        app.extensions["swott.db"].dispose()
