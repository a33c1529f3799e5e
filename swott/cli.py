"""The `swott` console script.

Each package owns its commands (toolkits: `toolkit`; lti_tool: `serve`, `db`, `platform`...;
scorm_packager: `package`; swott: `demo`); this module only puts them under one name so the faces
never import each other.

Commands are imported only when they run: `swott package` never imports Flask or the tool, and
`swott --help` imports nothing but click (issue #15 item 5: every command used to spend a second
importing the whole app). The help line of each command is written here so `--help` can list them
without importing them; a test checks each line against the command's own docstring.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click


class LazyCommand(NamedTuple):
    """Where a command lives (`module:attribute`) and the line `swott --help` shows for it."""

    target: str
    help: str


COMMANDS: dict[str, LazyCommand] = {
    "admin": LazyCommand("lti_tool.cli_lti:admin", "The operator's web page."),
    "certificate": LazyCommand("lti_tool.cli_certificates:certificate", "Certificates: withdraw one issued in error."),
    "db": LazyCommand("lti_tool.cli:db", "Database migrations."),
    "demo": LazyCommand(
        "swott.demo:demo",
        "Try SWOTT Connect with no LMS: the tool plus a sandbox LTI 1.3 platform, registered and subscribed.",
    ),
    "keys": LazyCommand("lti_tool.cli_lti:keys", "The tool's signing keys."),
    "package": LazyCommand(
        "scorm_packager.cli:package",
        "Build SCORM 1.2 / 2004 / cmi5 packages or a static site of toolkits, or check package zips.",
    ),
    "platform": LazyCommand("lti_tool.cli_lti:platform", "Register LTI platforms (LMSs) by hand."),
    "programme": LazyCommand("toolkits.cli:programme", "List and validate programme templates (toolkits/programmes/)."),
    "reflections": LazyCommand("lti_tool.cli_portfolio:reflections", "CPD reflections: retention."),
    "serve": LazyCommand(
        "lti_tool.cli:serve", "Serve the tool with waitress, a production-grade threaded server (the embedded default)."
    ),
    "subscription": LazyCommand("lti_tool.cli_lti:subscription", "Which toolkits each platform may use."),
    "toolkit": LazyCommand("toolkits.cli:toolkit", "List and validate toolkits."),
    "worker": LazyCommand(
        "lti_tool.worker:worker",
        "Deliver grade and completion passback (AGS scores) to the platforms, retrying while they are down.",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the module that defines command `name` and return the command."""
    module_name, attribute = COMMANDS[name].target.split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{COMMANDS[name].target} is not a click command")
    return command


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use, not when `swott` starts."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            return load_command(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from the table above, so `--help` imports none of them."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, _shorten(COMMANDS[name].help, limit)) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _shorten(text: str, limit: int) -> str:
    """The help line cut at a word to fit one terminal line, as click shortens its own."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 3, 1)].rsplit(" ", 1)[0] + "..."


@click.group(cls=LazyGroup)
@click.version_option(package_name="swott-connect")
@click.pass_context
def main(context: click.Context) -> None:
    """SWOTT Connect: run SWOTT CPD toolkits inside your learning platform."""
    # `toolkits` and `scorm_packager` import no settings: their folder of toolkits comes from here.
    # Imported here, not at the top: `swott --help` (which never runs this) must stay import-free.
    from lti_tool.settings import ConfigurationError, load_settings
    from toolkits.cli import ROOT_KEY

    try:
        root = load_settings().toolkits_root
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    if root is not None:
        context.meta[ROOT_KEY] = root
