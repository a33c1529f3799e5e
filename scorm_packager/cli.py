"""`swott package`: build SCORM 1.2 / 2004 / cmi5 packages and static sites, or check a package.

swott package participatory-practice --format scorm12 --out dist/
swott package --all --format cmi5
swott package --check dist/*.zip
swott package participatory-practice --format scorm2004-4 --lang cy   # buttons and headings in Welsh
"""

from __future__ import annotations

from pathlib import Path

import click

from scorm_packager.build import build, write
from scorm_packager.check import check_zip
from scorm_packager.editions import Format
from scorm_packager.i18n import LANGUAGES
from scorm_packager.suspend import SuspendDataTooLarge
from toolkits.cli import configured_root
from toolkits.loader import Catalogue, ToolkitInvalid, load_toolkit
from toolkits.model import Toolkit


def _resolve(names: tuple[str, ...], every: bool) -> list[Toolkit]:
    """Toolkits named by id (from the catalogue) or by folder path; `--all` takes every valid one."""
    catalogue = Catalogue(configured_root())
    if every:
        if catalogue.problems:
            click.echo(f"{len(catalogue.problems)} problem(s) hide some toolkits: run `swott toolkit validate`.",
                       err=True)  # fmt: skip
        return list(catalogue)
    chosen: list[Toolkit] = []
    for name in names:
        found = catalogue.get(name)
        if found is None and (Path(name) / "toolkit.yaml").is_file():
            try:
                found = load_toolkit(Path(name))
            except ToolkitInvalid as error:
                raise click.ClickException(f"{name} is not a valid toolkit:\n{error}") from None
        if found is None:
            known = ", ".join(catalogue.ids()) or "none"
            raise click.ClickException(f"no valid toolkit {name!r} (valid toolkits: {known})")
        chosen.append(found)
    return chosen


@click.command()
@click.argument("toolkits", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Package every valid toolkit.")
@click.option("--format", "fmt", type=click.Choice([f.value for f in Format]), help="Package format.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder for the zips.")  # fmt: skip
@click.option("--check", "check", is_flag=True, help="Check the package zips named instead of building.")
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the package's buttons, navigation and headings (cy: Welsh). "
                   "Toolkit content stays as written (English).")  # fmt: skip
def package(toolkits: tuple[str, ...], every: bool, fmt: str | None, out_dir: Path, check: bool, language: str) -> None:
    """Build SCORM 1.2 / 2004 / cmi5 packages or a static site of toolkits, or check package zips.

    TOOLKITS are toolkit ids or folders; with --check they are zip files.
    """
    if check:
        if not toolkits:
            raise click.UsageError("name the zip file(s) to check")
        failed = 0
        for path in map(Path, toolkits):
            if not path.is_file():
                raise click.UsageError(f"{path} is not a file")
            kind, problems = check_zip(path)
            for problem in problems:
                click.echo(str(problem))
            if problems:
                failed += 1
                click.echo(f"{path}: {len(problems)} problem(s) ({kind})", err=True)
            else:
                click.echo(f"{path}: valid {kind} package")
        if failed:
            raise SystemExit(1)
        return
    if fmt is None:
        raise click.UsageError("give --format (scorm12, scorm2004-3, scorm2004-4, cmi5 or html), or --check ZIP")
    if not toolkits and not every:
        raise click.UsageError("name one or more toolkits, or use --all")
    chosen = _resolve(toolkits, every)
    if not chosen:
        raise click.ClickException("no valid toolkits to package")
    for toolkit in chosen:
        try:
            built = build(toolkit, Format(fmt), language)
        except SuspendDataTooLarge as error:
            raise click.ClickException(f"{toolkit.id} cannot be packaged as {fmt}: {error}") from None
        for note in built.notes:
            click.echo(f"{toolkit.id}: note: {note}", err=True)
        try:
            target = write(built, out_dir)
        except OSError as error:
            raise click.ClickException(f"cannot write the package to {out_dir}: {error.strerror or error}") from None
        click.echo(f"{toolkit.id}: {fmt} -> {target} ({target.stat().st_size // 1024} KiB)")


COMMANDS: list[click.Command] = [package]
