"""`swott toolkit list|validate` and `swott programme list|validate`: what content authors and operators run.

The folder of toolkits is a setting (`toolkits_dir`, lti_tool/settings.py). This package imports no
other project package, so the `swott` command (the composition root, swott/cli.py) reads the settings
and puts the folder in the click context under `ROOT_KEY`; without it, the shipped toolkits.
"""

from __future__ import annotations

from pathlib import Path

import click

from toolkits.design import design_warnings
from toolkits.loader import Catalogue, default_root, toolkit_dirs, validate_many

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
            if not found and any(path.glob("*.yaml")) and not (path / "toolkit.yaml").exists():
                # toolkits/programmes/ holds programme templates, not a toolkit.
                click.echo(f"{path}:1: this folder holds programmes, not toolkits: run `swott programme validate`")
                raise SystemExit(1)
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


@click.group()
def programme() -> None:
    """List and validate programme templates (toolkits/programmes/)."""


_TOOLKITS_OPTION = click.option(
    "--toolkits",
    "toolkits_root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of toolkits the programmes name (default: the shipped ones).",
)


@programme.command("list")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help="Folder of programmes.")
@_TOOLKITS_OPTION
def list_programmes(root: Path | None, toolkits_root: Path | None) -> None:
    """Show every valid programme template with its weeks and activities."""
    from toolkits import programmes

    found, problems = programmes.validate_many(
        programmes.programme_files(root or (configured_root() / "programmes")),
        Catalogue(toolkits_root or configured_root()),
    )
    if not found:
        click.echo("No valid programmes found.")
    for item in sorted(found, key=lambda p: p.id):
        click.echo(f"{item.id:24} v{item.version:8} {len(item.weeks):2} weeks  {len(item.activities):2} activities  "
                   f"{item.title}")  # fmt: skip
    if problems:
        click.echo(f"{len(problems)} problem(s) hide other programmes: run `swott programme validate`.", err=True)


@programme.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_TOOLKITS_OPTION
def validate_programmes(paths: tuple[Path, ...], toolkits_root: Path | None) -> None:
    """Check programme files or folders of them (default: all) and list every problem as path:line: message."""
    from toolkits import programmes

    files: list[Path] = []
    for path in paths or ((configured_root() / "programmes"),):
        if path.is_dir() and not path.is_symlink():
            found = programmes.programme_files(path)
            if not found:
                click.echo(f"{path}:1: this folder holds no programme (.yaml) files")
                raise SystemExit(1)
            files.extend(found)
        else:
            files.append(path)
    valid, problems = programmes.validate_many(files, Catalogue(toolkits_root or configured_root()))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        raise SystemExit(1)
    click.echo(f"{len(valid)} programme(s) valid: {', '.join(p.id for p in valid)}")
