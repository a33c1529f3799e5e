"""Benchmark: an LTI launch to the first L1 page, a page step and an answer, against two floors.

Three servers, each its own gunicorn process with one sync worker, started the same way in the same
run: a bare Flask endpoint (bench/bare_app.py), a minimal pylti1p3 tool written the way pylti1p3's
README shows (bench/pylti1p3_tool.py), and SWOTT Connect (`lti_tool:create_app()`) with the shipped
toolkits. The platform is the project's sandbox platform (in this process). Every client opens a
new TCP connection for every request (`Connection: close`), floors included.

Measured per operation, summing only the times of the *tool's* responses (not the platform's):
- SWOTT launch: a learner's first launch, from `/lti/login` through the launch POST (which answers
  with the before questionnaire of the shipped toolkits) and its Skip (a POST answering with the first
  L1 page itself: three tool requests), and a
  returning learner's launch (login + the launch POST answering with the L1 page they were on: two
  tool requests); with how many tool requests each takes;
- SWOTT page step: Next, a POST to /l1/page/<next>/view (a page not seen before: progress and score
  change), which answers with that page itself: one tool request (the page names its GET address for
  the address bar, as the launch's does);
- SWOTT answer: POST a knowledge-check answer, answered with the page showing its feedback: one request;
- pylti1p3 launch: login + launch (its page names the message type);
- bare: one GET.
Each run's median per operation; over `--runs` runs the min/median/max of those medians; and the ratio
of each median to the bare endpoint's median, for wall time and for the server's CPU time.

    .venv/bin/python bench/launch.py [--runs 3] [--launches 20] [--backend sqlite|postgres]
        [--passback worker|background] [--compare DIR] [--profile first|again|step|answer]

Scores are delivered by a `swott worker` next to the tool (`--passback worker`, as in production), so
the web process's CPU is the requests' own; `--passback background` delivers them from the web
process after each response (the embedded default), which that CPU then includes.

`--compare DIR` also serves another checkout of SWOTT Connect (say `git worktree add DIR main`), with
its own database, and interleaves its operations with this one's, so both meet the same busy moments;
it prints "before" rows and each operation's ratio to them. The other checkout must have the same
database schema (it is migrated with its own code, but registered with this one's).

`--profile OPERATION` (first, again, step or answer) serves the tool through bench/profiled_app.py and,
after the table, prints cProfile's statistics of that operation's tool requests alone (the other
operations and the servers' start-up are not profiled; the profile's own overhead inflates the
timed figures of that operation, so compare ratios from a run without it).

`--backend postgres` runs the tool on PostgreSQL + Redis (SWOTT_BENCH_POSTGRES_URL, SWOTT_BENCH_REDIS_URL;
default the local servers); the default is the embedded SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import support
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# Attribute order is the GOV.UK macros' (govuk_frontend_jinja), so each pattern allows any attributes between.
OPTION = re.compile(r'<input(?=[^>]*name="option")[^>]*value="([^"]+)"')
CONTINUE = re.compile(r'<button(?=[^>]*name="go")[^>]*value="([^"]+)"[^>]*>\s*Save and continue')
NEXT_FORM = re.compile(r'<form class="step-next" method="post" action="([^"]+)">')


def advance(session: requests.Session, page: requests.Response) -> requests.Response:
    """The next L1 page as a learner gets there: the Next form (a POST to /l1/page/<next>/view, which
    records the step and answers with the page itself; a GET never moves progress), or "Save and
    continue" on a thinking page (likewise one POST)."""
    forms = support.browser.forms(page.text)
    go = CONTINUE.search(page.text)
    notes = next((f for f in forms if "/notes?" in f.action or f.action.endswith("/notes")), None)
    if go is not None and notes is not None:
        return support.post_form(session, page, notes, go=go.group(1))
    found = NEXT_FORM.search(page.text)
    form = next((f for f in forms if found is not None and f.action == found.group(1)), None)
    if form is None:
        raise SystemExit(f"no next page from {support.address(page)}")
    return support.post_form(session, page, form)


@dataclass
class Operation:
    """One measured operation: per-run medians of its wall time (s), tool requests and server CPU (s)."""

    label: str
    runs: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.runs)


def _measure(server: support.Server, count: int, one: Callable[[], tuple[float, int]]) -> tuple[float, int, float]:
    """Run `one` `count` times: median wall time, median tool requests, CPU per operation."""
    times, counts = [], []
    cpu_before = server.cpu_seconds()
    for _ in range(count):
        seconds, requests_made = one()
        times.append(seconds)
        counts.append(requests_made)
    cpu = (server.cpu_seconds() - cpu_before) / count
    return statistics.median(times), int(statistics.median(counts)), cpu


