"""`swott package --check` on hostile zips (issue 9, defect 10): a plain message and exit 1, never a traceback.

Each case starts from a package the packager built and makes it hostile the way an attacker or a broken
tool would: entries that escape the folder an LMS unpacks into, links, encryption, a decompression bomb,
lying sizes, damaged data, XXE and entity expansion in the manifest.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorm_packager import check
from scorm_packager.build import build, deterministic_zip
from scorm_packager.editions import Format
from swott.cli import main
from toolkits.model import Toolkit

Hostile = Callable[[bytes, Path], bytes]


def _with_entry(name: str, data: bytes = b"x", external_attr: int = 0o644 << 16) -> Hostile:
    def make(package: bytes, _tmp: Path) -> bytes:
        buffer = io.BytesIO(package)
        with zipfile.ZipFile(buffer, "a") as archive:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = external_attr
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
        return buffer.getvalue()

    return make


def _encrypted(package: bytes, tmp: Path) -> bytes:
    """A real ZipCrypto entry, added with Info-ZIP's `zip -P`."""
    target = tmp / "enc.zip"
    target.write_bytes(package)
    (tmp / "secret.txt").write_text("secret", encoding="utf-8")
    subprocess.run(["zip", "-q", "-P", "pw", str(target), "secret.txt"], cwd=tmp, check=True, timeout=30)
    return target.read_bytes()


def _central_size(name: str, size: int, local_too: bool = False) -> Hostile:
    """Rewrite the uncompressed size the zip declares for `name` (the central directory, maybe the local header)."""

    def make(package: bytes, _tmp: Path) -> bytes:
        data = bytearray(package)
        encoded = name.encode()
        central = data.index(b"PK\x01\x02")
        while data[central + 46 : central + 46 + len(encoded)] != encoded:
            central = data.index(b"PK\x01\x02", central + 4)
        struct.pack_into("<I", data, central + 24, size)
        if local_too:
            local = struct.unpack_from("<I", data, central + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        return bytes(data)

    return make


def _damaged(name: str) -> Hostile:
    def make(package: bytes, _tmp: Path) -> bytes:
        data = bytearray(package)
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            info = archive.getinfo(name)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for offset in range(start + 10, start + 40):
            data[offset] ^= 0xFF
        return bytes(data)

    return make


def _manifest_prefix(prolog: str, body_edit: tuple[str, str] = ("", "")) -> Hostile:
    def make(package: bytes, _tmp: Path) -> bytes:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            files = {n: archive.read(n) for n in archive.namelist()}
        text = files["imsmanifest.xml"].decode()
        head, rest = text.split("?>", 1)
        if body_edit[0]:
            rest = rest.replace(body_edit[0], body_edit[1], 1)
        files["imsmanifest.xml"] = (head + "?>\n" + prolog + rest).encode()
        return deterministic_zip(files)

    return make


def _edit_member(name: str, old: bytes, new: bytes) -> Hostile:
    def make(package: bytes, _tmp: Path) -> bytes:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            files = {n: archive.read(n) for n in archive.namelist()}
        assert old in files[name]
        files[name] = files[name].replace(old, new, 1)
        return deterministic_zip(files)

    return make


LAUGHS = "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' if i else '<!ENTITY lol0 "lol">' for i in range(10))

CASES: list[tuple[str, Hostile, str]] = [
    ("parent directory entry", _with_entry("../evil.html"), "'../evil.html' climbs out of the package"),
    ("nested parent entry", _with_entry("session/../../evil.sh"), "climbs out of the package"),
    ("absolute path entry", _with_entry("/etc/cron.d/evil"), "is an absolute path"),
    ("backslash entry", _with_entry("..\\..\\evil.bat"), "uses a backslash"),
    ("drive letter entry", _with_entry("C:/Windows/evil.dll"), "drive letter"),
    ("symbolic link entry", _with_entry("link.html", b"/etc/passwd", (0o120777 << 16)), "is a symbolic link"),
    ("encrypted entry", _encrypted, "secret.txt: this entry is encrypted"),
    ("decompression bomb (ratio)", _with_entry("bomb.bin", b"\0" * (30 * 1024 * 1024)), "a decompression bomb"),
    ("declared size too big", _central_size("index.html", 600 * 1024 * 1024), "unpacks to 60"),
    ("declared size smaller than the data", _central_size("index.html", 100, local_too=True),
     "index.html: this entry cannot be read: it is damaged"),
    ("damaged deflate data", _damaged("swott/sco.js"), "swott/sco.js: this entry cannot be read"),
    ("damaged manifest", _damaged("imsmanifest.xml"), "imsmanifest.xml: this entry cannot be read"),
    ("XXE in the manifest", _manifest_prefix('<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                                            ("<title>", "<title>&xxe;")), "has a DOCTYPE declaration"),
    ("external DTD", _manifest_prefix('<!DOCTYPE manifest SYSTEM "http://127.0.0.1:9/evil.dtd">'),
     "has a DOCTYPE declaration"),
    ("malformed URL in the manifest", _manifest_prefix("", ('href="index.html"', 'href="http://[::1"')),
     "'http://[::1' is not a well-formed URL"),
    ("malformed URL in a page", _edit_member("index.html", b"</body>", b'<a href="http://[x">x</a></body>'),
     "'http://[x' is not a well-formed URL"),
    ("oversized manifest", _manifest_prefix("<!--" + os.urandom(check.MAX_XML_BYTES // 2 + 1).hex() + "-->"),
     "a manifest this checker reads is at most 16 MiB"),
    ("billion laughs in the manifest",
     _manifest_prefix(f"<!DOCTYPE manifest [{LAUGHS}]>", ("<title>", "<title>&lol9;")),
     "has a DOCTYPE declaration"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_zip_is_refused_with_a_plain_message(
    fixture_toolkit: Toolkit, make: Hostile, expected: str, tmp_path: Path
) -> None:
    package = build(fixture_toolkit, Format.SCORM12).zip_bytes()
    path = tmp_path / "hostile.zip"
    path.write_bytes(make(package, tmp_path))
    result = CliRunner().invoke(main, ["package", "--check", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert expected in result.output, result.output


def test_too_many_entries_are_not_read(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    path.write_bytes(deterministic_zip({f"f{i}.txt": b"" for i in range(check.MAX_ENTRIES + 1)}))
    _kind, problems = check.check_zip(path)
    assert [p.message for p in problems] == [
        f"the zip has {check.MAX_ENTRIES + 1} entries; a package this checker reads has at most {check.MAX_ENTRIES}"
    ]


def test_a_package_the_packager_built_is_still_valid(fixture_toolkit: Toolkit, tmp_path: Path) -> None:
    for fmt in (Format.SCORM12, Format.SCORM2004_4, Format.CMI5, Format.HTML):
        path = tmp_path / f"{fmt.value}.zip"
        path.write_bytes(build(fixture_toolkit, fmt).zip_bytes())
        assert check.check_zip(path)[1] == [], fmt
