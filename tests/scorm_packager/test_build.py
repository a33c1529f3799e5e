"""Every toolkit in every format builds, passes `swott package --check`, and builds the same bytes twice."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from scorm_packager.build import build
from scorm_packager.editions import SCORM_EDITIONS, Format, schema_set
from scorm_packager.manifest import cmi5_move_on
from swott.cli import main
from toolkits.loader import Catalogue
from toolkits.model import Toolkit

NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
CATALOGUE = Catalogue()


def test_catalogue_has_the_shipped_toolkits() -> None:
    assert len(CATALOGUE) >= 2, f"expected at least 2 valid toolkits, problems: {CATALOGUE.problems[:5]}"


@pytest.mark.parametrize("toolkit_id", CATALOGUE.ids())
@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_every_toolkit_in_every_format_builds_and_checks(toolkit_id: str, fmt: Format, tmp_path: Path) -> None:
    toolkit = CATALOGUE.get(toolkit_id)
    assert toolkit is not None
    result = CliRunner().invoke(main, ["package", toolkit_id, "--format", fmt.value, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    zips = list(tmp_path.glob("*.zip"))
    assert len(zips) == 1
    assert result.output.startswith(f"{toolkit_id}: {fmt.value} -> ")
    checked = CliRunner().invoke(main, ["package", "--check", str(zips[0])])
    assert checked.exit_code == 0, checked.output
    assert "valid" in checked.output


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_fixture_toolkit_builds_and_checks(fixture_toolkit: Toolkit, fmt: Format, tmp_path: Path) -> None:
    target = tmp_path / "package.zip"
    target.write_bytes(build(fixture_toolkit, fmt).zip_bytes())
    result = CliRunner().invoke(main, ["package", "--check", str(target)])
    assert result.exit_code == 0, result.output


def test_all_flag_prints_one_line_per_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["package", "--all", "--format", "scorm12", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if " -> " in line]
    assert len(lines) == len(CATALOGUE) == len(list(tmp_path.glob("*.zip")))


def test_unknown_toolkit_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["package", "no-such-toolkit", "--format", "cmi5", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "no valid toolkit 'no-such-toolkit'" in result.output


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_same_toolkit_gives_same_bytes(fixture_toolkit: Toolkit, fmt: Format) -> None:
    first = build(fixture_toolkit, fmt).zip_bytes()
    second = build(fixture_toolkit, fmt).zip_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_package_folder_path_works_too(tmp_path: Path) -> None:
    folder = Path(__file__).parent / "fixtures" / "tiny-toolkit"
    result = CliRunner().invoke(main, ["package", str(folder), "--format", "html", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tiny-toolkit-1.2.0-html.zip").is_file()


def _manifest(toolkit: Toolkit, fmt: Format) -> tuple[etree._Element, set[str]]:
    package = build(toolkit, fmt)
    return etree.fromstring(package.files["imsmanifest.xml"]), set(package.files)


@pytest.mark.parametrize("fmt", list(SCORM_EDITIONS), ids=lambda f: f.value)
def test_manifest_follows_the_edition(fixture_toolkit: Toolkit, fmt: Format) -> None:
    edition = SCORM_EDITIONS[fmt]
    root, files = _manifest(fixture_toolkit, fmt)
    cp, adlcp = edition.ns_cp, edition.ns_adlcp
    assert root.tag == f"{{{cp}}}manifest"
    assert root.findtext(f"{{{cp}}}metadata/{{{cp}}}schemaversion") == edition.schemaversion
    for node in root.iter():
        if node.get("identifier") is not None:
            assert NCNAME.match(node.get("identifier", "")), node.get("identifier")
    resource = root.find(f"{{{cp}}}resources/{{{cp}}}resource")
    assert resource is not None
    assert resource.get(f"{{{adlcp}}}{edition.scormtype_attr}") == "sco"
    assert resource.get(f"{{{adlcp}}}{edition.wrong_case_attr}") is None
    listed = {f.get("href") for f in resource.iter(f"{{{cp}}}file")}
    schemas = {p.name for p in schema_set(edition)}
    assert listed == files - schemas - {"imsmanifest.xml"}, "every content file is listed"
    assert schemas <= files, "the edition's schema files are at the zip root"
    if fmt is Format.SCORM12:
        assert root.findtext(f".//{{{adlcp}}}masteryscore") == "50"
    else:
        primary = root.find(".//{http://www.imsglobal.org/xsd/imsss}primaryObjective")
        assert primary is not None and primary.get("satisfiedByMeasure") == "true"
        assert primary.findtext("{http://www.imsglobal.org/xsd/imsss}minNormalizedMeasure") == "0.5"


def test_cmi5_structure_carries_move_on_and_mastery(fixture_toolkit: Toolkit) -> None:
    root = etree.fromstring(build(fixture_toolkit, Format.CMI5).files["cmi5.xml"])
    ns = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"
    au = root.find(f"{ns}au")
    assert au is not None
    assert au.get("moveOn") == "CompletedAndPassed" == cmi5_move_on(fixture_toolkit)
    assert au.get("masteryScore") == "0.5"
    assert au.findtext(f"{ns}url") == "index.html"
