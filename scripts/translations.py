"""Interface translations (issue 13): extract, update, compile and check the gettext catalogues.

    python scripts/translations.py compile   # .po -> .mo for every catalogue (scripts/setup.sh runs it)
    python scripts/translations.py extract   # write <package>/translations/messages.pot from the code
    python scripts/translations.py update    # merge new strings from the .pot into each language's .po
    python scripts/translations.py check     # every string in the code is in the catalogue, translated

Each package has its own catalogue (`lti_tool/translations`, `scorm_packager/translations`) because
the packager never imports the LTI tool (ARCHITECTURE.md). Extraction follows babel.cfg; the keywords
are gettext's usual ones plus `_l`, `lazy_gettext` (lti_tool.i18n)
and the no-op `N_` (lti_tool.words). docs/welsh.md explains the rest.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("lti_tool", "scorm_packager")
LANGUAGES = ("cy",)
KEYWORDS = ("_l", "lazy_gettext", "N_")  # N_: mark only (lti_tool.services.regulators.words)
WIDTH = 110  # how the committed catalogues wrap


def catalogue_dir(package: str) -> Path:
    return ROOT / package / "translations"


def extract(package: str, pot: Path) -> None:
    """Run `pybabel extract` over one package with babel.cfg."""
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
               "--no-location", "--omit-header", "--sort-output", "-o", str(pot)]  # fmt: skip
    for keyword in KEYWORDS:
        command += ["-k", keyword]
    subprocess.run([*command, "."], cwd=ROOT / package, check=True)


def update(package: str, pot: Path) -> None:
    """Merge the .pot's new strings into each language's .po, keeping the `#.` reviewer notes.

    `pybabel update` would replace each entry's extracted comments with the .pot's (none: the `#.` lines
    are our notes for the Welsh reviewer, written by hand) and keep strings the code no longer uses as
    `#~` obsolete entries. Here the notes stay with their msgid, obsolete entries are dropped (git keeps
    the history), the header is kept as written, and lines wrap as the committed catalogue does.
    """
    with pot.open("rb") as source:
        template = read_po(source)
    for language in LANGUAGES:
        po = catalogue_dir(package) / language / "LC_MESSAGES" / "messages.po"
        if not po.is_file():
            continue
        text = po.read_text(encoding="utf-8")
        with po.open("rb") as source:
            catalogue = read_po(source, locale=language)
        notes = {m.id: list(m.auto_comments) for m in catalogue if m.id}
        catalogue.update(template, no_fuzzy_matching=True)
        for message in catalogue:
            if message.id and notes.get(message.id):
                message.auto_comments = notes[message.id]
        buffer = io.BytesIO()
        write_po(buffer, catalogue, width=WIDTH, ignore_obsolete=True)
        header, body = text.split("\n\n", 1)[0], buffer.getvalue().decode("utf-8").split("\n\n", 1)[1]
        po.write_text(f"{header}\n\n{body}", encoding="utf-8")


def compile_all() -> None:
    """Compile every language's .po to the .mo gettext reads (fuzzy entries are left out)."""
    for package in PACKAGES:
        for language in LANGUAGES:
            po = catalogue_dir(package) / language / "LC_MESSAGES" / "messages.po"
            if not po.is_file():
                continue
            with po.open("rb") as source:
                catalogue = read_po(source, locale=language)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalogue)


def problems() -> list[str]:
    """Strings the code uses that the catalogue lacks, or has with no translation."""
    found: list[str] = []
    for package in PACKAGES:
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / "messages.pot"
            extract(package, pot)
            with pot.open("rb") as source:
                wanted = [m.id for m in read_po(source) if m.id]
        for language in LANGUAGES:
            po = catalogue_dir(package) / language / "LC_MESSAGES" / "messages.po"
            if not po.is_file():
                found.append(f"{po.relative_to(ROOT)} is missing")
                continue
            with po.open("rb") as source:
                catalogue = read_po(source, locale=language)
            for msgid in wanted:
                message = catalogue.get(msgid)
                text = msgid if isinstance(msgid, str) else msgid[0]
                if message is None:
                    found.append(f"{package} [{language}]: not in the catalogue: {text!r}")
                elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
                    found.append(f"{package} [{language}]: no translation: {text!r}")
                elif message.fuzzy:
                    found.append(f"{package} [{language}]: fuzzy (needs checking): {text!r}")
    return found


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else ""
    if action == "compile":
        compile_all()
    elif action == "extract":
        for package in PACKAGES:
            extract(package, catalogue_dir(package) / "messages.pot")
    elif action == "update":
        for package in PACKAGES:
            pot = catalogue_dir(package) / "messages.pot"
            extract(package, pot)
            update(package, pot)
    elif action == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
