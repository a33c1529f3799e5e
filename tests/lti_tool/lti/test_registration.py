"""Operator-authorised Dynamic Registration (issue 9 defect 1, issue 10 point 11).

An uninvited registration is pending: it logs in, launches and frames nothing until an operator
approves it (CLI or operator page). An operator's one-time invite URL registers and activates, once,
until it expires. Registering the same issuer and client again updates that registration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lti_tool import web
from lti_tool.models import LaunchState, Platform, RegistrationInvite, Subscription, utcnow
from lti_tool.services import registrations
from sandbox_platform.forge import Forge
from swott.cli import main
from tests.lti_tool.lti.conftest import TOOL_URL, begin_login, cli_runner, registration_params, sandbox


@pytest.fixture
def attacker() -> Iterator[Forge]:
    """A second platform (a sandbox) on its own origin that nobody registered or invited."""
    with sandbox() as platform:
        yield platform


def _client(platform: Forge) -> str:
    """The client_id the platform gave the tool when it registered itself."""
    registered = platform.registered
    assert registered is not None
    return registered.client_id


def _deployment(platform: Forge) -> str:
    registered = platform.registered
    assert registered is not None
    return registered.deployment_id


def register_dynamically(client: FlaskClient, platform: Forge, path: str = "/lti/register") -> str:
    """As the LMS administrator does: open the approval page, then press Register. The final page."""
    approval = client.get(path, query_string=registration_params(platform))
    assert approval.status_code == 200, approval.get_data(as_text=True)
    assert "What your platform will receive" in approval.get_data(as_text=True)
    done = client.post(path, data=registration_params(platform))
    assert done.status_code == 200, done.get_data(as_text=True)
    return done.get_data(as_text=True)


def _platform(app: Flask, platform: Forge) -> Platform:
    issuer, client_id = platform.issuer, _client(platform)
    with app.app_context():
        row = registrations.find_platform(web.db_session(), issuer, client_id)
        assert row is not None
        web.db_session().expunge(row)
        return row


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return web.db_session().scalar(select(func.count()).select_from(model)) or 0


def _csp(client: FlaskClient) -> str:
    return client.get("/healthz").headers["Content-Security-Policy"]


def test_the_approval_page_shows_what_the_lms_will_receive_and_sends_nothing(
    lti_client: FlaskClient, attacker: Forge
) -> None:
    page = lti_client.get("/lti/register", query_string=registration_params(attacker))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for value in (attacker.issuer, TOOL_URL + "/lti/login", TOOL_URL + "/lti/jwks.json", TOOL_URL + "/lti/launch"):
        assert value in text
    assert "Send scores and completion to your gradebook" in text
    assert "the SWOTT Connect team checks and approves" in text
    assert attacker.registrations == []  # nothing is sent to the platform before Register


def test_an_uninvited_registration_is_pending_and_can_log_in_launch_and_frame_nothing(
    lti_app: Flask, lti_client: FlaskClient, attacker: Forge
) -> None:
    final = register_dynamically(lti_client, attacker)
    assert "will check and approve" in final and "org.imsglobal.lti.close" in final
    row = _platform(lti_app, attacker)
    assert row.status == "pending" and row.approved_at is None
    assert attacker.base_url not in _csp(lti_client)

    states = _count(lti_app, LaunchState)
    refused = lti_client.get(
        "/lti/login",
        query_string={
            "iss": attacker.issuer,
            "login_hint": "u",
            "target_link_uri": TOOL_URL + "/lti/launch",
            "client_id": _client(attacker),
        },
    )
    assert refused.status_code == 403 and "waiting for approval" in refused.get_data(as_text=True)
    assert _count(lti_app, LaunchState) == states  # nothing written for the refused login

    with lti_app.app_context():
        session = web.db_session()
        platform = registrations.find_platform(session, attacker.issuer, _client(attacker))
        assert platform is not None
        assert registrations.may_launch(platform) is False
        assert registrations.approve_platform(session, platform, "sam (test)")
    assert attacker.base_url in _csp(lti_client)
    state, _nonce = begin_login(lti_client, attacker, client_id=_client(attacker))
    assert state
    approved = _platform(lti_app, attacker)
    assert approved.status == "active" and approved.approved_by == "sam (test)" and approved.approved_at


def test_a_pending_platform_cannot_launch_even_with_a_state_it_was_given(
    lti_app: Flask, lti_client: FlaskClient, lti_platform: Forge
) -> None:
    """Approval withdrawn after login (or a state from before): the launch itself refuses, nothing written."""
    from tests.lti_tool.lti.conftest import row_counts

    state, nonce = begin_login(lti_client, lti_platform)
    with lti_app.app_context():
        session = web.db_session()
        platform = registrations.find_platform(session, lti_platform.issuer, lti_platform.client_id)
        assert platform is not None
        platform.status = registrations.PENDING
        session.commit()
    before = row_counts(lti_app)
    token = lti_platform.sign(lti_platform.claims(nonce, target_link_uri=TOOL_URL + "/lti/launch"))
    refused = lti_client.post("/lti/launch", data={"id_token": token, "state": state})
    assert refused.status_code == 403 and "waiting for approval" in refused.get_data(as_text=True)
    assert row_counts(lti_app) == before


def test_an_invite_registers_and_activates_once(lti_app: Flask, lti_client: FlaskClient, attacker: Forge) -> None:
    with lti_app.app_context():
        invite, token = registrations.create_invite(web.db_session(), label="Testshire Council", created_by="sam")
        invite_id = invite.id
    path = "/lti/register/" + token
    approval = lti_client.get(path, query_string=registration_params(attacker)).get_data(as_text=True)
    assert "as soon as you register" in approval and "Testshire Council" in approval
    final = register_dynamically(lti_client, attacker, path)
    assert "will check and approve" not in final
    row = _platform(lti_app, attacker)
    assert row.status == "active" and "Testshire Council" in row.approved_by
    assert attacker.base_url in _csp(lti_client)
    with lti_app.app_context():
        used = web.db_session().get(RegistrationInvite, invite_id)
        assert used is not None and used.used_at is not None and used.platform_id == row.id
        assert used.token_hash != token and token not in used.token_hash  # only a hash is kept

    platforms = _count(lti_app, Platform)
    again = lti_client.post(path, data=registration_params(attacker))
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert lti_client.get(path, query_string=registration_params(attacker)).status_code == 400
    assert _count(lti_app, Platform) == platforms


def test_an_expired_invite_registers_nothing(lti_app: Flask, lti_client: FlaskClient, attacker: Forge) -> None:
    with lti_app.app_context():
        session = web.db_session()
        invite, token = registrations.create_invite(session, valid_for=timedelta(minutes=1))
        invite.expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    refused = lti_client.post("/lti/register/" + token, data=registration_params(attacker))
    assert refused.status_code == 400 and "expired" in refused.get_data(as_text=True)
    assert attacker.registrations == []
    with lti_app.app_context():
        assert registrations.platforms_for_issuer(web.db_session(), attacker.issuer) == []


def test_an_invite_is_given_back_when_the_registration_fails(
    lti_app: Flask, lti_client: FlaskClient, attacker: Forge
) -> None:
    with lti_app.app_context():
        invite, token = registrations.create_invite(web.db_session())
        invite_id = invite.id
    bad = dict(registration_params(attacker), registration_token="wrong")
    assert lti_client.post("/lti/register/" + token, data=bad).status_code == 400
    with lti_app.app_context():
        row = web.db_session().get(RegistrationInvite, invite_id)
        assert row is not None and row.used_at is None
    register_dynamically(lti_client, attacker, "/lti/register/" + token)
    assert _platform(lti_app, attacker).status == "active"


def test_registering_the_same_issuer_and_client_again_updates_it(
    lti_app: Flask, lti_client: FlaskClient, attacker: Forge
) -> None:
    first = lti_client.get("/lti/register", query_string=registration_params(attacker)).get_data(as_text=True)
    assert "Already registered" not in first
    register_dynamically(lti_client, attacker)
    # The approval page tells the LMS administrator before they register a second time.
    second = lti_client.get("/lti/register", query_string=registration_params(attacker)).get_data(as_text=True)
    assert "Already registered" in second and "registering updates that registration" in second
    register_dynamically(lti_client, attacker)
    with lti_app.app_context():
        rows = registrations.platforms_for_issuer(web.db_session(), attacker.issuer)
        assert [(r.client_id, r.status, [d.deployment_id for d in r.deployments]) for r in rows] == [
            (_client(attacker), "pending", [_deployment(attacker)])
        ]
        session = web.db_session()
        # By hand, with a trailing slash an administrator might paste: still the same registration.
        registrations.add_platform(
            session,
            issuer=attacker.issuer + "/",
            client_id=_client(attacker) + " ",
            auth_login_url=attacker.auth_url,
            auth_token_url=attacker.token_url,
            key_set_url=attacker.jwks_url,
            deployment_ids=["dyn-2"],
        )
        rows = registrations.platforms_for_issuer(session, attacker.issuer)
        deployments = [_deployment(attacker), "dyn-2"]
        assert [(r.status, [d.deployment_id for d in r.deployments]) for r in rows] == [("active", deployments)]


# --- CLI ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return cli_runner(tmp_path, monkeypatch)


def test_platform_add_help_explains_every_option_for_moodle_and_canvas(cli: CliRunner) -> None:
    text = cli.invoke(main, ["platform", "add", "--help"], terminal_width=200).output
    assert "View configuration details" in text and "Developer Keys" in text
    blocks = re.split(r"\n  (?=--)", text.split("Options:", 1)[1])
    documented = {b.split()[0]: " ".join(b.split()) for b in blocks if b.strip().startswith("--")}
    for option in ("--issuer", "--client-id", "--auth-login-url", "--auth-token-url", "--key-set-url", "--deployment"):
        assert "Moodle" in documented[option] and "Canvas" in documented[option], documented[option]
    assert "--name" in documented


def test_cli_invite_approve_and_recorded_subscriptions(cli: CliRunner, tmp_path: Path) -> None:
    import sqlalchemy as sa

    invite = cli.invoke(main, ["platform", "invite", "--label", "Testshire", "--days", "3"])
    assert invite.exit_code == 0, invite.output
    url = invite.output.splitlines()[0]
    assert re.fullmatch(r"https://swott\.council\.example/lti/register/[A-Za-z0-9_-]{20,}", url)
    assert "Works once" in invite.output
    assert cli.invoke(main, ["platform", "invite", "--days", "0"]).exit_code != 0

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO platform (issuer, client_id, name, auth_login_url, auth_token_url, key_set_url, "
                "brand_colour, registered_by, created_at, status, approved_by) VALUES "
                "('https://moodle.council.example', 'c1', '', 'https://m/a', 'https://m/t', 'https://m/k', '', "
                "'dynamic', '2026-12-01', 'pending', '')"
            )
        )
    listed = cli.invoke(main, ["platform", "list"]).output
    assert "PENDING approval" in listed
    approved = cli.invoke(main, ["platform", "approve", "https://moodle.council.example"])
    assert approved.exit_code == 0 and "Approved" in approved.output
    assert "already active" in cli.invoke(main, ["platform", "approve", "https://moodle.council.example"]).output
    missing = cli.invoke(main, ["platform", "approve", "https://nowhere.example"])
    assert missing.exit_code == 1 and "no platform" in missing.output and "Traceback" not in missing.output

    assert cli.invoke(main, ["subscription", "grant", "https://moodle.council.example", "--all"]).exit_code == 0
    revoked = cli.invoke(main, ["subscription", "revoke", "https://moodle.council.example", "--all"])
    assert "Revoked 1" in revoked.output
    assert "toolkit=ALL" not in cli.invoke(main, ["subscription", "list"]).output
    history = cli.invoke(main, ["subscription", "list", "--all"]).output
    assert "revoked" in history and "(cli)" in history and "granted" in history
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT granted_by, revoked_by, revoked_at FROM subscription")).one()
        status = conn.execute(sa.text("SELECT status, approved_by FROM platform")).one()
    engine.dispose()
    assert row.granted_by.endswith("(cli)") and row.revoked_by.endswith("(cli)") and row.revoked_at
    assert status.status == "active" and status.approved_by.endswith("(cli)")


# --- The operator page ---------------------------------------------------------------------------------


def _admin(app: Flask, name: str = "Sam Operator") -> str:
    from lti_tool.views.admin import admin_link

    with app.app_context(), app.test_request_context():
        return admin_link(name).replace(TOOL_URL, "")


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_operator_page_approves_grants_and_revokes_with_who_and_when(
    lti_app: Flask, lti_client: FlaskClient, attacker: Forge
) -> None:
    register_dynamically(lti_client, attacker)
    pending = _platform(lti_app, attacker)
    with lti_app.app_context():
        registrations.create_invite(web.db_session(), label="Testshire Council", created_by="sam (cli)")
    link = _admin(lti_app)
    token = link.split("token=", 1)[1]
    page = lti_client.get(link).get_data(as_text=True)
    assert "Registrations waiting for approval" in page and attacker.issuer in page
    assert "Testshire Council" in page and "by sam (cli)" in page and "Not yet" in page

    # Without the CSRF token, or without the signed link: refused, nothing changed.
    assert lti_client.post(f"/admin/platforms/{pending.id}/approve?token={token}").status_code == 403
    assert (
        lti_client.post(f"/admin/platforms/{pending.id}/approve", data={"csrf_token": _csrf(page)}).status_code == 403
    )
    assert _platform(lti_app, attacker).status == "pending"

    done = lti_client.post(f"/admin/platforms/{pending.id}/approve?token={token}", data={"csrf_token": _csrf(page)})
    assert done.status_code == 303
    approved = _platform(lti_app, attacker)
    assert approved.status == "active" and approved.approved_by == "Sam Operator (operator page)"
    assert attacker.base_url in _csp(lti_client)
    assert "The platform is approved" in lti_client.get(done.headers["Location"]).get_data(as_text=True)

    subscriptions_before = _count(lti_app, Subscription)
    bad = lti_client.post(
        f"/admin/subscriptions?token={token}",
        data={"csrf_token": _csrf(page), "platform": str(approved.id), "toolkit": "mini", "until": ["1", "1", "2001"]},
    )
    text = bad.get_data(as_text=True)
    # The same page, with the error summary, the inline message and what was typed kept.
    assert bad.status_code == 400 and "There is a problem" in text and "Grant a subscription" in text
    assert text.count("The last day must be today or in the future") == 2
    assert re.search(r'id="until-year" name="until" type="text" value="2001"', text)
    tampered = lti_client.post(
        f"/admin/subscriptions?token={token}",
        data={"csrf_token": _csrf(page), "platform": "999", "toolkit": "mini"},
    )
    assert tampered.status_code == 400
    assert _count(lti_app, Subscription) == subscriptions_before

    granted = lti_client.post(
        f"/admin/subscriptions?token={token}",
        data={
            "csrf_token": _csrf(page),
            "platform": str(approved.id),
            "toolkit": "mini",
            "until": ["31", "12", "2099"],
        },
    )
    assert granted.status_code == 303
    with lti_app.app_context():
        row = web.db_session().scalars(select(Subscription).where(Subscription.platform_id == approved.id)).one()
        assert (row.toolkit_id, str(row.ends_on), row.granted_by) == (
            "mini",
            "2099-12-31",
            "Sam Operator (operator page)",
        )
        subscription_id = row.id
    revoked = lti_client.post(
        f"/admin/subscriptions/{subscription_id}/revoke?token={token}", data={"csrf_token": _csrf(page)}
    )
    assert revoked.status_code == 303
    with lti_app.app_context():
        after = web.db_session().get(Subscription, subscription_id)
        assert after is not None and after.revoked_at is not None
        assert after.revoked_by == "Sam Operator (operator page)"
    history = lti_client.get(link).get_data(as_text=True)
    assert "Revoked" in history and "by Sam Operator (operator page)" in history
