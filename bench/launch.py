"""Benchmark: full LTI launches per second (login + platform auth + launch + first page), over real HTTP.

The tool and a bare Flask endpoint are served the same way in the same run (Werkzeug, threaded, on
127.0.0.1), with SQLite launch state as in the embedded default; the ratio of the two rates is the
cost of one launch in "bare requests", so it means the same on a fast or slow machine. The platform is
the test platform (its own keys and OIDC endpoint, tests/lti_tool/lti/lti_platform.py).

    .venv/bin/python bench/launch.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lti_tool import create_app, migrate  # noqa: E402
from lti_tool.services import registrations, subscriptions  # noqa: E402
from tests.lti_tool.lti.lti_platform import Dispatcher, FakePlatform, fixture_toolkits, launch, serve  # noqa: E402


def _rate(step: Callable[[], None], seconds: float) -> tuple[float, int]:
    step()  # warm up (first key fetch, template compilation)
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        count += 1
    return count / (time.perf_counter() - start), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="seconds per measurement")
    args = parser.parse_args()
    logging.disable(logging.INFO)

    bare = Flask("bare")
    bare.add_url_rule("/ping", "ping", lambda: "ok")
    platform = FakePlatform()
    tool = Dispatcher()
    # The small test toolkits: loading the shipped ones would only add start-up time, not launch cost.
    toolkits_dir, toolkit_id = str(fixture_toolkits()), "mini"
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(platform.wsgi) as platform_url,
        serve(tool) as tool_url,
        serve(bare) as bare_url,
    ):
        platform.base_url = platform_url
        platform.scenarios["learner"] = {
            "https://purl.imsglobal.org/spec/lti/claim/custom": {"toolkit_id": toolkit_id, "part": "l1"}
        }
        database = f"sqlite:///{tmp}/bench.sqlite3"
        migrate.upgrade(database)
        app = create_app(
            {
                "database_url": database,
                "base_url": tool_url,
                "secret_key": "bench-" + "b" * 40,
                "toolkits_dir": toolkits_dir,
                "log_level": "WARNING",
            }
        )
        tool.app = app
        with app.app_context():
            from lti_tool import web

            row = registrations.add_platform(
                web.db_session(),
                issuer=platform.issuer,
                client_id=platform.client_id,
                auth_login_url=platform.auth_url,
                auth_token_url=platform.token_url,
                key_set_url=platform.jwks_url,
                deployment_ids=[platform.deployment_id],
            )
            subscriptions.grant(web.db_session(), row, [None])

        users = iter(range(10**9))

        def one_launch() -> None:
            page = launch(requests.Session(), tool_url, platform, "learner", login_hint=f"u{next(users)}")
            if page.status_code != 200:
                raise SystemExit(f"launch failed with HTTP {page.status_code}")

        http = requests.Session()

        def one_bare() -> None:
            http.get(bare_url + "/ping", timeout=5).raise_for_status()

        launches, n_launches = _rate(one_launch, args.seconds)
        pings, n_pings = _rate(one_bare, args.seconds)
        app.extensions["swott.db"].dispose()
    print(f"full launches (login + auth + launch + first page): {launches:8.1f} /s  ({n_launches} launches)")
    print(f"bare Flask endpoint:                                  {pings:8.1f} /s  ({n_pings} requests)")
    print(f"ratio: one launch costs {pings / launches:.1f} bare requests")


if __name__ == "__main__":
    main()
