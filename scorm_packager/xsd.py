"""Compile the SCORM and cmi5 schema sets with lxml (libxml2), once per process.

The SCORM schema files do not import each other, so a small driver schema imports every namespace a
manifest may use, or the strict wildcards (`adlcp:scormtype`, `imsss:sequencing`) would not resolve.
libxml2 rejects two things in the SCORM 1.2 set; both files are served patched from memory by an
`etree.Resolver` (the files shipped in packages stay byte-identical):
- `ims_xml.xsd` declares the reserved xml namespace as its default namespace;
- `imsmd_rootv1p2p1.xsd` has an `##any` wildcard libxml2 calls non-deterministic (served as `##other`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from scorm_packager.editions import NS_CMI5, NS_XML, SCHEMAS_DIR, SCORM12, ScormEdition

_PATCHES: dict[str, tuple[bytes, bytes]] = {
    "ims_xml.xsd": (b'xmlns="http://www.w3.org/XML/1998/namespace"', b""),
    "imsmd_rootv1p2p1.xsd": (b'namespace="##any"', b'namespace="##other"'),
}


class _PatchingResolver(etree.Resolver):
    """Serve the two SCORM 1.2 files libxml2 cannot compile, patched in memory."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        name = (system_url or "").rsplit("/", 1)[-1]
        if name in _PATCHES and (self.folder / name).is_file():
            old, new = _PATCHES[name]
            data = (self.folder / name).read_bytes().replace(old, new)
            return self.resolve_string(data, context, base_url=str(self.folder / name))
        return None


def _driver(edition: ScormEdition) -> bytes:
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{name}"/>' for ns, name in edition.schema_files)
    if edition is SCORM12:
        imports = f'<xs:import namespace="{NS_XML}" schemaLocation="ims_xml.xsd"/>' + imports
    return (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:swott:driver" elementFormDefault="qualified">{imports}</xs:schema>'
    ).encode()


@cache
def scorm_schema(edition: ScormEdition) -> etree.XMLSchema:
    """The compiled schema set of a SCORM edition (cached: compiling takes a few hundred ms)."""
    folder = edition.schema_dir
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    parser.resolvers.add(_PatchingResolver(folder))
    doc = etree.fromstring(_driver(edition), parser, base_url=str(folder / "driver.xsd"))
    return etree.XMLSchema(doc)


@cache
def cmi5_schema() -> etree.XMLSchema:
    """The cmi5 course structure schema (written from the cmi5 spec text: see schemas/README.md)."""
    path = SCHEMAS_DIR / "cmi5" / "CourseStructure.xsd"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    schema = etree.XMLSchema(etree.parse(str(path), parser))
    assert schema is not None
    return schema


__all__ = ["NS_CMI5", "cmi5_schema", "scorm_schema"]
