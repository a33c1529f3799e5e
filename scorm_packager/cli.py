"""`swott package`: build SCORM and cmi5 packages (see issue: SCORM packager)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
