"""Operator commands (`swott platform|subscription|keys|admin`) and the operator page."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flask import Flask

from lti_tool.cli_lti import platform
from lti_tool.services.registrations import RegistrationError, check_platform_url
from sandbox_platform.forge import Forge
from swott.cli import main
from tests.lti_tool.lti.conftest import build_app, cli_runner

ADD = [
    "platform",
    "add",
    "--issuer",
    "https://moodle.council.example",
    "--client-id",
    "abc123",
    "--auth-login-url",
    "https://moodle.council.example/mod/lti/auth.php",
    "--auth-token-url",
    "https://moodle.council.example/mod/lti/token.php",
    "--key-set-url",
    "https://moodle.council.example/mod/lti/certs.php",
    "--deployment",
    "3",
]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return cli_runner(tmp_path, monkeypatch)


def test_platform_add_prints_the_values_to_paste(cli: CliRunner) -> None:
    result = cli.invoke(main, ADD)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Tool URL: https://swott.council.example/lti/launch" in out
    assert "Initiate login URL: https://swott.council.example/lti/login" in out
    assert "Redirection URI(s): https://swott.council.example/lti/launch" in out
    assert "Public keyset: https://swott.council.example/lti/jwks.json" in out
    assert "https://swott.council.example/lti/canvas.json" in out
    assert "no subscriptions yet" in out
    listing = cli.invoke(main, ["platform", "list"])
    assert "https://moodle.council.example  client_id=abc123  deployments=3" in listing.output


def test_platform_brand_sets_and_clears_the_players_colour(cli: CliRunner, tmp_path: Path) -> None:
    import sqlalchemy as sa

    from lti_tool.views.l1 import usable_brand_colour

    assert cli.invoke(main, ADD).exit_code == 0
    result = cli.invoke(main, ["platform", "brand", "https://moodle.council.example", "#0B3D91"])
    assert result.exit_code == 0, result.output
    assert "Brand colour for https://moodle.council.example: #0b3d91." in result.output
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT brand_colour FROM platform")).scalar_one()
    assert usable_brand_colour(stored) == "#0b3d91"  # dark enough for white header text
    bad = cli.invoke(main, ["platform", "brand", "https://moodle.council.example", "navy"])
    assert bad.exit_code == 1 and "must look like #1d4f91" in bad.output and "Traceback" not in bad.output
    cleared = cli.invoke(main, ["platform", "brand", "https://moodle.council.example", "none"])
    assert "the default" in cleared.output
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT brand_colour FROM platform")).scalar_one() == ""
    engine.dispose()


def test_subscription_grant_list_revoke(cli: CliRunner) -> None:
    cli.invoke(main, ADD)
    granted = cli.invoke(
        main, ["subscription", "grant", "https://moodle.council.example", "--toolkit", "mini", "--until", "2099-12-31"]
    )
    assert granted.exit_code == 0, granted.output
    assert "toolkit=mini" in granted.output and "2099-12-31" in granted.output and "[active]" in granted.output
    assert (
        cli.invoke(
            main, ["subscription", "grant", "https://moodle.council.example", "--all", "--deployment", "3"]
        ).exit_code
        == 0
    )
    unknown = cli.invoke(main, ["subscription", "grant", "https://moodle.council.example", "--toolkit", "nope"])
    assert unknown.exit_code != 0 and "unknown toolkit" in unknown.output
    both = cli.invoke(main, ["subscription", "grant", "https://moodle.council.example", "--all", "--toolkit", "mini"])
    assert both.exit_code != 0
    listing = cli.invoke(main, ["subscription", "list"])
    assert "toolkit=mini" in listing.output and "toolkit=ALL  deployment=3" in listing.output
    revoked = cli.invoke(main, ["subscription", "revoke", "https://moodle.council.example", "--toolkit", "mini"])
    assert "Revoked 1" in revoked.output
    assert "toolkit=mini" not in cli.invoke(main, ["subscription", "list"]).output
    removed = cli.invoke(main, ["platform", "remove", "https://moodle.council.example"])
    assert "Removed 1" in removed.output
    assert "No platforms registered." in cli.invoke(main, ["platform", "list"]).output


def test_production_accepts_only_https_platforms(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWOTT_ENV", "production")
    args = [a.replace("https://moodle.council.example", "http://127.0.0.1:8000") for a in ADD]
    result = cli.invoke(main, args)
    assert result.exit_code != 0 and "must use https:// in production" in result.output


@pytest.mark.parametrize(
    ("url", "production", "ok"),
    [
        ("https://moodle.example", True, True),
        ("http://127.0.0.1:8000", False, True),
        ("http://localhost:8000", False, True),
        ("http://[::1]:8000", False, True),
        ("http://127.0.0.1:8000", True, False),
        ("http://moodle.example", False, False),
        ("http://10.0.0.5", False, False),
        ("ftp://moodle.example", False, False),
        ("moodle.example", False, False),
    ],
)
def test_platform_url_policy(url: str, production: bool, ok: bool) -> None:
    if ok:
        assert check_platform_url(url, production) == url
    else:
        with pytest.raises(RegistrationError):
            check_platform_url(url, production)


def test_admin_page_needs_a_fresh_signed_link(cli: CliRunner, tmp_path: Path, lti_platform: Forge) -> None:
    link = cli.invoke(main, ["admin", "link"]).output.strip()
    assert link.startswith("https://swott.council.example/admin/?token=")
    (tmp_path / "web").mkdir()
    app: Flask = build_app(tmp_path / "web", lti_platform, secret_key="cli-secret-" + "z" * 40)
    client = app.test_client()
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/?token=forged").status_code == 403
    page = client.get(link.replace("https://swott.council.example", ""))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "http://127.0.0.1:5000/lti/jwks.json" in text and lti_platform.issuer in text
    app.extensions["swott.db"].dispose()


def test_frame_ancestors_lists_registered_platforms(lti_app: Flask, lti_platform: Forge) -> None:
    header = lti_app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert header == f"frame-ancestors 'self' {lti_platform.base_url}"


@pytest.mark.parametrize(
    ("issuer", "configuration_url", "ok"),
    [
        ("https://moodle.council.example", "https://moodle.council.example/mod/lti/openid-configuration.php", True),
        ("https://moodle.council.example", "https://evil.example/mod/lti/openid-configuration.php", False),
        # Canvas cloud: one issuer, configuration served from the council's own host.
        (
            "https://canvas.instructure.com",
            "https://council.instructure.com/api/lti/security/openid-configuration",
            True,
        ),
        ("https://canvas.instructure.com", "https://council.instructure.com.evil.example/api/lti/x", False),
        ("https://canvas.instructure.com", "http://council.instructure.com/api/lti/x", False),
        ("https://moodle.council.example", "https://council.instructure.com/api/lti/x", False),
    ],
)
def test_dynamic_registration_issuer_check(issuer: str, configuration_url: str, ok: bool) -> None:
    from lti_tool.lti.dynamic_registration import issuer_matches

    assert issuer_matches(issuer, configuration_url) is ok


def test_platform_add_help_says_where_every_value_is_in_moodle_and_canvas(cli: CliRunner) -> None:
    """Issue 10 point 11: an operator reading `--help` finds each value without another page."""
    command = platform.commands["add"]
    lms_values = [p for p in command.params if isinstance(p, click.Option) and p.name not in ("help", "name")]
    assert {p.name for p in lms_values} == {
        "issuer",
        "client_id",
        "auth_login_url",
        "auth_token_url",
        "key_set_url",
        "deployments",
    }
    for option in lms_values:
        assert "Moodle:" in (option.help or "") and "Canvas" in (option.help or ""), option.name
    name = next(p for p in command.params if p.name == "name")
    assert isinstance(name, click.Option) and "Not from the LMS" in (name.help or "")
    shown = cli.invoke(main, ["platform", "add", "--help"])
    assert shown.exit_code == 0
    assert "View configuration details" in shown.output and "Developer Keys" in shown.output
    assert "it never makes a second one" in " ".join(shown.output.split())