class SwottJourney:
    """A learner launching SWOTT Connect from the sandbox course and working through L1."""

    def __init__(self, platform: support.Platform, tool_url: str, profile: str = "", client_id: str = "") -> None:
        self.platform = platform
        self.profile = profile  # the operation whose tool requests are profiled (bench/profiled_app.py)
        self.tool_url = tool_url
        self.l1 = next(
            p
            for p in platform.placements
            if p.custom.get("part") == "l1" and (not client_id or p.client_id == client_id)
        )
        self.learners = iter(support.add_learners(platform, 100_000))
        self.current: tuple[str, requests.Session, requests.Response] | None = None
        self.server: support.Server | None = None
        self.answer_cpu = 0.0  # server CPU of the last answer alone (not the untimed steps to reach it)

    def _profiled(self, session: requests.Session, operation: str) -> None:
        if self.profile == operation:
            session.headers["X-Bench-Profile"] = "1"
        else:
            session.headers.pop("X-Bench-Profile", None)

    def _launch(self, key: str, operation: str) -> tuple[float, int, requests.Session, requests.Response]:
        timed = support.Timed(self.tool_url)
        session = support.client(timed)
        self._profiled(session, operation)
        page, _started = support.launch_to_l1(session, self.platform.launch_url(user=key, placement=self.l1))
        if page.status_code != 200 or "/l1/page/" not in support.address(page):
            raise SystemExit(f"the launch did not reach an L1 page: HTTP {page.status_code} at {support.address(page)}")
        return timed.seconds, timed.count, session, page

    def first_launch(self) -> tuple[float, int]:
        key = next(self.learners)
        seconds, count, session, page = self._launch(key, "first")
        self.current = (key, session, page)
        return seconds, count

    def returning_launch(self) -> tuple[float, int]:
        assert self.current is not None
        seconds, count, session, page = self._launch(self.current[0], "again")
        self.current = (self.current[0], session, page)
        return seconds, count

    def page_step(self) -> tuple[float, int]:
        assert self.current is not None
        key, session, page = self.current
        timed = support.Timed(self.tool_url)
        session.hooks["response"] = [timed.hook]
        self._profiled(session, "step")
        page = advance(session, page)
        if page.status_code != 200:
            raise SystemExit(f"page step: HTTP {page.status_code} at {support.address(page)}")
        self.current = (key, session, page)
        return timed.seconds, timed.count

    def answer(self) -> tuple[float, int]:
        """Step (untimed) to the next page with a knowledge check, then answer it (timed)."""
        assert self.current is not None
        key, session, page = self.current
        session.hooks["response"] = []
        self._profiled(session, "")
        for _ in range(40):
            form = next(
                (f for f in support.browser.forms(page.text) if "/answer?" in f.action or f.action.endswith("/answer")),
                None,
            )
            option = OPTION.search(page.text)
            if form is not None and option is not None:
                break
            page = advance(session, page)
        else:
            raise SystemExit("no knowledge check found in the L1 module")
        timed = support.Timed(self.tool_url)
        session.hooks["response"] = [timed.hook]
        cpu_before = self.server.cpu_seconds() if self.server is not None else 0.0
        self._profiled(session, "answer")
        answered = support.post_form(session, page, form, option=option.group(1))
        if self.server is not None:
            self.answer_cpu = self.server.cpu_seconds() - cpu_before
        if answered.status_code != 200:
            raise SystemExit(f"answer: HTTP {answered.status_code} at {answered.url}")
        self.current = (key, session, answered)
        return timed.seconds, timed.count


def pylti1p3_launch(platform: support.Platform, tool_url: str, placement: Any) -> Callable[[], tuple[float, int]]:
    def one() -> tuple[float, int]:
        timed = support.Timed(tool_url)
        page = support.follow(support.client(timed), platform.launch_url(user="learner1", placement=placement))
        if page.status_code != 200 or "Launched: LtiResourceLinkRequest" not in page.text:
            raise SystemExit(f"the pylti1p3 tool's launch failed: HTTP {page.status_code}\n{page.text[:300]}")
        return timed.seconds, timed.count

    return one


def bare_request(url: str) -> Callable[[], tuple[float, int]]:
    def one() -> tuple[float, int]:
        response = support.client().get(url + "/ping", timeout=10)
        response.raise_for_status()
        return response.elapsed.total_seconds(), 1

    return one


