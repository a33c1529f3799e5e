"""`swott package --check ZIP`: is this zip a package an LMS will import and run?

Two layers, both needed:
1. XSD validity against the edition's own schema set (SCORM) or the cmi5 course structure schema.
2. The rules the schemas let through, each reported with its own plain message (SCORM 2004 CAM 3rd/4th
   edition section numbers in brackets):
   - a resource without `adlcp:scormtype` / `adlcp:scormType` (CAM 3.4.1.16: required by ADL);
   - the attribute in the other edition's case (`scormType` in 1.2, `scormtype` in 2004); XML
     attribute names are case-sensitive, and an LMS then sees no SCO at all;
   - a dangling `identifierref` on an item or dependency, or a `default` organization that does not
     exist (CAM 3.4.1.8, 3.4.1.10);
   - `schemaversion` that is not the edition's (`1.2`, `2004 3rd Edition`, `2004 4th Edition`);
   - `adlcp:masteryscore` outside 0-100 (SCORM 1.2 CAM 2.3.5.2.1), `minNormalizedMeasure` outside -1..1;
   - a file listed in the manifest but absent from the zip, or present in the zip but listed nowhere;
   - the edition's schema files missing from the zip root.
For cmi5: AU ids must be absolute IRIs, unique; relative AU urls must exist in the zip (spec 14.1).
For the html export: every local link and image must point at a file in the zip.

A zip handed to `--check` may be hostile, so before anything is parsed (issue 9, defect 10):
- entries whose names escape the package (`../`, an absolute path, a backslash or a drive letter: a
  "zip slip" when an LMS unpacks it), symbolic links and encrypted entries are refused;
- what is read is bounded: the zip's size, its number of entries, their total uncompressed size and each
  entry's compression ratio (a decompression bomb declares small sizes or huge ratios); reading never
  goes past an entry's declared size, and a wrong size or CRC is reported as a corrupt entry;
- XML is parsed with no DTD, no entity expansion and no network, and a document with a DOCTYPE is
  refused (a SCORM or cmi5 manifest has none; entities are how XXE and "billion laughs" work).
Every failure is a `Problem`; nothing raises.
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from lxml import etree

from scorm_packager import xsd
from scorm_packager.editions import (
    NS_CMI5,
    NS_IMSSS,
    SCORM12,
    SCORM2004_3,
    SCORM2004_4,
    ScormEdition,
    schema_set,
)

MANIFEST = "imsmanifest.xml"
CMI5_XML = "cmi5.xml"
MAX_ZIP_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 5000
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # uncompressed, all entries
MAX_RATIO = 100  # uncompressed / compressed, for entries over RATIO_FLOOR (our packages stay under 10)
RATIO_FLOOR = 1024 * 1024
MAX_XML_BYTES = 16 * 1024 * 1024  # a manifest or cmi5.xml (ours are under 100 KiB)
_DRIVE = re.compile(r"^[A-Za-z]:")
# Reading a damaged or hostile entry raises one of these (CRC or size mismatch, bad deflate data,
# an unsupported method such as AES, a password needed).
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class _Report:
    zip_name: str
    problems: list[Problem]

    def add(self, member: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(f"{self.zip_name}/{member}", line or 0, message))


def _parse(report: _Report, member: str, data: bytes | None) -> etree._Element | None:
    if data is None:
        return None
    if len(data) > MAX_XML_BYTES:
        report.add(member, None, f"the file is {len(data) // (1024 * 1024)} MiB; a manifest this checker reads "
                   f"is at most {MAX_XML_BYTES // (1024 * 1024)} MiB")  # fmt: skip
        return None
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:  # before the parser sees it at all
        _doctype(report, member)
        return None
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, dtd_validation=False,
                             huge_tree=False)  # fmt: skip
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        report.add(member, error.lineno, f"not well-formed XML: {error.msg}")
        return None
    except (etree.LxmlError, ValueError) as error:
        report.add(member, None, f"not well-formed XML ({type(error).__name__})")
        return None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        _doctype(report, member)
        return None
    return root


def _doctype(report: _Report, member: str) -> None:
    report.add(member, 1, "the XML has a DOCTYPE declaration: package manifests have none, and its entities "
               "are not read (they are how XXE attacks work)")  # fmt: skip


def _split(report: _Report, member: str, line: int | None, url: str) -> SplitResult | None:
    """The URL's parts, or None with a problem when it cannot be parsed (`http://[x` raises ValueError)."""
    try:
        return urlsplit(url)
    except ValueError:
        report.add(member, line, f"{url!r} is not a well-formed URL")
        return None


