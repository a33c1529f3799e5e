"""The `swott` console script.

Each package owns its commands (toolkits: `toolkit`; lti_tool: `serve`, `demo`, `db`, `platform`...;
scorm_packager: `package`); this module only puts them under one name so the faces never import
each other.
"""

from __future__ import annotations

import click

from toolkits.cli import programme, toolkit


@click.group()
@click.version_option(package_name="swott-connect")
def main() -> None:
    """SWOTT Connect: run SWOTT CPD toolkits inside your learning platform."""


main.add_command(toolkit)
main.add_command(programme)


def _add_face_commands() -> None:
    from lti_tool.cli import COMMANDS as lti_commands

    for command in lti_commands:
        main.add_command(command)
    from scorm_packager.cli import COMMANDS as scorm_commands

    for command in scorm_commands:
        main.add_command(command)


_add_face_commands()


def _add_demo_command() -> None:
    from swott.demo import demo

    main.add_command(demo)


_add_demo_command()
