"""Build a package of one toolkit in one format, deterministically.

The same toolkit gives the same bytes: entries are sorted, every entry has the same timestamp
(1980-01-01, the earliest a zip can hold) and permissions, and compression settings are fixed. That
lets an operator see at a glance whether a rebuilt package changed, and lets LMSs that de-duplicate
uploads by checksum do so.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from scorm_packager import content, manifest, suspend
from scorm_packager.editions import SCORM12, SCORM_EDITIONS, Format, schema_set
from scorm_packager.i18n import ENGLISH, Chrome, chrome
from toolkits.model import Toolkit

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Package:
    toolkit: Toolkit
    format: Format
    files: dict[str, bytes]
    notes: tuple[str, ...] = ()  # what an operator should know about this package (e.g. suspend_data)
    language: str = ENGLISH  # the chrome's language (`--lang`); content stays as authored

    @property
    def filename(self) -> str:
        suffix = "" if self.language == ENGLISH else f"-{self.language}"
        return f"{self.toolkit.id}-{self.toolkit.version}-{self.format.value}{suffix}.zip"

    def zip_bytes(self) -> bytes:
        return deterministic_zip(self.files)


def deterministic_zip(files: dict[str, bytes]) -> bytes:
    """A zip of `files` whose bytes depend only on the names and contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever the building machine
            archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def _content_files(toolkit: Toolkit, flavour: str, t: Chrome) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files.update(content.runtime_files())
    files.update(content.asset_files(toolkit))
    files.update(content.session_pack(toolkit, t))
    files["index.html"] = content.l1_player(toolkit, flavour, manifest.pass_mark(toolkit), t)
    return files


def build(toolkit: Toolkit, fmt: Format, language: str = ENGLISH) -> Package:
    """Every file of the package, by its path inside the zip; the chrome in `language` ('en', 'cy').

    Raises `suspend.SuspendDataTooLarge` for a SCORM package whose state could never fit, and
    ValueError for a language the packager has no words for.
    """
    t = chrome(language)
    notes: tuple[str, ...] = ()
    if fmt in SCORM_EDITIONS:
        edition = SCORM_EDITIONS[fmt]
        limit = suspend.SUSPEND_LIMIT_12 if edition is SCORM12 else suspend.SUSPEND_LIMIT_2004
        advice = suspend.budget(toolkit).advice(limit, edition.label)
        notes = (advice,) if advice else ()
        files = _content_files(toolkit, edition.api_flavour, t)
        listed = sorted(files)
        files["imsmanifest.xml"] = manifest.scorm_manifest(toolkit, edition, listed)
        for path in schema_set(edition):
            files[path.name] = path.read_bytes()
    elif fmt is Format.CMI5:
        files = _content_files(toolkit, "cmi5", t)
        files["cmi5.xml"] = manifest.cmi5_structure(toolkit)
    else:
        files = _content_files(toolkit, "none", t)
    return Package(toolkit, fmt, files, notes, language)


def write(package: Package, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / package.filename
    target.write_bytes(package.zip_bytes())
    return target
