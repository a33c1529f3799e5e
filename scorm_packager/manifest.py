"""Write `imsmanifest.xml` (SCORM 1.2 / 2004) and `cmi5.xml` with lxml.

One organization with one item: the L1 SCO. The L2 session pack is part of the same resource (linked
from the SCO and opened in its own window for printing) rather than a second item, because a second
item would be an asset some LMSs count against completion rollup (SCORM 2004 SN 4.6).

- Identifiers must be valid `xs:ID` values (NCNames, CAM 3.4.1.2): `make_id` guarantees it.
- SCORM 1.2: `adlcp:scormtype="sco"`, pass mark as `adlcp:masteryscore` (0-100) on the item (CAM 1.2
  2.3.5.2.1).
- SCORM 2004: `adlcp:scormType="sco"`, pass mark as the primary objective's `minNormalizedMeasure`
  with `satisfiedByMeasure="true"` (SN 5.1.7, 3rd/4th edition), so the LMS judges success by score.
- cmi5 (spec 13.1.4): one AU, `moveOn` from the toolkit's completion rule and `masteryScore` = pass
  mark / 100.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from scorm_packager.editions import (
    NS_ADLNAV,
    NS_ADLSEQ,
    NS_CMI5,
    NS_IMSSS,
    NS_XSI,
    SCORM12,
    ScormEdition,
)
from toolkits.model import CompletionPart, Toolkit

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.-]")

SCO_HREF = "index.html"
CMI5_AU_URL = "index.html"
COURSE_IRI_BASE = "https://swott.sheffield.ac.uk/xapi/toolkits/"


def make_id(*parts: str) -> str:
    """An `xs:ID` (NCName) built from `parts`: letters, digits, `_ . -`, starting with a letter."""
    text = "-".join(_NOT_NCNAME.sub("_", p) for p in parts if p)
    return text if text[:1].isalpha() else f"swott-{text}"


def pass_mark(toolkit: Toolkit) -> int | None:
    """The L1 pass mark when knowledge checks count towards completion, else None (no judgement)."""
    if CompletionPart.CHECKS not in toolkit.l1.completion or not toolkit.l1.questions:
        return None
    return toolkit.l1.pass_mark


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def scorm_manifest(toolkit: Toolkit, edition: ScormEdition, files: Iterable[str]) -> bytes:
    """The manifest of a SCORM package whose SCO resource holds `files` (paths inside the zip)."""
    cp, adlcp = edition.ns_cp, edition.ns_adlcp
    nsmap: dict[str | None, str] = {None: cp, "adlcp": adlcp, "xsi": NS_XSI}
    locations = [cp, dict(edition.schema_files)[cp], adlcp, dict(edition.schema_files)[adlcp]]
    if edition is not SCORM12:
        nsmap.update({"adlseq": NS_ADLSEQ, "adlnav": NS_ADLNAV, "imsss": NS_IMSSS})
        for ns in (NS_ADLSEQ, NS_ADLNAV, NS_IMSSS):
            locations += [ns, dict(edition.schema_files)[ns]]

    def el(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        node = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    manifest_id = make_id("swott", toolkit.id, toolkit.version)
    root = etree.Element(f"{{{cp}}}manifest", nsmap=nsmap)
    root.set("identifier", manifest_id)
    root.set("version", toolkit.version)
    root.set(f"{{{NS_XSI}}}schemaLocation", " ".join(locations))

    metadata = el(root, cp, "metadata")
    el(metadata, cp, "schema", "ADL SCORM")
    el(metadata, cp, "schemaversion", edition.schemaversion)

    org_id = make_id("org", toolkit.id)
    organizations = el(root, cp, "organizations", default=org_id)
    organization = el(organizations, cp, "organization", identifier=org_id)
    el(organization, cp, "title", toolkit.title)
    item = el(organization, cp, "item", identifier=make_id("item", toolkit.id, "l1"),
              identifierref=make_id("res", toolkit.id, "sco"), isvisible="true")  # fmt: skip
    el(item, cp, "title", f"{toolkit.title} — individual learning (L1) and session pack (L2)")
    mark = pass_mark(toolkit)
    if edition is SCORM12:
        if mark is not None:
            el(item, adlcp, "masteryscore", str(mark))
    else:
        sequencing = el(item, NS_IMSSS, "sequencing")
        if mark is not None:
            objectives = el(sequencing, NS_IMSSS, "objectives")
            primary = el(objectives, NS_IMSSS, "primaryObjective", objectiveID="PRIMARYOBJ", satisfiedByMeasure="true")
            el(primary, NS_IMSSS, "minNormalizedMeasure", str(Decimal(mark) / 100))
        delivery = el(sequencing, NS_IMSSS, "deliveryControls")
        delivery.set("completionSetByContent", "true")
        delivery.set("objectiveSetByContent", "true")
        # The organization lets the learner choose and flow (SN 5.1.1), which is what a one-item course needs.
        org_seq = el(organization, NS_IMSSS, "sequencing")
        el(org_seq, NS_IMSSS, "controlMode", choice="true", flow="true")

    resources = el(root, cp, "resources")
    resource = el(resources, cp, "resource", identifier=make_id("res", toolkit.id, "sco"), type="webcontent",
                  href=SCO_HREF)  # fmt: skip
    resource.set(f"{{{adlcp}}}{edition.scormtype_attr}", "sco")
    for name in sorted(set(files)):
        el(resource, cp, "file", href=name)
    return _serialise(root)


def cmi5_move_on(toolkit: Toolkit) -> str:
    """cmi5 moveOn (spec 13.1.4) from the toolkit's L1 completion rule."""
    return "CompletedAndPassed" if pass_mark(toolkit) is not None else "Completed"


def au_id(toolkit: Toolkit) -> str:
    return f"{COURSE_IRI_BASE}{toolkit.id}/l1"


def cmi5_structure(toolkit: Toolkit) -> bytes:
    """`cmi5.xml`: the course with one AU, the L1 player (spec 13.1, 14.1)."""
    ns = NS_CMI5

    def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        node = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    def langstring(parent: etree._Element, tag: str, text: str) -> None:
        el(el(parent, tag), "langstring", text, lang="en-GB")

    root = etree.Element(f"{{{ns}}}courseStructure", nsmap={None: ns})
    course = el(root, "course", id=f"{COURSE_IRI_BASE}{toolkit.id}")
    langstring(course, "title", toolkit.title)
    langstring(course, "description", " ".join(toolkit.summary.split()))
    attrs = {"id": au_id(toolkit), "moveOn": cmi5_move_on(toolkit), "launchMethod": "AnyWindow"}
    mark = pass_mark(toolkit)
    if mark is not None:
        attrs["masteryScore"] = str(Decimal(mark) / 100)
    au = el(root, "au", **attrs)
    langstring(au, "title", f"{toolkit.title} — individual learning (L1)")
    langstring(au, "description", " ".join(toolkit.summary.split()))
    el(au, "url", CMI5_AU_URL)
    return _serialise(root)
