"""`swott` starts quickly: each command imports only what it uses (issue #15 item 5).

Checked by behaviour, not timings: a fresh interpreter runs the command and reports which modules it
imported. `--help` imports no project face, and packaging imports neither Flask nor the tool.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from swott.cli import COMMANDS, load_command, main

PROBE = """
import json, sys
from swott.cli import main
try:
    main(sys.argv[1:], prog_name="swott")
except SystemExit as stop:
    code = stop.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _run(*args: str, cwd: Path | None = None) -> tuple[str, int, set[str]]:
    """Run `swott ARGS` in a fresh interpreter; its output, exit code and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, int(report["code"] or 0), set(report["modules"])


def _imported(modules: set[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in modules)


# Every command reads the one settings source (lti_tool/settings.py, plain Python) for the toolkit
# folder; the tool itself (its app factory, views, services) must stay out of packaging.
SETTINGS_ONLY = {"lti_tool", "lti_tool.settings"}


def _imported_tool(modules: set[str]) -> set[str]:
    return {m for m in modules if (m == "lti_tool" or m.startswith("lti_tool.")) and m not in SETTINGS_ONLY}


def test_help_lists_every_public_command_and_imports_none_of_them() -> None:
    output, code, modules = _run("--help")

    assert code == 0
    for name in ("demo", "serve", "worker", "db", "toolkit", "package", "platform", "keys", "subscription"):
        assert f"  {name} " in output
    for package in ("flask", "sqlalchemy", "lti_tool", "scorm_packager", "toolkits", "sandbox_platform"):
        assert not _imported(modules, package), f"`swott --help` imported {package}"


def test_packaging_does_not_import_flask_or_the_tool(tmp_path: Path) -> None:
    output, code, modules = _run("package", "participatory-practice", "--format", "scorm12", "--out", str(tmp_path))

    assert code == 0, output
    assert list(tmp_path.glob("*.zip")), output
    assert _imported(modules, "scorm_packager")
    for package in ("flask", "werkzeug", "sqlalchemy", "sandbox_platform"):
        assert not _imported(modules, package), f"`swott package` imported {package}"
    assert not _imported_tool(modules), "`swott package` imported the tool beyond its settings"


def test_toolkit_list_does_not_import_flask() -> None:
    output, code, modules = _run("toolkit", "list")

    assert code == 0
    assert "participatory-practice" in output
    assert not _imported(modules, "flask")
    assert not _imported_tool(modules)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_line_of_each_command_is_its_own(name: str) -> None:
    """The table `--help` prints from must say what the command's own docstring says."""
    command = load_command(name)

    assert command.name == name
    assert (command.help or "").splitlines()[0] == COMMANDS[name].help


def test_an_unknown_command_is_refused_plainly() -> None:
    output, code, _modules = _run("no-such-command")

    assert code == 2
    assert "Traceback" not in output


def test_the_group_resolves_commands_through_click() -> None:
    ctx = click.Context(main)

    assert main.list_commands(ctx) == sorted(COMMANDS)
    assert main.get_command(ctx, "package") is load_command("package")
