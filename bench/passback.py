"""Grade passback benchmark: N scores through the outbox to a local platform, over real HTTP.

Starts the tool and the sandbox platform as `swott demo` does (Dynamic Registration; the platform
verifies each client assertion against the tool's JWKS), launches the sandbox's learners into L1, queues
N scores spread over them, delivers them with the same code `swott worker` runs, and prints:

- platform requests per score (token + line item + score requests the tool made, divided by N);
- token requests (one per platform and scope set is the goal: tokens are cached and shared);
- scores per second (delivery only; queueing is the web request's cost and not counted).

Run: `.venv/bin/python bench/passback.py [--scores 100]` (takes a few seconds; 127.0.0.1 only).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import WSGIRequestHandler  # noqa: E402

from lti_tool.db import Database  # noqa: E402
from lti_tool.models import LtiUser, ResourceLink, ScoreRecord  # noqa: E402
from lti_tool.services import delivery, outbox  # noqa: E402
from lti_tool.services.access_tokens import AccessTokens  # noqa: E402
from lti_tool.services.grades import GradeService  # noqa: E402
from sandbox_platform import browser  # noqa: E402
from swott.demo import start_demo  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", type=int, default=100, help="how many scores to send (default 100)")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # the figures, not the per-request log lines
    # Werkzeug's development server writes headers and body in two packets without TCP_NODELAY, so
    # delayed ACKs add ~40 ms to every local request; real LMSs (behind nginx/Apache) do not.
    WSGIRequestHandler.disable_nagle_algorithm = True

    with tempfile.TemporaryDirectory() as tmp:
        demo = start_demo(tool_port=0, platform_port=0, tool_settings={"database_url": f"sqlite:///{tmp}/bench.db"})
        try:
            platform = demo.platform
            placement = platform.placements[0]
            for learner in platform.learners:
                page = browser.follow(requests.Session(), platform.launch_url(user=learner.key, placement=placement))
                if page.status_code != 200:
                    print(f"launch failed for {learner.key}: HTTP {page.status_code}", file=sys.stderr)
                    return 1
            database: Database = demo.tool_app.extensions["swott.db"]
            with database.session() as session:
                link_id = session.scalars(select(ResourceLink.id).where(ResourceLink.link_id == placement.id)).one()
                subs = {learner.sub for learner in platform.learners}
                learners = list(session.scalars(select(LtiUser.id).where(LtiUser.sub.in_(subs))))
                for n in range(args.scores):
                    # Each score a change of grade: an identical one would not be queued at all.
                    outbox.enqueue_score(
                        session,
                        resource_link_id=link_id,
                        user_id=learners[n % len(learners)],
                        score_given=float(n // len(learners)),
                        score_maximum=float(args.scores),
                        activity_progress="Completed",
                        grading_progress="FullyGraded",
                    )
                session.commit()

            http = requests.Session()
            made: list[str] = []
            http.hooks["response"].append(lambda response, *a, **k: made.append(response.request.method or ""))
            tokens_before = len(platform.token_requests)
            grades = GradeService(AccessTokens(database, http=http), http=http)
            started = time.perf_counter()
            report = delivery.deliver_pending(database, grades=grades)
            elapsed = time.perf_counter() - started

            with database.session() as session:
                left = session.scalars(select(ScoreRecord.id).where(ScoreRecord.status != "delivered")).all()
            accepted = sum(1 for score in platform.scores if score.status == 200)
            token_requests = len(platform.token_requests) - tokens_before
            print(f"scores queued:                {args.scores}")
            print(f"scores delivered:             {len(report.delivered)} (accepted by the platform: {accepted})")
            print(f"not delivered:                {len(left)}")
            print(f"platform requests:            {len(made)}")
            print(f"platform requests per score:  {len(made) / max(1, args.scores):.2f}")
            print(f"token requests:               {token_requests}")
            print(f"scores per second:            {len(report.delivered) / elapsed:.0f}")
            return 0 if len(report.delivered) == args.scores and token_requests == 1 else 1
        finally:
            demo.stop()


if __name__ == "__main__":
    sys.exit(main())
