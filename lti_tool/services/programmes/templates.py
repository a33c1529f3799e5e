"""The programme templates a course can run: the valid files under the toolkit root's `programmes/`.

Loaded with `toolkits.programmes` (every problem reported by `swott programme validate`); a template
with problems is left out, never half-used. Cached per folder until a file in it changes.
"""

from __future__ import annotations

from pathlib import Path

from toolkits import Catalogue
from toolkits.programmes import Programme, programme_files, validate_many

_cache: dict[Path, tuple[tuple[tuple[str, float], ...], dict[str, Programme]]] = {}


def root_for(catalogue: Catalogue) -> Path:
    return Path(catalogue.root) / "programmes"


def available(catalogue: Catalogue) -> dict[str, Programme]:
    """Template id -> programme, for every valid template (in file order)."""
    root = root_for(catalogue)
    files = programme_files(root)
    stamp = tuple((p.name, p.stat().st_mtime) for p in files if p.is_file())
    cached = _cache.get(root)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    programmes, _problems = validate_many(files, catalogue)
    found = {p.id: p for p in programmes}
    _cache[root] = (stamp, found)
    return found


def get(catalogue: Catalogue, template_id: str) -> Programme | None:
    return available(catalogue).get(template_id)


def toolkit_of(programme: Programme | None) -> dict[str, str]:
    """Activity id -> toolkit id, for the activities that belong to a toolkit."""
    if programme is None:
        return {}
    return {a.id: a.toolkit for a in programme.activities if a.toolkit}
