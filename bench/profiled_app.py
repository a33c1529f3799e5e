"""SWOTT Connect under cProfile, for `bench/launch.py --profile` (`profiled_app:create_app()` in gunicorn).

Only requests carrying the header `X-Bench-Profile: 1` are profiled (the bench sets it on the operation
it wants to see, such as a returning launch), and their statistics accumulate in the worker. A GET of
`/__bench/profile` answers them as `pstats` text, sorted by the worker's own time and by cumulative
time, and clears them; with `BENCH_PROFILE_DUMP=FILE` in the server's environment they are also saved
to FILE for `python -m pstats FILE`. Never used outside the benchmarks: it exposes the tool's internals.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from lti_tool import create_app as create_tool

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class Profiled:
    """WSGI middleware: profile the requests that ask for it, answer the statistics on demand."""

    def __init__(self, app: Flask, top: int = 40) -> None:
        self.app = app
        self.top = top
        self.profile = _profiler()
        self.requests = 0

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/__bench/profile":
            body = self.report().encode()
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [body]
        if environ.get("HTTP_X_BENCH_PROFILE") != "1":
            return self.app(environ, start_response)
        self.requests += 1
        self.profile.enable()
        try:
            # The whole response is produced inside the profile (templates render lazily otherwise).
            return list(self.app(environ, start_response))
        finally:
            self.profile.disable()

    def report(self) -> str:
        out = io.StringIO()
        out.write(f"profiled requests: {self.requests}\n")
        if self.requests:
            stats = pstats.Stats(self.profile, stream=out)
            if os.environ.get("BENCH_PROFILE_DUMP"):
                stats.dump_stats(os.environ["BENCH_PROFILE_DUMP"])
            stats.strip_dirs()
            out.write("\n--- by own time ---\n")
            stats.sort_stats("tottime").print_stats(self.top)
            out.write("\n--- by cumulative time ---\n")
            stats.sort_stats("cumulative").print_stats(self.top)
        self.profile = _profiler()
        self.requests = 0
        return out.getvalue()


def _profiler() -> cProfile.Profile:
    # The default wall clock. A CPU clock (`time.thread_time`) is a system call per event here and
    # inflates every function in proportion to its calls; on a busy machine the wall clock charges
    # waiting for a core to whatever runs, which at least averages out over many requests.
    return cProfile.Profile()


def create_app() -> Profiled:
    return Profiled(create_tool())