def _database(backend: str, stack: contextlib.ExitStack) -> str:
    """A fresh database URL for one tool (its own PostgreSQL schema or SQLite file), removed by `stack`."""
    if backend == "postgres":
        return str(stack.enter_context(support.postgres_schema()))
    folder = stack.enter_context(tempfile.TemporaryDirectory())
    return f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


@dataclass
class Tool:
    """One SWOTT Connect under test: this checkout ("SWOTT") or another one (`--compare`, "before")."""

    label: str
    root: Path
    port: int
    database_url: str = ""
    journey: SwottJourney | None = None
    server: support.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _migrate(root: Path, database_url: str) -> None:
    """Migrate with the tool's own code (another checkout may have other migrations)."""
    code = "import sys; from lti_tool import migrate; migrate.upgrade(sys.argv[1])"
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", code, database_url], env=env, cwd=root, check=True)


def _start_tool(
    tool: Tool, stack: contextlib.ExitStack, platform: support.Platform, redis_url: str, args: argparse.Namespace
) -> None:
    """Serve `tool` (gunicorn, one sync worker; and a `swott worker` unless passback is background)."""
    _migrate(tool.root, tool.database_url)
    profiled = bool(args.profile) and tool.root == support.ROOT
    env = {
        **support.tool_env(tool.database_url, tool.url, redis_url),
        "SWOTT_PASSBACK": args.passback,
        "PYTHONPATH": os.pathsep.join((str(tool.root), str(Path(__file__).parent))),
    }
    app = "profiled_app:create_app()" if profiled else "lti_tool:create_app()"
    tool.server = stack.enter_context(support.gunicorn(app, port=tool.port, env=env, ready="/healthz", root=tool.root))
    if args.passback == "worker":
        stack.enter_context(support.swott("worker", env=env, root=tool.root))
    # Registration goes through this checkout's code: a compared checkout needs the same schema.
    client_id = support.connect_tool(platform, tool.url, tool.database_url)
    tool.journey = SwottJourney(platform, tool.url, args.profile if profiled else "", client_id=client_id)
    tool.journey.server = tool.server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--launches", type=int, default=20, help="operations of each kind per run")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--profile", choices=("first", "again", "step", "answer"), default="", help="cProfile one")
    parser.add_argument(
        "--passback", choices=("worker", "background"), default="worker", help="scores by `swott worker` or in-process"
    )
    parser.add_argument("--compare", type=Path, help="another checkout (e.g. main) measured in the same run")
    args = parser.parse_args(argv)
    support.quiet()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tools = [Tool("SWOTT", support.ROOT, support.free_port())]
    if args.compare is not None:
        tools.append(Tool("before", args.compare.resolve(), support.free_port()))
    profile = ""
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        if args.backend == "postgres":
            support.flush_redis()
            stack.callback(support.flush_redis)
        redis_url = support.REDIS_URL if args.backend == "postgres" else ""
        for tool in tools:
            tool.database_url = _database(args.backend, stack)
        key_file = Path(folder) / "pylti1p3.pem"
        key_file.write_bytes(pem)
        server = support.sandbox()
        stack.callback(server.stop)
        platform = server.platform
        ports = support.free_port(), support.free_port()
        bare_url, pylti_url = (f"http://127.0.0.1:{p}" for p in ports)
        pylti_tool = platform.register_tool(
            initiate_login_uri=pylti_url + "/login",
            redirect_uris=[pylti_url + "/launch"],
            jwks_uri=pylti_url + "/jwks",
            target_link_uri=pylti_url + "/launch",
            name="pylti1p3 minimal tool",
        )
        pylti_placement = platform.add_placement(title="pylti1p3", client_id=pylti_tool.client_id)
        pylti_env = {
            "PYLTI_ISSUER": platform.issuer,
            "PYLTI_CLIENT_ID": pylti_tool.client_id,
            "PYLTI_DEPLOYMENT_ID": pylti_tool.deployment_id,
            "PYLTI_PRIVATE_KEY_FILE": str(key_file),
            "PYTHONPATH": str(Path(__file__).parent),
        }
        bench_dir = {"PYTHONPATH": str(Path(__file__).parent)}
        bare = stack.enter_context(
            support.gunicorn("bare_app:create_app()", port=ports[0], env=bench_dir, ready="/ping")
        )
        pylti = stack.enter_context(
            support.gunicorn("pylti1p3_tool:create_app()", port=ports[1], env=pylti_env, ready="/ping")
        )
        for tool in tools:
            _start_tool(tool, stack, platform, redis_url, args)
        kinds = (
            ("first", "first launch to L1 page"),
            ("again", "returning launch to L1 page"),
            ("step", "page step (new page)"),
            ("answer", "answer a question"),
        )
        operations = [Operation("bare Flask GET"), Operation("pylti1p3: login + launch")]
        operations += [Operation(f"{tool.label}: {label}") for tool in tools for _, label in kinds]
        # Warm up every server (imports, templates, the first key fetches) before measuring.
        bare_request(bare_url)()
        pylti1p3_launch(platform, pylti_url, pylti_placement)()
        for tool in tools:
            assert tool.journey is not None
            tool.journey.first_launch(), tool.journey.page_step(), tool.journey.answer()
        if args.profile:
            requests.get(tools[0].url + "/__bench/profile", timeout=30)  # forget the warm-up's requests

        for _ in range(args.runs):
            figures = [
                _measure(bare, args.launches * 10, bare_request(bare_url)),
                _measure(pylti, args.launches, pylti1p3_launch(platform, pylti_url, pylti_placement)),
            ]
            # Interleaved, one operation of each tool in turn, so a busy moment hits them alike.
            rounds = {(t.label, name): [] for t in tools for name, _ in kinds}  # type: ignore[var-annotated]
            cpu: dict[tuple[str, str], float] = dict.fromkeys(rounds, 0.0)
            for _ in range(args.launches):
                for name, _label in kinds:
                    for tool in tools:
                        journey, tool_server = tool.journey, tool.server
                        assert journey is not None and tool_server is not None
                        step = getattr(journey, _STEPS[name])
                        before = tool_server.cpu_seconds()
                        rounds[(tool.label, name)].append(step())
                        spent = journey.answer_cpu if name == "answer" else tool_server.cpu_seconds() - before
                        cpu[(tool.label, name)] += spent
            for tool in tools:
                for name, _label in kinds:
                    done = rounds[(tool.label, name)]
                    figures.append(
                        (
                            statistics.median(s for s, _ in done),
                            int(statistics.median(c for _, c in done)),
                            cpu[(tool.label, name)] / args.launches,
                        )
                    )
            for operation, (seconds, count, cpu_each) in zip(operations, figures, strict=True):
                operation.runs.append(seconds)
                operation.requests.append(count)
                operation.cpu.append(cpu_each)
        if args.profile:
            profile = requests.get(tools[0].url + "/__bench/profile", timeout=30).text

    floor, floor_cpu = operations[0].median(), statistics.median(operations[0].cpu)
    print(f"Launch benchmark: {args.runs} runs x {args.launches} of each, backend {args.backend}, new connection per")
    print("request, gunicorn 1 sync worker per server, sandbox platform; times are the tool's responses only;")
    compared = f"; 'before' is {args.compare}" if args.compare is not None else ""
    print(f"scores delivered by {'swott worker' if args.passback == 'worker' else 'the web process'}{compared}.")
    print(f"{'operation':38} {'tool reqs':>9} {'min':>10} {'median':>10} {'max':>10} {'x bare':>7} {'CPU x bare':>10}")
    for op in operations:
        low, mid, high = support.spread(op.runs)
        cpu_ratio = statistics.median(op.cpu) / floor_cpu if floor_cpu > 0 else float("nan")
        reqs = statistics.median(op.requests)
        print(
            f"{op.label:38} {reqs:9.0f} {support.ms(low)} {support.ms(mid)} {support.ms(high)}"
            f" {mid / floor:6.1f}x {cpu_ratio:9.1f}x"
        )
    swott, reference = operations[2].median(), operations[1].median()
    print(f"SWOTT first launch vs pylti1p3 login + launch: {swott / reference:.2f}x")
    if len(tools) > 1:
        for index, (_name, label) in enumerate(kinds):
            now, then = operations[2 + index], operations[2 + len(kinds) + index]
            wall = now.median() / then.median()
            cpu_change = statistics.median(now.cpu) / statistics.median(then.cpu)
            print(f"SWOTT vs before, {label}: wall {wall:.2f}x, CPU {cpu_change:.2f}x")
    if profile:
        print(f"\ncProfile of the tool's requests for --profile {args.profile}:\n{profile}")
    return 0


_STEPS = {"first": "first_launch", "again": "returning_launch", "step": "page_step", "answer": "answer"}


if __name__ == "__main__":
    sys.exit(main())
