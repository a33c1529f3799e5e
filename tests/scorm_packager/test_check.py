"""`swott package --check` catches what the schemas miss, with `path: message` lines and exit 1.

Each test breaks one thing in a package the packager built (as a hand-edited or third-party package
would be broken) and asserts the message an LMS administrator would read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorm_packager.build import build, deterministic_zip
from scorm_packager.check import check_zip
from scorm_packager.editions import Format
from swott.cli import main
from toolkits.model import Toolkit

Edit = Callable[[dict[str, bytes]], None]


def _broken(toolkit: Toolkit, fmt: Format, edit: Edit, tmp_path: Path) -> Path:
    files = dict(build(toolkit, fmt).files)
    edit(files)
    target = tmp_path / f"broken-{fmt.value}.zip"
    target.write_bytes(deterministic_zip(files))
    return target


def _replace(member: str, old: str, new: str) -> Edit:
    def edit(files: dict[str, bytes]) -> None:
        text = files[member].decode()
        assert old in text, f"{old!r} not in {member}"
        files[member] = text.replace(old, new, 1).encode()

    return edit


def _drop(member: str) -> Edit:
    def edit(files: dict[str, bytes]) -> None:
        del files[member]

    return edit


def _add(member: str, data: bytes) -> Edit:
    def edit(files: dict[str, bytes]) -> None:
        files[member] = data

    return edit


def _run_check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["package", "--check", str(path)])
    return result.exit_code, result.output


CASES: list[tuple[str, Format, Edit, str]] = [
    (
        "missing scormtype (1.2)",
        Format.SCORM12,
        _replace("imsmanifest.xml", ' adlcp:scormtype="sco"', ""),
        "has no adlcp:scormtype (sco or asset)",
    ),
    (
        "missing scormType (2004)",
        Format.SCORM2004_4,
        _replace("imsmanifest.xml", ' adlcp:scormType="sco"', ""),
        "has no adlcp:scormType (sco or asset)",
    ),
    (
        "wrong case for 2004",
        Format.SCORM2004_3,
        _replace("imsmanifest.xml", "adlcp:scormType=", "adlcp:scormtype="),
        "spells adlcp:scormtype; SCORM 2004 3rd Edition needs adlcp:scormType",
    ),
    (
        "wrong case for 1.2",
        Format.SCORM12,
        _replace("imsmanifest.xml", "adlcp:scormtype=", "adlcp:scormType="),
        "spells adlcp:scormType; SCORM 1.2 needs adlcp:scormtype",
    ),
    (
        "dangling identifierref",
        Format.SCORM12,
        _replace("imsmanifest.xml", 'identifierref="res-tiny-toolkit-sco"', 'identifierref="res-missing"'),
        "has identifierref='res-missing', which names no resource",
    ),
    (
        "wrong schemaversion (2004)",
        Format.SCORM2004_4,
        _replace("imsmanifest.xml", "<schemaversion>2004 4th Edition<", "<schemaversion>CAM 1.3<"),
        "schemaversion is 'CAM 1.3'; a SCORM manifest must say '2004 3rd Edition' or '2004 4th Edition'",
    ),
    (
        "wrong schemaversion (1.2)",
        Format.SCORM12,
        _replace("imsmanifest.xml", "<schemaversion>1.2<", "<schemaversion>1.3<"),
        "schemaversion is '1.3'; a SCORM 1.2 manifest must say '1.2'",
    ),
    (
        "masteryscore over 100",
        Format.SCORM12,
        _replace("imsmanifest.xml", "<adlcp:masteryscore>50<", "<adlcp:masteryscore>150<"),
        "adlcp:masteryscore is 150, outside 0..100",
    ),
    (
        "minNormalizedMeasure over 1",
        Format.SCORM2004_4,
        _replace("imsmanifest.xml", "<imsss:minNormalizedMeasure>0.5<", "<imsss:minNormalizedMeasure>50<"),
        "minNormalizedMeasure",
    ),
    (
        "file listed but absent",
        Format.SCORM2004_4,
        _drop("session/case-study.html"),
        "'session/case-study.html' is listed in the manifest but is not in the zip",
    ),
    (
        "file present but not listed",
        Format.SCORM12,
        _add("extra/notes.txt", b"stray"),
        "extra/notes.txt: this file is in the zip but not listed in the manifest",
    ),
    (
        "schema file missing from the root",
        Format.SCORM2004_3,
        _drop("imsss_v1p0.xsd"),
        "imsss_v1p0.xsd: the SCORM 2004 3rd Edition schema file imsss_v1p0.xsd is missing from the zip root",
    ),
    (
        "not schema-valid (unknown sequencing element)",
        Format.SCORM2004_4,
        _replace("imsmanifest.xml", "<imsss:deliveryControls", "<imsss:bogus/><imsss:deliveryControls"),
        "schema: Element 'bogus': This element is not expected",
    ),
    (
        "cmi5 masteryScore over 1",
        Format.CMI5,
        _replace("cmi5.xml", 'masteryScore="0.5"', 'masteryScore="50"'),
        "schema: Element 'au', attribute 'masteryScore'",
    ),
    (
        "cmi5 AU url not in the zip",
        Format.CMI5,
        _replace("cmi5.xml", "<url>index.html</url>", "<url>start.html</url>"),
        "the AU url 'start.html' is not a file in the zip",
    ),
    (
        "cmi5 relative id",
        Format.CMI5,
        _replace("cmi5.xml", 'id="https://swott.sheffield.ac.uk/xapi/toolkits/tiny-toolkit/l1"', 'id="l1"'),
        "id 'l1' is not an absolute IRI",
    ),
    (
        "broken link in the static site",
        Format.HTML,
        _drop("session/facilitator-guide.html"),
        "points at 'session/facilitator-guide.html', which is not in the zip",
    ),
]


@pytest.mark.parametrize(("fmt", "edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_reports_the_broken_rule(
    fixture_toolkit: Toolkit, fmt: Format, edit: Edit, expected: str, tmp_path: Path
) -> None:
    path = _broken(fixture_toolkit, fmt, edit, tmp_path)
    code, output = _run_check(path)
    assert code == 1, output
    assert expected in output, output
    problem_lines = [line for line in output.splitlines() if line.startswith(f"{path.name}/")]
    assert problem_lines, "problems are printed as zip/member[:line]: message"
    assert all(": " in line for line in problem_lines)


def test_problem_lines_name_the_manifest_line(fixture_toolkit: Toolkit, tmp_path: Path) -> None:
    path = _broken(fixture_toolkit, Format.SCORM12, _replace("imsmanifest.xml", ' adlcp:scormtype="sco"', ""), tmp_path)
    _kind, problems = check_zip(path)
    assert [str(p) for p in problems] == [
        f"{path.name}/imsmanifest.xml:{problems[0].line}: resource 'res-tiny-toolkit-sco' has no adlcp:scormtype "
        "(sco or asset)"
    ]
    assert problems[0].line > 1


def test_not_a_zip_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "course.zip"
    path.write_bytes(b"not a zip")
    code, output = _run_check(path)
    assert code == 1
    assert "not a readable zip file" in output


def test_zip_without_manifest_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    path.write_bytes(buffer.getvalue())
    code, output = _run_check(path)
    assert code == 1
    assert "neither imsmanifest.xml nor cmi5.xml nor index.html is at the zip root" in output
