"""Subscriptions: per platform or per deployment, one toolkit or all, with start and end dates."""

from __future__ import annotations

from datetime import date

from flask import Flask

from lti_tool import web
from lti_tool.services import registrations, subscriptions

CATALOGUE = ["alpha", "beta", "gamma"]


def test_dates_deployments_and_all_toolkits(app: Flask) -> None:
    with app.app_context():
        session = web.db_session()
        platform = registrations.add_platform(
            session,
            issuer="https://canvas.instructure.com",
            client_id="100",
            auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
            auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
            key_set_url="https://sso.canvaslms.com/api/lti/security/jwks",
            deployment_ids=["1:aaa", "2:bbb"],
        )
        one, two = platform.deployments
        assert subscriptions.subscribed_toolkit_ids(session, platform.id, one, CATALOGUE) == []  # none until granted

        subscriptions.grant(session, platform, ["alpha"], starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
        subscriptions.grant(session, platform, [None], deployment_id="2:bbb", starts_on=date(2026, 6, 1))

        assert subscriptions.is_subscribed(session, platform.id, one, "alpha", today=date(2026, 3, 1))
        assert not subscriptions.is_subscribed(session, platform.id, one, "alpha", today=date(2027, 1, 1))  # expired
        assert not subscriptions.is_subscribed(session, platform.id, one, "alpha", today=date(2025, 12, 31))  # not yet
        assert not subscriptions.is_subscribed(session, platform.id, one, "beta", today=date(2026, 7, 1))
        assert subscriptions.is_subscribed(session, platform.id, two, "beta", today=date(2026, 7, 1))  # all, for 2:bbb
        assert subscriptions.subscribed_toolkit_ids(session, platform.id, two, CATALOGUE, date(2026, 7, 1)) == CATALOGUE
        assert subscriptions.subscribed_toolkit_ids(session, platform.id, one, CATALOGUE, date(2026, 7, 1)) == ["alpha"]

        assert subscriptions.revoke(session, platform, [None], deployment_id="2:bbb") == 1
        assert subscriptions.subscribed_toolkit_ids(session, platform.id, two, CATALOGUE, date(2026, 7, 1)) == ["alpha"]
