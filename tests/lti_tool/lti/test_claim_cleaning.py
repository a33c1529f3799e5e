"""Claims are checked and cleaned before any query (issue 9, defect 4), on SQLite and PostgreSQL.

A `sub` over 255 characters used to crash the second launch (the lookup used the whole value, the
insert stored 255); a NUL in a name, a course title or `sub` gave a 500 on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool import web
from lti_tool.lti.claims import clean_identifier, clean_text
from lti_tool.models import Context, LtiUser, ResourceLink
from sandbox_platform.forge import LTI, Forge
from tests.lti_tool.lti.conftest import TOOL_URL, begin_login, build_app, row_counts


def test_clean_text_removes_controls_and_bounds_length() -> None:
    assert clean_text("Ada\x00 Love\x07lace") == "Ada Lovelace"
    assert clean_text("line one\nline\ttwo\r") == "line one line two"
    assert clean_text("\x85C1 control\x9f") == "C1 control"
    assert clean_text("x" * 300, 255) == "x" * 255
    assert clean_text("lone \ud800 surrogate") == "lone  surrogate"
    assert clean_text("  Kāthe Ōtani  ") == "Kāthe Ōtani"
    assert clean_text(12) == "12"
    for value in (None, True, ["a"], {"a": 1}):
        assert clean_text(value) == ""


def test_clean_identifier_refuses_rather_than_alters() -> None:
    assert clean_identifier("a" * 255) == "a" * 255
    assert clean_identifier(42) == "42"
    for value in ("a" * 256, "ab\x00c", "tab\tbed", "", None, False, ["x"], "\udfff"):
        assert clean_identifier(value) is None


@pytest.fixture
def any_app(backend_settings: dict[str, str], tmp_path: Path, lti_platform: Forge) -> Iterator[Flask]:
    overrides: dict[str, Any] = dict(backend_settings)
    app = build_app(tmp_path, lti_platform, **overrides)
    yield app
    app.extensions["swott.db"].dispose()


def _launch(app: Flask, platform: Forge, **claims: Any) -> Any:
    client = app.test_client()
    state, nonce = begin_login(client, platform)
    body = platform.claims(nonce, target_link_uri=TOOL_URL + "/lti/launch", **claims)
    return client.post("/lti/launch", data={"id_token": platform.sign(body), "state": state})


def test_sub_of_255_characters_launches_again_and_again(any_app: Flask, lti_platform: Forge) -> None:
    sub = "s" * 255
    for _ in range(2):
        assert _launch(any_app, lti_platform, sub=sub).status_code == 200
    with any_app.app_context():
        assert web.db_session().scalars(select(LtiUser.sub)).all() == [sub]


@pytest.mark.parametrize("sub", ["s" * 256, "s" * 10_000, "user\x00one", "user\none"])
def test_unusable_sub_is_refused_with_a_clear_400_and_no_rows(
    any_app: Flask, lti_platform: Forge, sub: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused, not cut or cleaned: two ids sharing their first 255 characters must not become one
    person's CPD record (OIDC Core §2 caps `sub` at 255 ASCII characters)."""
    before = row_counts(any_app)
    caplog.set_level("INFO")
    for _ in range(2):  # the second launch used to be the 500
        response = _launch(any_app, lti_platform, sub=sub)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "user identifier that is longer than LTI allows" in page
        assert "reason=bad_sub " in caplog.text
    assert row_counts(any_app) == before


def test_nul_and_controls_in_names_and_titles_are_cleaned(any_app: Flask, lti_platform: Forge) -> None:
    response = _launch(
        any_app,
        lti_platform,
        name="Ada\x00 Lovelace\x1b",
        email="ada\x00@example.invalid",
        **{
            LTI + "context": {"id": "course-1", "label": "SW\x00101", "title": "Social\x00 work " + "x" * 400},
            LTI + "resource_link": {"id": "link-1", "title": "Week\x00 1\x7f"},
        },
    )
    assert response.status_code == 200
    assert any_app.test_client().get("/").status_code == 200
    with any_app.app_context():
        session = web.db_session()
        user = session.scalars(select(LtiUser)).one()
        context = session.scalars(select(Context)).one()
        link = session.scalars(select(ResourceLink)).one()
        assert (user.name, user.email) == ("Ada Lovelace", "ada@example.invalid")
        assert context.label == "SW101" and context.title.startswith("Social work x") and len(context.title) == 255
        assert link.title == "Week 1"


@pytest.mark.parametrize(
    "claims",
    [
        {LTI + "context": {"id": "c" * 256, "title": "Too long an id"}},
        {LTI + "context": {"id": "course\x00one"}},
        {LTI + "resource_link": {"id": "l" * 256}},
        {LTI + "resource_link": {"id": "link\x00one"}},
        {"iss": "https://lms.example/\x00"},
        {"aud": "client\x00"},
    ],
    ids=["long context id", "NUL context id", "long link id", "NUL link id", "NUL issuer", "NUL audience"],
)
def test_unusable_identifiers_are_refused_before_any_query(
    any_app: Flask, lti_platform: Forge, claims: dict[str, Any]
) -> None:
    before = row_counts(any_app)
    response = _launch(any_app, lti_platform, **claims)
    assert 400 <= response.status_code < 500
    assert "We could not open this activity" in response.get_data(as_text=True)
    assert row_counts(any_app) == before


@pytest.mark.parametrize("param", ["login_hint", "lti_message_hint", "iss", "client_id"])
def test_login_with_control_characters_is_refused(any_app: Flask, lti_platform: Forge, param: str) -> None:
    params = {
        "iss": lti_platform.issuer,
        "login_hint": "user-1",
        "target_link_uri": TOOL_URL + "/lti/launch",
        "client_id": lti_platform.client_id,
        "lti_message_hint": "hint",
    }
    params[param] += "\x00"
    response = any_app.test_client().get("/lti/login", query_string=params)
    assert response.status_code == 400
    assert "We could not open this activity" in response.get_data(as_text=True)