def _unsafe_name(name: str) -> str | None:
    """Why an entry name could write outside the folder an LMS unpacks the package into, or None."""
    if name.startswith("/") or "\\" in name or _DRIVE.match(name):
        return "is an absolute path, or uses a backslash or a drive letter"
    if ".." in name.split("/"):
        return "climbs out of the package with `..`"
    if not name or any(ord(c) < 32 for c in name):
        return "has an empty name or a control character in it"
    return None


def _entries(report: _Report, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo] | None:
    """The entries that are safe to read, by name; None (with a problem) if the zip is too big to read."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        report.add("", None, f"the zip has {len(infos)} entries; a package this checker reads has at most "
                   f"{MAX_ENTRIES}")  # fmt: skip
        return None
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        report.add("", None, f"the zip unpacks to {total // (1024 * 1024)} MiB; at most "
                   f"{MAX_TOTAL_BYTES // (1024 * 1024)} MiB is read (a decompression bomb?)")  # fmt: skip
        return None
    safe: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        unsafe = _unsafe_name(name)
        if unsafe is not None:
            report.add("", None, f"the entry {name!r} {unsafe}: an LMS unpacking it could write outside the "
                       "package (zip slip)")  # fmt: skip
        elif stat.S_ISLNK(info.external_attr >> 16):
            report.add(name, None, "this entry is a symbolic link: packages may hold only files")
        elif info.flag_bits & 0x1:
            report.add(name, None, "this entry is encrypted: an LMS cannot read it")
        elif info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            report.add(name, None, f"this entry unpacks {info.file_size // max(info.compress_size, 1)} times "
                       f"its size (more than {MAX_RATIO}): a decompression bomb?")  # fmt: skip
        elif name in safe:
            report.add(name, None, "two entries have this name: LMSs keep one or the other")
        else:
            safe[name] = info
    return safe


def _read(report: _Report, archive: zipfile.ZipFile, name: str) -> bytes | None:
    """The entry's bytes (never more than its declared size), or None with a problem if it is corrupt."""
    try:
        with archive.open(name) as member:
            return member.read()
    except _READ_ERRORS as error:
        report.add(name, None, f"this entry cannot be read: it is damaged ({type(error).__name__})")
        return None


def _xsd(report: _Report, member: str, schema: etree.XMLSchema, root: etree._Element) -> None:
    if schema.validate(root):
        return
    for entry in schema.error_log:
        message = re.sub(r"\{[^}]*\}", "", entry.message)  # namespaces make messages unreadable
        report.add(member, entry.line, f"schema: {message}")


def _edition(report: _Report, root: etree._Element) -> ScormEdition | None:
    ns = etree.QName(root).namespace
    version_el = root.find(f"{{{ns}}}metadata/{{{ns}}}schemaversion")
    version = (version_el.text or "").strip() if version_el is not None else ""
    if ns == SCORM12.ns_cp:
        edition = SCORM12
    elif ns == SCORM2004_4.ns_cp:
        edition = {SCORM2004_3.schemaversion: SCORM2004_3}.get(version, SCORM2004_4)
    else:
        report.add(MANIFEST, root.sourceline, f"the root element's namespace {ns!r} is not SCORM 1.2 or 2004")
        return None
    allowed = {SCORM12.schemaversion} if edition is SCORM12 else {SCORM2004_3.schemaversion, SCORM2004_4.schemaversion}
    if version not in allowed:
        line = version_el.sourceline if version_el is not None else root.sourceline
        expected = " or ".join(f"'{v}'" for v in sorted(allowed))
        report.add(MANIFEST, line, f"schemaversion is {version!r}; a {edition.label.split(' 2004')[0]} "
                   f"manifest must say {expected}")  # fmt: skip
    return edition


