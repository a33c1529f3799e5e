"""Compiled templates are kept for the process (`lti_tool/templating.py`): a second app renders the same
pages without compiling them again, an edited template is compiled afresh, and an environment set up
differently never gets another's code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import DictLoader, Environment

from lti_tool import create_app
from lti_tool.templating import PROCESS_BYTECODE, ProcessBytecodeCache


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the templates Jinja compiles from source while the test runs."""
    names: list[str] = []
    original = Environment.compile

    def counting(self: Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        names.append(name or "<string>")
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    yield names


def _app(tmp_path: Path, name: str) -> Flask:
    return create_app({"database_url": f"sqlite:///{tmp_path / name}", "secret_key": "k" * 40})


def test_a_second_app_renders_the_error_page_without_compiling_it_again(tmp_path: Path, compiles: list[str]) -> None:
    PROCESS_BYTECODE.clear()
    first = _app(tmp_path, "a.sqlite3").test_client().get("/no-such-page")
    compiled_by_first = len(compiles)
    second = _app(tmp_path, "b.sqlite3").test_client().get("/no-such-page")

    assert first.status_code == second.status_code == 404
    assert first.get_data(as_text=True) == second.get_data(as_text=True)
    assert compiled_by_first > 0, "the first app compiles the page and the GOV.UK macros it imports"
    assert len(compiles) == compiled_by_first, f"the second app compiled {compiles[compiled_by_first:]}"


def test_an_edited_template_is_compiled_again() -> None:
    cache = ProcessBytecodeCache()
    templates = {"page.html": "Hello {{ name }}"}
    env = Environment(loader=DictLoader(templates), bytecode_cache=cache)
    assert env.get_template("page.html").render(name="Sam") == "Hello Sam"

    templates["page.html"] = "Goodbye {{ name }}"
    fresh = Environment(loader=DictLoader(templates), bytecode_cache=cache)
    assert fresh.get_template("page.html").render(name="Sam") == "Goodbye Sam"


def test_environments_set_up_differently_do_not_share_code(compiles: list[str]) -> None:
    cache = ProcessBytecodeCache()
    templates = {"page.html": "[% if on %]on[% endif %]{% if on %}braces{% endif %}"}
    braces = Environment(loader=DictLoader(templates), bytecode_cache=cache)
    square = Environment(
        loader=DictLoader(templates), bytecode_cache=cache, block_start_string="[%", block_end_string="%]"
    )
    assert braces.get_template("page.html").render(on=True) == "[% if on %]on[% endif %]braces"
    assert square.get_template("page.html").render(on=True) == "on{% if on %}braces{% endif %}"
    assert compiles == ["page.html", "page.html"]
