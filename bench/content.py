"""Benchmark: loading/validating toolkits and rendering their pages.

Prints seconds per full validation of each shipped toolkit, and the cost of the shared renderer
(markdown-it + nh3 sanitising) as a ratio against plain markdown-it rendering of the same pages in the
same process, so the figure means the same on a fast or slow machine.

    .venv/bin/python bench/content.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from markdown_it import MarkdownIt

from toolkits.loader import default_root, load_toolkit, toolkit_dirs
from toolkits.render import render_markdown


def _render_all(render: Callable[[str], str], bodies: list[str]) -> None:
    for body in bodies:
        render(body)


def _time(func: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    plain = MarkdownIt("commonmark", {"html": True}).enable("table")
    for folder in toolkit_dirs(default_root()):
        load_seconds = _time(partial(load_toolkit, folder), repeat=5)
        toolkit = load_toolkit(folder)
        bodies = [p.body for p in toolkit.l1.pages] + [s.body for s in toolkit.l2.stages]
        bodies += [toolkit.l2.facilitator_guide.body, toolkit.l2.participant_sheet.body]
        ours = _time(partial(_render_all, render_markdown, bodies), repeat=20)
        baseline = _time(partial(_render_all, plain.render, bodies), repeat=20)
        print(
            f"{toolkit.id:30} load+validate {load_seconds * 1000:7.1f} ms   "
            f"render {len(bodies)} docs {ours * 1000:6.1f} ms   "
            f"vs plain markdown-it {baseline * 1000:6.1f} ms   ratio {ours / baseline:4.2f}x"
        )


if __name__ == "__main__":
    main()
