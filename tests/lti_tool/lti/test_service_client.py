"""The one LTI service client: token, bearer request, one 401 refresh, one retry rule, one error class.

Over real HTTP against the sandbox platform (its token endpoint verifying our client assertion).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_tool.db import Database
from lti_tool.lti import service_client
from lti_tool.lti.service_client import LtiServiceClient, PlatformEndpoint, ServiceError, retryable_status
from lti_tool.models import Platform
from lti_tool.services.access_tokens import AccessTokens
from sandbox_platform.script import SERVICES
from tests.lti_tool.services.passback_support import AGS_SCOPES, seed_course
from tests.lti_tool.services.sandbox_lms import SandboxLms

LTI_PACKAGE = Path(service_client.__file__).parent


def _endpoint(database: Database, ags: SandboxLms) -> tuple[PlatformEndpoint, str]:
    seed_course(database, ags)
    with database.session() as session:
        return PlatformEndpoint.of(session.scalars(select(Platform)).one()), ags.lineitem_url(1)


def test_the_service_client_never_imports_the_domain_or_the_views() -> None:
    # (The whole of lti/ gets the same rule with the import-direction work of issue 17.)
    for module in (LTI_PACKAGE / "service_client.py",):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("lti_tool.services", "lti_tool.views")), f"{module.name} imports {name}"


def test_a_dropped_token_is_refreshed_once(database: Database, ags: SandboxLms) -> None:
    endpoint, lineitem = _endpoint(database, ags)
    client = LtiServiceClient(AccessTokens(database))
    assert client.request(endpoint, AGS_SCOPES, "GET", lineitem, what="line item read").status_code == 200
    ags.script.revoke_tokens()  # Moodle deletes tokens on its own schedule
    assert client.request(endpoint, AGS_SCOPES, "GET", lineitem, what="line item read").status_code == 200
    assert len(ags.platform.token_requests) == 2


class _RefusedToken:
    """A token the platform never issued: every request with it gets 401."""

    def __init__(self) -> None:
        self.forgotten = 0

    def token(self, platform: PlatformEndpoint, scopes: Iterable[str]) -> str:
        return "never-issued"

    def forget(self, platform: PlatformEndpoint, scopes: Iterable[str], token: str) -> None:
        self.forgotten += 1

    def close(self) -> None:
        pass


def test_a_second_401_is_an_error_not_a_loop(database: Database, ags: SandboxLms) -> None:
    endpoint, lineitem = _endpoint(database, ags)
    tokens = _RefusedToken()
    with pytest.raises(ServiceError) as refused:
        LtiServiceClient(tokens).request(endpoint, AGS_SCOPES, "GET", lineitem, what="line item read")
    assert (refused.value.status, refused.value.retryable, tokens.forgotten) == (401, False, 1)
    assert str(refused.value) == "line item read refused: HTTP 401"  # no token in the message


@pytest.mark.parametrize(("status", "retryable"), [(408, True), (425, True), (429, True), (500, True), (503, True),
                                                   (400, False), (403, False), (404, False)])  # fmt: skip
def test_one_retry_rule_for_the_token_endpoint_and_the_services(
    database: Database, ags: SandboxLms, status: int, retryable: bool
) -> None:
    endpoint, lineitem = _endpoint(database, ags)
    assert retryable_status(status) is retryable
    ags.script.fail(status, services=SERVICES)
    with pytest.raises(ServiceError) as token_refused:
        AccessTokens(database).token(endpoint, AGS_SCOPES)
    assert (token_refused.value.status, token_refused.value.retryable) == (status, retryable)
    ags.script.clear()
    client = LtiServiceClient(AccessTokens(database))
    client.request(endpoint, AGS_SCOPES, "GET", lineitem, what="line item read")  # a token is cached now
    ags.script.fail(status, services=SERVICES)
    with pytest.raises(ServiceError) as service_refused:
        client.request(endpoint, AGS_SCOPES, "GET", lineitem, what="line item read")
    assert (service_refused.value.status, service_refused.value.retryable) == (status, retryable)
    assert service_refused.value.retry_after == 1.0  # the platform's Retry-After is kept for the backoff


def test_no_answer_is_retryable_and_says_whether_the_request_went_out(database: Database, ags: SandboxLms) -> None:
    endpoint, lineitem = _endpoint(database, ags)
    patient = LtiServiceClient(AccessTokens(database))
    patient.request(endpoint, AGS_SCOPES, "GET", lineitem, what="line item read")  # token cached
    ags.script.slow(1.0)  # score posts take a second
    impatient = LtiServiceClient(AccessTokens(database), timeout=(2.0, 0.2))
    with pytest.raises(ServiceError) as timed_out:
        impatient.request(endpoint, AGS_SCOPES, "POST", lineitem.replace("/lineitem?", "/lineitem/scores?"), what="x")
    assert timed_out.value.retryable and timed_out.value.sent  # it may have landed: read back before re-posting
    ags.stop()
    with pytest.raises(ServiceError) as refused:
        patient.request(endpoint, AGS_SCOPES, "GET", lineitem, what="line item read")
    assert refused.value.retryable and not refused.value.sent and refused.value.status is None
