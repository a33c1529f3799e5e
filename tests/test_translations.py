"""The Welsh catalogues (issue 13): complete, compilable, and with the same placeholders as the English.

`scripts/translations.py check` extracts every interface string from the code (babel.cfg) and finds each
in the catalogue with a translation: no empty `msgstr`, nothing left out, nothing fuzzy.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = sorted(ROOT.glob("*/translations/*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"\{\w*\}|%\(\w+\)s")


def test_there_is_a_welsh_catalogue_for_the_tool_and_for_the_packager() -> None:
    assert {p.relative_to(ROOT).parts[0] for p in CATALOGUES if p.parts[-3] == "cy"} == {"lti_tool", "scorm_packager"}


def test_every_string_in_the_code_has_a_welsh_translation() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "translations.py"), "check"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_catalogue_compiles_with_no_empty_or_fuzzy_entry(po: Path) -> None:
    with po.open("rb") as source:
        catalogue = read_po(source, locale=po.parts[-3])
    messages = [m for m in catalogue if m.id]
    assert messages, "an empty catalogue"
    assert [m.id for m in messages if not m.string] == []
    assert [m.id for m in messages if m.fuzzy] == []
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    compiled = read_mo(buffer)
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in messages}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_translation_keeps_the_placeholders_of_its_english(po: Path) -> None:
    with po.open("rb") as source:
        catalogue = read_po(source, locale=po.parts[-3])
    wrong = [
        m.id
        for m in catalogue
        if m.id and sorted(PLACEHOLDER.findall(str(m.id))) != sorted(PLACEHOLDER.findall(str(m.string)))
    ]
    assert wrong == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_entry_says_what_a_welsh_speaker_should_review(po: Path) -> None:
    with po.open("rb") as source:
        catalogue = read_po(source, locale=po.parts[-3])
    assert [m.id for m in catalogue if m.id and not m.auto_comments] == []


def test_update_keeps_the_reviewer_notes_and_drops_obsolete_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scripts/translations.py update` on a copy of the tool's catalogue: every `#.` note stays with its
    entry, a string the code no longer uses goes (no `#~` left), and nothing else changes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("translations_script", ROOT / "scripts" / "translations.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    original = ROOT / "lti_tool" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
    copy = tmp_path / "cy" / "LC_MESSAGES" / "messages.po"
    copy.parent.mkdir(parents=True)
    stale = '\n#. Review: a string no template uses any more.\nmsgid "A string nobody uses"\nmsgstr "Llinyn"\n'
    copy.write_text(original.read_text(encoding="utf-8") + stale, encoding="utf-8")
    monkeypatch.setattr(script, "catalogue_dir", lambda package: tmp_path)
    pot = tmp_path / "messages.pot"
    script.extract("lti_tool", pot)
    script.update("lti_tool", pot)

    updated = copy.read_text(encoding="utf-8")
    assert "A string nobody uses" not in updated and "#~" not in updated
    assert updated == original.read_text(encoding="utf-8")  # the committed catalogue is already up to date
    with copy.open("rb") as source:
        assert [m.id for m in read_po(source, locale="cy") if m.id and not m.auto_comments] == []
