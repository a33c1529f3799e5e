"""Code cites only notes that are in the repository (issue 17 item 7): every `docs/*.md` named exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for folder in ("toolkits", "lti_tool", "scorm_packager", "sandbox_platform", "swott")
           for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".js", ".html")]  # fmt: skip


def test_every_cited_doc_exists_and_no_outside_notes_are_cited() -> None:
    cited: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert "DOMAIN.md" not in text and "SCORM-NOTES.md" not in text, path
        cited.update(re.findall(r"docs/[a-z0-9-]+\.md", text))
    assert {"docs/scorm.md", "docs/cpd-rules.md"} <= cited
    for doc in cited:
        assert (ROOT / doc).is_file(), doc
