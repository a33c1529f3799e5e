"""Platform storage in a real browser (Debian chromium): the tool framed cross-site by a course page.

The platform (the sandbox) is served as http://127.0.0.1:PORT and the tool as http://localhost:PORT, so
they are different sites: the browser does not send the tool's (SameSite=Lax, as on plain HTTP) cookies
with the platform's cross-site form post into the iframe — what Safari and Chrome with third-party
cookies blocked do under HTTPS too. The launch must still complete through the platform's storage: the
sandbox's course page answers `lti.put_data`/`lti.get_data` as the tool's `_parent` frame.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from sandbox_platform.forge import Forge
from tests.lti_tool.lti.conftest import build_app
from tests.lti_tool.lti.http_support import Dispatcher, serve


@pytest.fixture
def tool_on_localhost(tmp_path: Path, lti_platform: Forge) -> Iterator[str]:
    dispatcher = Dispatcher()
    with serve(dispatcher) as url:
        url = url.replace("127.0.0.1", "localhost")
        app = build_app(tmp_path, lti_platform, base_url=url)
        dispatcher.app = app
        yield url
        app.extensions["swott.db"].dispose()


@pytest.mark.browser
def test_launch_in_a_cross_site_iframe_completes_through_platform_storage(
    chromium: Any, tool_on_localhost: str, lti_platform: Forge
) -> None:
    url = tool_on_localhost
    placement = lti_platform.platform.add_placement(
        title="L1", client_id=lti_platform.client_id, custom={"toolkit_id": "mini", "part": "l1"}
    )
    # The sandbox's course page with "Launch with platform storage": it is the tool's `_parent` storage frame.
    course = lti_platform.base_url + "/play?" + urlencode({"user": "learner1", "placement": placement.id, "storage": 1})
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(course)
        # The tool's frame is cross-site (an out-of-process frame): find it by URL once it gets there.
        deadline = time.monotonic() + 30
        player = None
        while player is None and time.monotonic() < deadline:
            player = next((f for f in page.frames if f.url.startswith(url + "/player/")), None)
            page.wait_for_timeout(100)
        assert player is not None, [f.url for f in page.frames]
        player.wait_for_selector("#start", timeout=30000)  # generous: a busy CI machine
        assert player.locator("h1").inner_text() == "A minimal test toolkit"
        assert "lt=" in player.url  # the launch travels as a signed token, not a cookie
    finally:
        context.close()
