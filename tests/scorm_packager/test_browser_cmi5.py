"""cmi5: the AU, launched by a test LMS, sends statements a cmi5 LMS accepts, in a valid order.

The test LMS (conftest `cmi5_lms`) is a real HTTP server: a one-time fetch URL that hands out the
auth token, the xAPI state API with `LMS.LaunchData`, and the statements API, which records what it
receives. Two sessions in one registration: the learner answers wrongly and leaves (failed), then
comes back, resumes on the same page, corrects the answers and completes (passed, completed).
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from typing import Any

import pytest

from scorm_packager.build import build
from scorm_packager.editions import Format
from scorm_packager.manifest import au_id
from toolkits.model import Toolkit

pytestmark = pytest.mark.browser

CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION_EXT = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY_EXT = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
ISO_DURATION = re.compile(r"^PT(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?$")


def _verb(statement: dict[str, Any]) -> str:
    return str(statement["verb"]["id"]).rsplit("/", 1)[-1]


def _wait_for_terminated(page: Any, lms: Any, count: int) -> None:
    for _ in range(100):
        if sum(_verb(s) == "terminated" for s in lms.statements) >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"no terminated statement arrived: {[_verb(s) for s in lms.statements]}")


def _new_session(lms: Any) -> None:
    """What the LMS does on each launch: a new session id and a fresh one-time fetch URL."""
    lms.session_id = str(uuid.uuid4())
    lms.fetch_calls = 0
    lms.launch_data["contextTemplate"]["extensions"][SESSION_EXT] = lms.session_id


def _session(statements: list[dict[str, Any]], session_id: str) -> list[dict[str, Any]]:
    return [s for s in statements if s["context"]["extensions"][SESSION_EXT] == session_id]


def test_cmi5_statements_in_a_valid_order(chromium: Any, cmi5_lms: Any, fixture_toolkit: Toolkit) -> None:
    lms = cmi5_lms
    with zipfile.ZipFile(io.BytesIO(build(fixture_toolkit, Format.CMI5).zip_bytes())) as archive:
        archive.extractall(lms.root / "pkg" / "cmi5")
    activity_id = au_id(fixture_toolkit) + "?launch=test"
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Session 1: wrong answers, then the learner leaves (pagehide sends terminated with keepalive).
    _new_session(lms)
    first_session = lms.session_id
    page.goto(lms.launch_url("cmi5", activity_id))
    page.locator("#page-position").filter(has_text="Page 1 of").wait_for()
    assert page.locator("#swott-banner").is_hidden()
    page.get_by_role("link", name="Check your understanding").click()
    page.get_by_role("radio", name="Audience").check()
    page.locator("button.check-answer[data-question='q-space']").click()
    page.get_by_role("checkbox", name="Tokenism").check()
    page.locator("button.check-answer[data-question='q-all']").click()
    page.goto("about:blank")
    _wait_for_terminated(page, lms, 1)

    # Session 2: same registration; the AU resumes on the check page and the learner completes.
    _new_session(lms)
    page.goto(lms.launch_url("cmi5", activity_id))
    page.locator("#page-position").filter(has_text="Page").wait_for()
    assert page.locator("section.swott-page:visible").get_attribute("id") == "page-04-check"
    page.get_by_role("radio", name="Space").check()
    page.locator("button.check-answer[data-question='q-space']").click()
    page.get_by_role("checkbox", name="Tokenism").uncheck()
    page.get_by_role("checkbox", name="Voice").check()
    page.get_by_role("checkbox", name="Influence").check()
    page.locator("button.check-answer[data-question='q-all']").click()
    for link in ("Welcome", "Before you start", "Space, voice, audience and influence", "Your CPD reflection"):
        page.get_by_role("link", name=link, exact=True).click()
    for textarea in page.locator("#reflection-form textarea").all():
        textarea.fill("An anonymous reflection.")
    page.get_by_role("button", name="Save my reflection").click()
    page.get_by_role("link", name="Your progress").click()
    page.get_by_role("button", name="Save and close").click()
    _wait_for_terminated(page, lms, 2)
    context.close()

    assert errors == []
    assert lms.unauthorised == 0, "every xAPI call carried the token from the fetch URL"
    # cmi5 9.3: "order is determined by the value of the timestamp property".
    statements = sorted(lms.statements, key=lambda s: s["timestamp"])
    one = _session(statements, first_session)
    two = _session(statements, lms.session_id)
    assert len(one) + len(two) == len(lms.statements)
    assert [_verb(s) for s in one] == ["initialized", "failed", "terminated"]
    verbs_two = [_verb(s) for s in two]
    assert verbs_two[0] == "initialized" and verbs_two[-1] == "terminated"
    assert sorted(verbs_two[1:-1]) == ["completed", "passed"]

    for statement in lms.statements:
        assert statement["actor"] == lms.actor
        assert statement["object"]["id"] == activity_id
        ctx = statement["context"]
        assert ctx["registration"] == lms.registration
        categories = [a["id"] for a in ctx["contextActivities"]["category"]]
        assert CMI5_CATEGORY in categories
        assert ctx["contextActivities"]["grouping"] == [{"id": "urn:publisher-au-id", "objectType": "Activity"}]
        result = statement.get("result", {})
        judged = "success" in result or "completion" in result
        assert (MOVEON_CATEGORY in categories) == judged, statement
        if _verb(statement) in ("completed", "passed", "failed", "terminated"):
            assert ISO_DURATION.match(result["duration"]), result
        if _verb(statement) in ("passed", "failed"):
            assert ctx["extensions"][MASTERY_EXT] == 0.5
            assert (result["score"]["scaled"] >= 0.5) == (_verb(statement) == "passed")
            assert result["success"] is (_verb(statement) == "passed")
        else:
            assert "score" not in result and "success" not in result
        if _verb(statement) == "completed":
            assert result["completion"] is True
    assert len({s["id"] for s in statements}) == len(statements), "no statement is sent twice"


def test_cmi5_without_launch_parameters_runs_standalone(chromium: Any, cmi5_lms: Any, fixture_toolkit: Toolkit) -> None:
    with zipfile.ZipFile(io.BytesIO(build(fixture_toolkit, Format.CMI5).zip_bytes())) as archive:
        archive.extractall(cmi5_lms.root / "pkg" / "plain")
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{cmi5_lms.url}/pkg/plain/index.html")
    banner = page.locator("#swott-banner")
    banner.wait_for()
    assert "opened without cmi5 launch details" in banner.inner_text()
    assert cmi5_lms.statements == [] and cmi5_lms.fetch_calls == 0
    context.close()


def test_cmi5_browse_mode_sends_no_judgement_and_returns_to_the_lms(
    chromium: Any, cmi5_lms: Any, fixture_toolkit: Toolkit
) -> None:
    """launchMode Browse: only initialized and terminated (cmi5 10.2.2); then back to returnURL."""
    lms = cmi5_lms
    with zipfile.ZipFile(io.BytesIO(build(fixture_toolkit, Format.CMI5).zip_bytes())) as archive:
        archive.extractall(lms.root / "pkg" / "browse")
    (lms.root / "returned.html").write_text("<!DOCTYPE html><title>LMS</title><p>Back in the LMS</p>")
    lms.launch_data["launchMode"] = "Browse"
    lms.launch_data["returnURL"] = f"{lms.url}/returned.html"
    _new_session(lms)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(lms.launch_url("browse", au_id(fixture_toolkit)))
    page.locator("#page-position").filter(has_text="Page").wait_for()
    page.get_by_role("link", name="Check your understanding").click()
    page.get_by_role("radio", name="Space").check()
    page.locator("button.check-answer[data-question='q-space']").click()
    page.get_by_role("link", name="Your progress").click()
    page.get_by_role("button", name="Save and close").click()
    page.wait_for_url(f"{lms.url}/returned.html")
    _wait_for_terminated(page, lms, 1)
    context.close()
    statements = sorted(lms.statements, key=lambda s: s["timestamp"])
    assert [_verb(s) for s in statements] == ["initialized", "terminated"]


def test_cmi5_refused_token_falls_back_to_standalone(chromium: Any, cmi5_lms: Any, fixture_toolkit: Toolkit) -> None:
    """A fetch URL already used (cmi5 8.2.3.1) gives no token: the learner is told, and can still work."""
    lms = cmi5_lms
    with zipfile.ZipFile(io.BytesIO(build(fixture_toolkit, Format.CMI5).zip_bytes())) as archive:
        archive.extractall(lms.root / "pkg" / "reused")
    _new_session(lms)
    lms.fetch_calls = 1  # someone already took this session's token
    context = chromium.new_context()
    page = context.new_page()
    page.goto(lms.launch_url("reused", au_id(fixture_toolkit)))
    banner = page.locator("#swott-banner")
    banner.wait_for()
    assert "could not be reached" in banner.inner_text() and "error 1" in banner.inner_text()
    page.get_by_role("button", name="Next page").click()
    assert page.locator("section.swott-page:visible").get_attribute("id") == "page-02-thinking"
    assert lms.statements == []
    context.close()
