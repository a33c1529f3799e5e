"""`swott toolkit list|validate`: what content authors and operators run.

The folder of toolkits is a setting (`toolkits_dir`, lti_tool/settings.py). This package imports no
other project package, so the `swott` command (the composition root, swott/cli.py) reads the settings
and puts the folder in the click context under `ROOT_KEY`; without it, the shipped toolkits.
"""

from __future__ import annotations

from pathlib import Path

import click

from toolkits.design import design_warnings
from toolkits.loader import default_root, toolkit_dirs, validate_many

ROOT_KEY = "swott.toolkits_root"


def configured_root() -> Path:
    """The folder of toolkits the `swott` command was configured with, else the shipped toolkits."""
    context = click.get_current_context(silent=True)
    value = context.meta.get(ROOT_KEY) if context is not None else None
    return Path(value) if value else default_root()


@click.group()
def toolkit() -> None:
    """List and validate toolkits."""


@toolkit.command("list")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help="Folder of toolkits.")
def list_toolkits(root: Path | None) -> None:
    """Show every valid toolkit with its L1 and L2 minutes."""
    toolkits, problems = validate_many(toolkit_dirs(root or configured_root()))
    if not toolkits:
        click.echo("No valid toolkits found.")
    for item in sorted(toolkits, key=lambda t: t.id):
        click.echo(
            f"{item.id:32} v{item.version:8} L1 {item.l1.minutes:3} min  L2 {item.l2.minutes:3} min  {item.title}"
        )
    if problems:
        click.echo(f"{len(problems)} problem(s) hide other toolkits: run `swott toolkit validate`.", err=True)


@toolkit.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check toolkit folders (default: all) and list every problem as path:line: message."""
    folders: list[Path] = []
    for path in paths or (configured_root(),):
        if (path / "toolkit.yaml").is_file() or not path.is_dir():
            folders.append(path)
        else:
            found = toolkit_dirs(path)
            folders.extend(found or [path])
    toolkits, problems = validate_many(folders)
    for problem in problems:
        click.echo(str(problem))
    # Learning-design warnings (toolkits/design.py) do not fail validation: the toolkit still runs.
    warnings = [w for t in toolkits for w in design_warnings(t)]
    for warning in warnings:
        click.echo(str(warning))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        raise SystemExit(1)
    noted = f" with {len(warnings)} warning(s)" if warnings else ""
    click.echo(f"{len(toolkits)} toolkit(s) valid{noted}: {', '.join(t.id for t in toolkits)}")
