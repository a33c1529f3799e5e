"""The package formats `swott package` builds, and what differs between them.

SCORM 1.2 and SCORM 2004 differ in namespaces, the spelling of the SCO/asset attribute
(`adlcp:scormtype` in 1.2, `adlcp:scormType` in 2004: SCORM 2004 CAM 3.4.1.16), where the pass mark
lives (`adlcp:masteryscore` in 1.2, a primary objective's `minNormalizedMeasure` in 2004: SCORM 2004
SN 5.1.7) and the `schemaversion` text (CAM 3.4.1.5). The 3rd and 4th editions of 2004 share the
namespaces and differ only in `schemaversion` and their schema files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path


class Format(StrEnum):
    SCORM12 = "scorm12"
    SCORM2004_3 = "scorm2004-3"
    SCORM2004_4 = "scorm2004-4"
    CMI5 = "cmi5"
    HTML = "html"


SCHEMAS_DIR = Path(str(resources.files("scorm_packager") / "schemas"))

NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NS_IMSMD_12 = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
NS_CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


@dataclass(frozen=True)
class ScormEdition:
    """Everything the manifest writer and checker need to know about one SCORM edition."""

    format: Format
    label: str
    schemaversion: str
    ns_cp: str
    ns_adlcp: str
    scormtype_attr: str  # the attribute's local name, case as the edition spells it
    schema_folder: str
    # namespace -> schema file, for the validation driver and xsi:schemaLocation
    schema_files: tuple[tuple[str, str], ...]
    api_flavour: str  # "1.2" or "2004", handed to the SCO runtime

    @property
    def schema_dir(self) -> Path:
        return SCHEMAS_DIR / self.schema_folder

    @property
    def wrong_case_attr(self) -> str:
        return "scormType" if self.scormtype_attr == "scormtype" else "scormtype"


NS_ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
NS_ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
NS_IMSSS = "http://www.imsglobal.org/xsd/imsss"

SCORM12 = ScormEdition(
    format=Format.SCORM12,
    label="SCORM 1.2",
    schemaversion="1.2",
    ns_cp="http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    ns_adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2",
    scormtype_attr="scormtype",
    schema_folder="scorm12edition",
    schema_files=(
        ("http://www.imsproject.org/xsd/imscp_rootv1p1p2", "imscp_rootv1p1p2.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_rootv1p2", "adlcp_rootv1p2.xsd"),
        (NS_IMSMD_12, "imsmd_rootv1p2p1.xsd"),
    ),
    api_flavour="1.2",
)


def _scorm2004(fmt: Format, edition: str, folder: str) -> ScormEdition:
    return ScormEdition(
        format=fmt,
        label=f"SCORM 2004 {edition} Edition",
        schemaversion=f"2004 {edition} Edition",
        ns_cp="http://www.imsglobal.org/xsd/imscp_v1p1",
        ns_adlcp="http://www.adlnet.org/xsd/adlcp_v1p3",
        scormtype_attr="scormType",
        schema_folder=folder,
        schema_files=(
            ("http://www.imsglobal.org/xsd/imscp_v1p1", "imscp_v1p1.xsd"),
            ("http://www.adlnet.org/xsd/adlcp_v1p3", "adlcp_v1p3.xsd"),
            (NS_ADLSEQ, "adlseq_v1p3.xsd"),
            (NS_ADLNAV, "adlnav_v1p3.xsd"),
            (NS_IMSSS, "imsss_v1p0.xsd"),
        ),
        api_flavour="2004",
    )


SCORM2004_3 = _scorm2004(Format.SCORM2004_3, "3rd", "scorm20043rdedition")
SCORM2004_4 = _scorm2004(Format.SCORM2004_4, "4th", "scorm20044thedition")

SCORM_EDITIONS: dict[Format, ScormEdition] = {e.format: e for e in (SCORM12, SCORM2004_3, SCORM2004_4)}


def schema_set(edition: ScormEdition) -> list[Path]:
    """Every file of the edition's schema set (shipped at the zip root), sorted by name."""
    return sorted(p for p in edition.schema_dir.iterdir() if p.is_file())