def _scorm_rules(report: _Report, root: etree._Element, edition: ScormEdition, names: set[str]) -> None:
    cp, adlcp = edition.ns_cp, edition.ns_adlcp
    resources = root.findall(f"{{{cp}}}resources/{{{cp}}}resource")
    resource_ids = {r.get("identifier") for r in resources}
    org_ids = {o.get("identifier") for o in root.iter(f"{{{cp}}}organization")}
    organizations = root.find(f"{{{cp}}}organizations")
    if organizations is not None and organizations.get("default") and organizations.get("default") not in org_ids:
        report.add(MANIFEST, organizations.sourceline,
                   f"organizations default={organizations.get('default')!r} names no organization")  # fmt: skip
    for item in root.iter(f"{{{cp}}}item"):
        ref = item.get("identifierref")
        if ref is not None and ref not in resource_ids:
            name = item.get("identifier")
            report.add(MANIFEST, item.sourceline, f"item {name!r} has identifierref={ref!r}, which names no resource")
    for dependency in root.iter(f"{{{cp}}}dependency"):
        ref = dependency.get("identifierref")
        if ref not in resource_ids:
            report.add(MANIFEST, dependency.sourceline, f"dependency identifierref={ref!r} names no resource")

    right, wrong = f"{{{adlcp}}}{edition.scormtype_attr}", f"{{{adlcp}}}{edition.wrong_case_attr}"
    listed: set[str] = set()
    for resource in resources:
        rid = resource.get("identifier")
        if resource.get(wrong) is not None:
            report.add(MANIFEST, resource.sourceline,
                       f"resource {rid!r} spells adlcp:{edition.wrong_case_attr}; {edition.label} needs "
                       f"adlcp:{edition.scormtype_attr} (attribute names are case-sensitive)")  # fmt: skip
        elif resource.get(right) is None:
            report.add(MANIFEST, resource.sourceline,
                       f"resource {rid!r} has no adlcp:{edition.scormtype_attr} (sco or asset)")  # fmt: skip
        hrefs = [(resource.get("href"), resource.sourceline)] if resource.get("href") else []
        hrefs += [(f.get("href"), f.sourceline) for f in resource.findall(f"{{{cp}}}file")]
        base = resource.get("{http://www.w3.org/XML/1998/namespace}base") or ""
        for href, line in hrefs:
            parts = _split(report, MANIFEST, line, href) if href else None
            if parts is None or parts.scheme:
                continue
            path = posixpath.normpath(unquote(posixpath.join(base, parts.path)))
            listed.add(path)
            if path not in names:
                report.add(MANIFEST, line, f"{href!r} is listed in the manifest but is not in the zip")

    for item in root.iter(f"{{{adlcp}}}masteryscore"):
        _range(report, item, "adlcp:masteryscore", Decimal(0), Decimal(100))
    for measure in root.iter(f"{{{NS_IMSSS}}}minNormalizedMeasure"):
        _range(report, measure, "imsss:minNormalizedMeasure", Decimal(-1), Decimal(1))

    schema_names = {p.name for p in schema_set(edition)}
    for name in sorted(schema_names - names):
        report.add(name, None, f"the {edition.label} schema file {name} is missing from the zip root")
    for name in sorted(names - listed - schema_names - {MANIFEST}):
        if not name.endswith("/"):
            report.add(name, None, "this file is in the zip but not listed in the manifest")


