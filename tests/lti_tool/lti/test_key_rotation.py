"""Launches and key signing keep working across `swott keys rotate`; the JWKS shows both keys meanwhile."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
import requests
from click.testing import CliRunner
from flask import Flask

from lti_tool import web
from lti_tool.services import keys
from sandbox_platform.forge import Forge
from swott.cli import main
from tests.lti_tool.lti.conftest import TOOLKITS
from tests.lti_tool.lti.http_support import launch


def _cli_env(monkeypatch: pytest.MonkeyPatch, app: Flask, url: str) -> None:
    monkeypatch.setenv("SWOTT_DATABASE_URL", app.extensions["swott.db"].url)
    monkeypatch.setenv("SWOTT_BASE_URL", url)
    monkeypatch.setenv("SWOTT_TOOLKITS_DIR", str(TOOLKITS))
    monkeypatch.setenv("SWOTT_SECRET_KEY", "cli-secret-" + "y" * 40)


def _jwks(url: str) -> set[str]:
    return {k["kid"] for k in requests.get(url + "/lti/jwks.json", timeout=5).json()["keys"]}


def _sign_and_verify(app: Flask, url: str) -> str:
    """Sign as the AGS client assertion does, and verify against the published JWKS."""
    with app.app_context():
        key = keys.signing_key(web.db_session())
        kid = key.kid
        token = jwt.encode({"iss": "swott", "sub": "swott"}, key.private_pem, algorithm="RS256", headers={"kid": kid})
    published = requests.get(url + "/lti/jwks.json", timeout=5).json()["keys"]
    jwk = next(k for k in published if k["kid"] == kid)
    assert jwt.decode(token, jwt.PyJWK(jwk), algorithms=["RS256"])["iss"] == "swott"
    return kid


def test_launches_and_signing_survive_a_rotation(
    tool_server: tuple[str, Flask], lti_platform: Forge, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, app = tool_server
    _cli_env(monkeypatch, app, url)
    runner = CliRunner()
    lti_platform.scenarios["learner"] = {}

    old = _sign_and_verify(app, url)
    assert launch(requests.Session(), url, lti_platform, "learner").status_code == 200

    # With the default grace period the new key is published at once but the old one keeps signing.
    result = runner.invoke(main, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "published now" in result.output
    assert len(_jwks(url)) == 2 and old in _jwks(url)
    assert _sign_and_verify(app, url) == old
    assert launch(requests.Session(), url, lti_platform, "learner").status_code == 200

    # An immediate rotation: the newest key signs now; the older ones stay published for their grace.
    result = runner.invoke(main, ["keys", "rotate", "--grace-days", "0"])
    assert result.exit_code == 0, result.output
    newest = _sign_and_verify(app, url)
    assert newest != old
    assert {old, newest} <= _jwks(url)
    assert launch(requests.Session(), url, lti_platform, "learner").status_code == 200
    listing = runner.invoke(main, ["keys", "list"])
    assert f"{newest}" in listing.output and "(signing)" in listing.output
