"""Benchmark: the programme lead's cohort view for a course of 20 cohorts of 12 over the 10-week template.

In one process, on SQLite (default) or PostgreSQL (`--backend postgres`, the bench schema): builds a
course with `--cohorts` runs of the shipped ten-week template, `--size` participants each, with progress
(half the events registered, a third of the L1s completed), then times
- the cohort view of every cohort at once (`services.programmes.cohort.build_many`) and of one cohort,
- the CSV of every cohort,
and counts the SQL statements of each (bounded: four, whatever the size — exit 1 if not). The baseline
is reading the same progress rows with one plain SELECT in the same process, so the ratio means the
same on a fast or a slow machine.

    .venv/bin/python bench/programmes.py [--cohorts 20] [--size 12] [--runs 5] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import support
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from lti_tool import migrate
from lti_tool.db import Database
from lti_tool.models import (
    Attempt,
    Context,
    Enrolment,
    LtiUser,
    Platform,
    ProgrammeProgress,
    ProgrammeRun,
    ResourceLink,
    utcnow,
)
from lti_tool.services.programmes import cohort, runs, templates
from toolkits import Catalogue

MAX_QUERIES = 4


@contextlib.contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "postgres":
        with support.postgres_schema() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


def build_course(session: Session, cohorts: int, size: int) -> list[ProgrammeRun]:
    catalogue = Catalogue()
    programme = templates.get(catalogue, "ten-week-cohort")
    assert programme is not None, "the shipped ten-week template must load"
    platform = Platform(issuer="https://bench.example.org", client_id="bench", auth_login_url="https://x",
                        auth_token_url="https://x", key_set_url="https://x")  # fmt: skip
    session.add(platform)
    session.flush()
    context = Context(platform_id=platform.id, context_id="bench-course", title="Bench")
    session.add(context)
    session.flush()
    count = cohorts * size
    session.execute(insert(LtiUser), [{"platform_id": platform.id, "sub": f"p{i}", "name": f"Participant {i:04d}"}
                                      for i in range(count)])  # fmt: skip
    ids = list(session.scalars(select(LtiUser.id).where(LtiUser.platform_id == platform.id).order_by(LtiUser.id)))
    session.execute(insert(Enrolment), [{"user_id": u, "context_id": context.id, "role": "learner"} for u in ids])
    found = []
    start = date(2027, 3, 1)
    for n in range(cohorts):
        found.append(runs.create_run(
            session, context_id=context.id, programme=programme, cohort_name=f"Cohort {n + 1}",
            starts_on=start + timedelta(days=7 * (n % 4)), participant_ids=ids[n * size:(n + 1) * size],
        ))  # fmt: skip
    # Progress: every other event registered (two in three attended); a third of L1s completed.
    rows = []
    for run in found:
        members = runs.members(session, run)
        for index, ev in enumerate(runs.events(session, run)):
            if index % 2:
                continue
            for k, m in enumerate(members):
                attended = k % 3 != 0
                rows.append({"participant_id": m.participant.id, "event_id": ev.id, "attended": attended,
                             "status": "done" if attended else "missed"})  # fmt: skip
    session.execute(insert(ProgrammeProgress), rows)
    for toolkit_id in programme.toolkit_ids:
        link = ResourceLink(context_id=context.id, link_id=f"l1-{toolkit_id}", toolkit_id=toolkit_id, part="l1")
        session.add(link)
        session.flush()
        session.execute(insert(Attempt), [{"user_id": u, "resource_link_id": link.id, "toolkit_id": toolkit_id,
                                           "status": "completed", "completed_at": utcnow()}
                                          for u in ids[::3]])  # fmt: skip
    session.commit()
    return found


def timed(func: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        values.append(time.perf_counter() - started)
    return min(values), statistics.median(values), max(values)


def counted(database: Database, func: Callable[[], object]) -> int:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        func()
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohorts", type=int, default=20)
    parser.add_argument("--size", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    support.quiet()
    with _database(args.backend) as url:
        migrate.upgrade(url)
        database = Database(url)
        try:
            with database.session() as session:
                all_runs = build_course(session, args.cohorts, args.size)
                programme = templates.get(Catalogue(), "ten-week-cohort")
                toolkit_of = {r.id: templates.toolkit_of(programme) for r in all_runs}
                now = utcnow()
                events = len(runs.events(session, all_runs[0]))

                def every() -> object:
                    return cohort.build_many(session, all_runs, now, toolkit_of)

                def one() -> object:
                    return cohort.build_many(session, all_runs[:1], now, toolkit_of)

                def as_csv() -> object:
                    return cohort.to_csv(cohort.build_many(session, all_runs, now, toolkit_of))

                def baseline() -> object:
                    return session.execute(select(ProgrammeProgress)).all()

                session.expire_all()
                figures = {name: timed(f, args.runs) for name, f in
                           (("every cohort", every), ("one cohort", one), ("CSV, every cohort", as_csv),
                            ("baseline: SELECT progress", baseline))}  # fmt: skip
                queries = {name: counted(database, f) for name, f in (("every cohort", every), ("one cohort", one))}
        finally:
            database.dispose()
    participants = args.cohorts * args.size
    print(f"cohort view, {args.backend}: {args.cohorts} cohorts x {args.size} participants x {events} events "
          f"({participants * events} cells), {args.runs} runs")  # fmt: skip
    base = figures["baseline: SELECT progress"][1]
    for name, (low, mid, high) in figures.items():
        ratio = f"   {mid / base:5.1f}x baseline" if not name.startswith("baseline") else ""
        sql = f"   {queries[name]} SQL statements" if name in queries else ""
        print(f"{name:28} min {low * 1000:8.1f} ms  median {mid * 1000:8.1f} ms  max {high * 1000:8.1f} ms{ratio}{sql}")
    if max(queries.values()) > MAX_QUERIES or queries["every cohort"] != queries["one cohort"]:
        raise SystemExit(f"the cohort view ran {queries} SQL statements; at most {MAX_QUERIES}, whatever the size")


if __name__ == "__main__":
    main()
