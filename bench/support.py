"""What the benchmarks share: servers in their own processes, a platform, fresh connections, statistics.

Every server a benchmark measures runs in its own process (gunicorn, or `swott serve`), bound to
127.0.0.1 on a free port, started in its own process group and always killed with it. The LTI
platform is the project's sandbox platform (`sandbox_platform`), served in the benchmark's process:
what is measured is the time of the *tool's* responses (`requests`' `elapsed`, from sending the
request to its response headers, connection set-up included), never the platform's.

Nothing here imports `tests/`: a benchmark runs from a clean clone with `.venv/bin/python bench/X.py`.
"""

from __future__ import annotations

import contextlib
import html as html_lib
import logging
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox_platform import Platform, SandboxServer, browser  # noqa: E402
from sandbox_platform.model import ROLE_LEARNER, User  # noqa: E402

__all__ = ["Platform", "SandboxServer", "browser"]

BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("SWOTT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SWOTT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = "bench-secret-" + "b" * 40


def quiet() -> None:
    """Benchmarks print figures, not the servers' info logs."""
    logging.disable(logging.INFO)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# --- Servers in their own processes ----------------------------------------------------------------------


class Server:
    """A server process (gunicorn or `swott ...`) on 127.0.0.1:`port`, in its own process group."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        port: int = 0,
        env: dict[str, str] | None = None,
        ready: str | None = "/",
        cwd: Path = ROOT,
    ) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.port = port
        self.env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        self.ready = ready
        self._log = tempfile.NamedTemporaryFile(prefix="swott-bench-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        if self.ready is None:  # not a web server (`swott worker`): alive after a second is ready
            time.sleep(1.0)
            if self.process.poll() is not None:
                raise SystemExit(f"{self.argv[0]} stopped at start-up:\n{self.log_tail()}")
            return self
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.argv[0]} stopped at start-up:\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + self.ready, timeout=2).status_code < 500:
                    return self
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"{' '.join(self.argv)} did not answer within 90 s:\n{self.log_tail()}")

    def __exit__(self, *_exc: object) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()
        os.unlink(self._log.name)

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        return "\n".join(Path(self._log.name).read_text(errors="replace").splitlines()[-lines:])

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of this process and its children so far (gunicorn's workers)."""
        assert self.process is not None
        return sum(_cpu(pid) for pid in _tree(self.process.pid))


def _tree(pid: int) -> list[int]:
    pids = [pid]
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            pids.extend(_tree(int(child)))
    return pids


def _cpu(pid: int) -> float:
    """CPU seconds of every thread of `pid`, to the nanosecond (schedstat), else to the clock tick (stat)."""
    total, found = 0.0, False
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                total += int((task / "schedstat").read_text().split()[0]) / 1e9
                found = True
    if found:
        return total
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gunicorn(
    app: str,
    *,
    port: int,
    env: dict[str, str],
    workers: int = 1,
    threads: int = 1,
    ready: str = "/",
    root: Path = ROOT,
) -> Server:
    """`app` ("module:factory()") under gunicorn: sync workers, or gthread with `threads` > 1.

    `root` is the checkout the app is imported from: gunicorn puts the directory it starts in first on
    `sys.path`, ahead of `PYTHONPATH` (and of `--chdir`), so it starts there.
    """
    argv = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    argv += ["--timeout", "120", "--graceful-timeout", "5", "--backlog", "2048"]
    if threads > 1:
        argv += ["-k", "gthread", "--threads", str(threads)]
    return Server([*argv, app], port=port, env={"PYTHONPATH": str(root), **env}, ready=ready, cwd=root)


def swott(*args: str, env: dict[str, str], port: int = 0, ready: str | None = None, root: Path = ROOT) -> Server:
    """A `swott` command (`serve`, `worker`) as an operator runs it, from checkout `root`."""
    return Server([str(BIN / "swott"), *args], port=port, env={"PYTHONPATH": str(root), **env}, ready=ready, cwd=root)


# --- Databases -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema for one benchmark run (dropped afterwards); its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(POSTGRES_URL)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError:
        raise SystemExit(f"PostgreSQL is not reachable at {POSTGRES_URL} (set SWOTT_BENCH_POSTGRES_URL)") from None
    try:
        yield f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def flush_redis(url: str = REDIS_URL) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError:
        raise SystemExit(f"Redis is not reachable at {url} (set SWOTT_BENCH_REDIS_URL)") from None
    finally:
        client.close()


def tool_env(database_url: str, base_url: str, redis_url: str = "") -> dict[str, str]:
    """The tool's settings as a deployment sets them: environment variables only."""
    return {
        "SWOTT_ENV": "development",
        "SWOTT_DATABASE_URL": database_url,
        "SWOTT_BASE_URL": base_url,
        "SWOTT_SECRET_KEY": SECRET,
        "SWOTT_REDIS_URL": redis_url,
        "SWOTT_LOG_LEVEL": "WARNING",
    }


# --- The platform and its course -----------------------------------------------------------------------


def sandbox(config: dict[str, Any] | None = None) -> SandboxServer:
    return SandboxServer(config=config).start()


def add_learners(platform: Platform, count: int, prefix: str = "bench") -> list[str]:
    """`count` more learners on the sandbox course (it has three); their handles."""
    keys = []
    for n in range(count):
        key = f"{prefix}{n}"
        platform.users[key] = User(key, f"{prefix}-{n}", "Learner", f"{n:05d}", f"{key}@example.org", (ROLE_LEARNER,))
        keys.append(key)
    return keys


def connect_tool(platform: Platform, tool_url: str, database_url: str) -> str:
    """Register the sandbox with the tool (Dynamic Registration), subscribe it, add L1 and L2 of the first
    shipped toolkit to its course, as `swott demo` does; the tool's client_id."""
    from lti_tool import create_app
    from swott.demo import grant_all, register, seed_course

    app = create_app({"database_url": database_url, "base_url": tool_url, "secret_key": SECRET})
    try:
        client_id = register(platform, app)  # through an operator's invite, as `swott demo` does
        grant_all(app, platform.issuer, client_id)
        seed_course(app, platform, client_id, tool_url + "/lti/launch")
    finally:
        app.extensions["swott.db"].dispose()
    return client_id


# --- Clients that open a new connection for every request ------------------------------------------------


@dataclass
class Timed:
    """The tool's responses seen by one client: their count and summed time (s)."""

    prefix: str
    count: int = 0
    seconds: float = 0.0
    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def hook(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        if response.url.startswith(self.prefix):
            elapsed = response.elapsed.total_seconds()
            self.count += 1
            self.seconds += elapsed
            self.statuses.append(response.status_code)
            self.latencies.append(elapsed)


def client(timed: Timed | None = None) -> requests.Session:
    """A browser-like client that keeps cookies but opens a new TCP connection for every request."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    if timed is not None:
        session.hooks["response"].append(timed.hook)
    return session


def follow(session: requests.Session, url: str) -> requests.Response:
    return browser.follow(session, url)


_PAGE_URL = re.compile(r'<meta name="swott-page-url" content="([^"]+)">')


def address(response: requests.Response) -> str:
    """The address of the page `response` shows. The launch POST answers with the page itself (at
    /lti/launch) and names the page's own address in `<meta name="swott-page-url">`, which the tool's
    launch.js puts in the address bar; every other page is at the URL it was fetched from."""
    found = _PAGE_URL.search(response.text) if "html" in response.headers.get("Content-Type", "") else None
    if found is None:
        return response.url
    return urljoin(response.url, html_lib.unescape(found.group(1)))


def post_form(
    session: requests.Session, page: requests.Response, form: browser.Form, **extra: str
) -> requests.Response:
    """Submit `form` of `page` as a browser does (its fields, the CSRF token among them, plus `extra`)."""
    url = urljoin(address(page), html_lib.unescape(form.action))
    return session.post(url, data={**form.fields, **extra}, timeout=30)


def start_form(page: requests.Response) -> browser.Form | None:
    """The start page's Start form (a POST to /l1/page/<first step>/view), if `page` is the start page."""
    return next((f for f in browser.forms(page.text) if f.method == "post" and "/view" in f.action), None)


def launch_to_l1(session: requests.Session, launch_url: str) -> tuple[requests.Response, bool]:
    """A learner's launch from the course to an L1 page: login, the launch POST (answering with the page
    they were on, the before questions, or the start page), and for a first-time learner the before
    questions skipped (the skip answers with the first L1 page itself), or, for a toolkit without them,
    the Start form. The page, and whether the learner had to press Start."""
    page = follow(session, launch_url)
    before = next((f for f in browser.forms(page.text) if "/evaluation/questionnaire" in f.action), None)
    if page.status_code == 200 and before is not None:
        # A first-time learner is asked the before questions (issue 12); the bench skips them, as many do.
        page = post_form(session, page, before, action="skip")
    if page.status_code == 200 and "/l1/page/" not in address(page):
        start = start_form(page)
        if start is not None:
            return post_form(session, page, start), True
    return page, False


# --- Figures -------------------------------------------------------------------------------------------


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """(min, median, max)."""
    return min(values), statistics.median(values), max(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` (0..1) percentile, nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"