def _range(report: _Report, node: etree._Element, what: str, low: Decimal, high: Decimal) -> None:
    text = (node.text or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        report.add(MANIFEST, node.sourceline, f"{what} is {text!r}, not a number")
        return
    if not low <= value <= high:
        report.add(MANIFEST, node.sourceline, f"{what} is {text}, outside {low}..{high}")


def _check_scorm(report: _Report, archive: zipfile.ZipFile, names: set[str]) -> str:
    root = _parse(report, MANIFEST, _read(report, archive, MANIFEST))
    if root is None:
        return "SCORM"
    edition = _edition(report, root)
    if edition is None:
        return "SCORM"
    _xsd(report, MANIFEST, xsd.scorm_schema(edition), root)
    _scorm_rules(report, root, edition, names)
    return edition.label


def _check_cmi5(report: _Report, archive: zipfile.ZipFile, names: set[str]) -> None:
    root = _parse(report, CMI5_XML, _read(report, archive, CMI5_XML))
    if root is None:
        return
    _xsd(report, CMI5_XML, xsd.cmi5_schema(), root)
    seen: set[str] = set()
    for node in root.iter(f"{{{NS_CMI5}}}course", f"{{{NS_CMI5}}}au", f"{{{NS_CMI5}}}block"):
        node_id = node.get("id") or ""
        id_parts = _split(report, CMI5_XML, node.sourceline, node_id)
        if id_parts is not None and not id_parts.scheme:
            report.add(CMI5_XML, node.sourceline, f"id {node_id!r} is not an absolute IRI (cmi5 spec 3.0)")
        if node_id in seen:
            report.add(CMI5_XML, node.sourceline, f"id {node_id!r} is used twice (cmi5 spec 13.1.4)")
        seen.add(node_id)
    for url in root.iter(f"{{{NS_CMI5}}}url"):
        value = (url.text or "").strip()
        parts = _split(report, CMI5_XML, url.sourceline, value)
        if parts is not None and not parts.scheme and posixpath.normpath(unquote(parts.path)) not in names:
            report.add(CMI5_XML, url.sourceline, f"the AU url {value!r} is not a file in the zip (cmi5 spec 14.1)")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append((self.getpos()[0], value))


def _check_links(report: _Report, archive: zipfile.ZipFile, names: set[str]) -> None:
    """Every local href/src in the zip's HTML files points at a file in the zip."""
    for name in sorted(n for n in names if n.endswith(".html")):
        data = _read(report, archive, name)
        if data is None:
            continue
        parser = _Links()
        parser.feed(data.decode("utf-8", "replace"))
        for line, href in parser.links:
            parts = _split(report, name, line, href)
            if parts is None or parts.scheme or href.startswith(("#", "//")) or not parts.path:
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
            if target not in names:
                report.add(name, line, f"the link {href!r} points at {target!r}, which is not in the zip")


def check_zip(path: Path) -> tuple[str, list[Problem]]:
    """(what kind of package it is, every problem found); no problems means the package is good."""
    report = _Report(path.name, [])
    try:
        size = path.stat().st_size
        if size > MAX_ZIP_BYTES:
            report.add("", None, f"the file is {size // (1024 * 1024)} MiB; at most "
                       f"{MAX_ZIP_BYTES // (1024 * 1024)} MiB is checked")  # fmt: skip
            return "unknown", report.problems
        archive = zipfile.ZipFile(path)
    except _READ_ERRORS as error:
        report.add("", None, f"not a readable zip file ({error})")
        return "unknown", report.problems
    with archive:
        entries = _entries(report, archive)
        if entries is None:
            return "unknown", sorted(report.problems)
        names = {n for n in entries if not n.endswith("/")}
        every = set(archive.namelist())  # refused entries too: a refused manifest still says what the zip is
        for name in sorted(names - {MANIFEST, CMI5_XML}):
            if not name.endswith(".html"):
                _read(report, archive, name)  # a CRC or size check of every other entry
        if MANIFEST in every:
            kind = _check_scorm(report, archive, names) if MANIFEST in names else "SCORM"
        elif CMI5_XML in every:
            kind = "cmi5"
            if CMI5_XML in names:
                _check_cmi5(report, archive, names)
        elif "index.html" in names:
            kind = "static site"
        else:
            report.add("", None, f"neither {MANIFEST} nor {CMI5_XML} nor index.html is at the zip root")
            return "unknown", report.problems
        _check_links(report, archive, names)
    return kind, sorted(report.problems)
