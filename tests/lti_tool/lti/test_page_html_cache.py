"""Rendered page HTML is cached per toolkit, version and page (issue 15, item 3), and never served stale.

The cache is `lti_tool/views/page_cache.py`. What a learner would notice if it were wrong: links in
the page text that carry another learner's launch (or a placeholder), or yesterday's text after the
toolkit changed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from lti_tool.views import page_cache
from sandbox_platform.forge import Forge
from tests.lti_tool.lti.conftest import TOOL_URL, TOOLKITS, begin_login, build_app
from toolkits import Catalogue

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LAUNCH = re.compile(r"launch=([\w-]+)")


def _intro_page(client: FlaskClient, platform: Forge, sub: str) -> tuple[str, str]:
    """Launch as `sub` and press Start, which answers with the first page itself (issue 15: one request):
    its HTML and the learner's launch id."""
    state, nonce = begin_login(client, platform, login_hint=sub)
    body = platform.claims(nonce, sub=sub, target_link_uri=TOOL_URL + "/lti/launch")
    launched = client.post("/lti/launch", data={"id_token": platform.sign(body), "state": state})
    assert launched.status_code == 200
    text = launched.get_data(as_text=True)
    token, launch = CSRF.search(text), LAUNCH.search(text)
    assert token is not None and launch is not None
    started = client.post(f"/l1/page/01-intro/view?launch={launch.group(1)}", data={"csrf_token": token.group(1)})
    assert started.status_code == 200
    return started.get_data(as_text=True), launch.group(1)


def test_each_learner_gets_links_with_their_own_launch_from_one_rendering(lti_app: Flask, lti_platform: Forge) -> None:
    page_cache.clear()
    first, first_launch = _intro_page(lti_app.test_client(), lti_platform, "learner-a")
    second, second_launch = _intro_page(lti_app.test_client(), lti_platform, "learner-b")

    assert first_launch != second_launch
    # The page text's link to the next page and its image, each with the learner's own launch.
    for page, own, other in ((first, first_launch, second_launch), (second, second_launch, first_launch)):
        assert f'href="/l1/page/02-check?launch={own}"' in page
        assert f"/l1/asset/mini/assets/diagram.svg?launch={own}" in page
        assert other not in page
        assert page_cache.PLACEHOLDER not in page
    # Rendered once (the text and its sources) for both learners.
    assert page_cache.renders == 2


def test_a_changed_toolkit_is_rendered_afresh(tmp_path: Path, lti_platform: Forge) -> None:
    toolkits = tmp_path / "toolkits"
    shutil.copytree(TOOLKITS, toolkits)
    app = build_app(tmp_path, lti_platform, toolkits_dir=str(toolkits))
    try:
        page_cache.clear()
        before, _ = _intro_page(app.test_client(), lti_platform, "learner-a")
        assert "Welcome." in before

        # An author changes the page; the catalogue is loaded again (as a restart or reload does).
        intro = toolkits / "mini" / "l1" / "01-intro.md"
        intro.write_text(intro.read_text(encoding="utf-8").replace("Welcome.", "Hello again."), encoding="utf-8")
        app.extensions["swott.catalogue"] = Catalogue(toolkits)

        after, _ = _intro_page(app.test_client(), lti_platform, "learner-b")
        assert "Hello again." in after
        assert "Welcome." not in after
    finally:
        app.extensions["swott.db"].dispose()


def _contents(page: str) -> str:
    nav = re.search(r'<nav aria-label="Contents">(.*?)</nav>', page, re.S)
    assert nav is not None, "no contents on the page"
    return nav.group(1)


def test_the_cached_contents_show_each_learner_their_own_progress_and_links(
    lti_app: Flask, lti_platform: Forge
) -> None:
    def status_of_check(contents: str) -> str:
        item = re.search(r'href="/l1/page/02-check\?launch=[\w-]+".*?</li>', contents, re.S)
        assert item is not None
        return re.sub(r"<[^>]+>|\s+", " ", item.group(0)).strip()

    page_cache.clear()
    ahead = lti_app.test_client()
    _first, ahead_launch = _intro_page(ahead, lti_platform, "learner-ahead")
    token = CSRF.search(_first)
    assert token is not None
    moved = ahead.post(f"/l1/page/02-check/view?launch={ahead_launch}", data={"csrf_token": token.group(1)})
    # Back on the first page, having seen the second: "Viewed" beside the second page.
    ahead_page = ahead.get(f"/l1/page/01-intro?launch={ahead_launch}").get_data(as_text=True)
    assert moved.status_code == 200
    assert "This page" in status_of_check(_contents(moved.get_data(as_text=True)))  # the page it answered with
    behind_page, behind_launch = _intro_page(lti_app.test_client(), lti_platform, "learner-behind")
    ahead_again = ahead.get(f"/l1/page/01-intro?launch={ahead_launch}").get_data(as_text=True)
    assert _contents(ahead_again) == _contents(ahead_page)

    assert "Not viewed yet" not in status_of_check(_contents(ahead_page))
    assert "Viewed" in status_of_check(_contents(ahead_page))
    assert "Not viewed yet" in status_of_check(_contents(behind_page))
    assert f"launch={behind_launch}" in _contents(behind_page) and ahead_launch not in _contents(behind_page)
    assert page_cache.PLACEHOLDER not in _contents(behind_page) + _contents(ahead_page)
