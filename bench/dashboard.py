"""Facilitator dashboard benchmark: a council-wide course of N learners (1,000 by default) in SQLite.

Builds the course in a temporary database (a third finished L1 with a reflection, a third part way, a
third not started; a third invited to an L2 session, half of them there), then asks the real app for
the dashboard page and its CSV as a facilitator would, and prints for each:

- the time to render it (median of a few runs, after one warm-up);
- the number of SQL statements it ran (counted with a `before_cursor_execute` listener; the bar is 15
  whatever the number of learners).

Run: `.venv/bin/python bench/dashboard.py [--learners 1000] [--runs 5]` (a few seconds; no network).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402

from lti_tool import create_app, migrate  # noqa: E402
from lti_tool.db import Database  # noqa: E402
from lti_tool.lti.roles import Role  # noqa: E402
from lti_tool.lti.session import SESSION_KEY, CurrentLaunch  # noqa: E402
from lti_tool.models import (  # noqa: E402
    Attempt,
    Context,
    Enrolment,
    GroupParticipant,
    GroupSession,
    LtiUser,
    Platform,
    Reflection,
    ResourceLink,
    ToolkitSchedule,
    utcnow,
)

TOOLKIT = "participatory-practice"
QUERY_BAR = 15


def build(database: Database, learners: int) -> tuple[int, int, int, int]:
    """The course and its learners; returns (platform id, context id, L1 link id, facilitator id)."""
    now = utcnow()
    with database.session() as session:
        platform = Platform(
            issuer="https://lms.bench.invalid",
            client_id="bench",
            auth_login_url="http://127.0.0.1:9/auth",
            auth_token_url="http://127.0.0.1:9/token",
            key_set_url="http://127.0.0.1:9/jwks",
        )
        session.add(platform)
        session.flush()
        context = Context(platform_id=platform.id, context_id="council-wide", title="Council-wide CPD")
        session.add(context)
        session.flush()
        l1 = ResourceLink(context_id=context.id, link_id="l1", toolkit_id=TOOLKIT, part="l1")
        l2 = ResourceLink(context_id=context.id, link_id="l2", toolkit_id=TOOLKIT, part="l2")
        facilitator = LtiUser(platform_id=platform.id, sub="facilitator", name="Team manager")
        session.add_all([l1, l2, facilitator])
        session.flush()
        session.add(Enrolment(user_id=facilitator.id, context_id=context.id, role="facilitator"))
        session.add(ToolkitSchedule(context_id=context.id, toolkit_id=TOOLKIT, l1_deadline=now - timedelta(days=1)))
        session.execute(
            insert(LtiUser),
            [{"platform_id": platform.id, "sub": f"learner-{i}", "name": f"Learner {i:05d}"} for i in range(learners)],
        )
        ids = list(session.scalars(select(LtiUser.id).where(LtiUser.sub.like("learner-%")).order_by(LtiUser.id)))
        session.execute(insert(Enrolment), [{"user_id": u, "context_id": context.id, "role": "learner"} for u in ids])
        pages = [f"page-{n}" for n in range(15)]
        session.execute(
            insert(Attempt),
            [
                {
                    "user_id": u,
                    "resource_link_id": l1.id,
                    "toolkit_id": TOOLKIT,
                    "current_page": pages[4],
                    "pages_viewed": pages if i % 3 == 0 else pages[:5],
                    "answers": {},
                    "answer_counts": {},
                    "notes": {},
                    "status": "completed" if i % 3 == 0 else "in_progress",
                    "score_percent": 80.0 if i % 3 == 0 else None,
                    "completed_at": now - timedelta(days=3) if i % 3 == 0 else None,
                }
                for i, u in enumerate(ids)
                if i % 3 != 2
            ],
        )
        session.execute(
            insert(Reflection),
            [
                {
                    "user_id": u,
                    "resource_link_id": l1.id,
                    "toolkit_id": TOOLKIT,
                    "model": "gibbs",
                    "fields": {"description": "x" * 2000},
                    "status": "submitted",
                    "version": 3,
                }
                for i, u in enumerate(ids)
                if i % 3 == 0
            ],
        )
        group = GroupSession(
            context_id=context.id, toolkit_id=TOOLKIT, starts_at=now, place="Town hall", format="swott-default"
        )
        session.add(group)
        session.flush()
        session.execute(
            insert(GroupParticipant),
            [{"session_id": group.id, "user_id": u, "attended": i % 2 == 0} for i, u in enumerate(ids) if i % 3 == 1],
        )
        session.commit()
        return platform.id, context.id, l1.id, facilitator.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        app = create_app({"database_url": url, "secret_key": "bench-" + "x" * 40})
        database: Database = app.extensions["swott.db"]
        started = time.perf_counter()
        platform_id, context_id, link_id, facilitator_id = build(database, args.learners)
        print(f"Built {args.learners} learners in {time.perf_counter() - started:.2f} s")

        launch = CurrentLaunch(
            launch_id="bench",
            user_id=facilitator_id,
            platform_id=platform_id,
            context_id=context_id,
            resource_link_id=link_id,
            role=Role.FACILITATOR,
            toolkit_id=TOOLKIT,
            part="l1",
            deployment_id="1",
            message_type="LtiResourceLinkRequest",
        )
        client = app.test_client()
        with client.session_transaction() as flask_session:
            flask_session[SESSION_KEY] = [launch.to_dict()]

        statements: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        worst = 0
        for label, path in (("Dashboard page", "/l2/dashboard"), ("CSV export", "/l2/dashboard.csv")):
            client.get(path)  # warm-up: templates compiled, toolkit loaded
            times: list[float] = []
            for _ in range(args.runs):
                statements.clear()
                event.listen(database.engine, "before_cursor_execute", count)
                begin = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - begin)
                event.remove(database.engine, "before_cursor_execute", count)
                if response.status_code != 200:
                    print(f"{label}: HTTP {response.status_code}", file=sys.stderr)
                    return 1
            worst = max(worst, len(statements))
            print(
                f"{label}: {statistics.median(times) * 1000:.0f} ms median over {args.runs} runs, "
                f"{len(statements)} SQL queries, {len(response.data) / 1024:.0f} KiB"
            )
        database.dispose()
    print(f"Query bar: at most {QUERY_BAR} — {'met' if worst <= QUERY_BAR else 'NOT met'}.")
    return 0 if worst <= QUERY_BAR else 1


if __name__ == "__main__":
    sys.exit(main())
