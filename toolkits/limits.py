"""The limits a toolkit folder must keep, and the safe way to read its files (toolkits/README.md, "Limits").

A toolkit is content an author hands to the operator; nothing in it may stop the web app, the worker or
the packager. Every check here turns hostile or accidental input into a sentence for the author with
the file and line: oversized files, symbolic links (which could point anywhere, or at themselves),
paths longer than file systems allow, text that is not UTF-8, and control characters (NUL cannot be
stored in PostgreSQL text, the others are invisible in an editor and break XML in SCORM packages).
Lone surrogates can only come from YAML escapes (`"\\ud800"`); they cannot be encoded as UTF-8, so a
title holding one would break every page and package that shows it.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# One YAML or Markdown file: 8 times the longest shipped page (16 KiB), about 20,000 words. It also
# bounds the time the Markdown and HTML parsers take on pathological input (seconds, not minutes).
MAX_TEXT_BYTES = 128 * 1024
MAX_ASSET_BYTES = 20 * 1024 * 1024  # one file under assets/
MAX_FILES = 2000  # files and folders in one toolkit folder
MAX_PATH_CHARS = 200  # a path named in toolkit.yaml, or a link target in a page
MAX_NAME_CHARS = 100  # one part of such a path
MAX_YAML_DEPTH = 12  # nesting of lists and mappings (a toolkit needs 6)
MAX_YAML_ALIASES = 50  # `*name` references in one file
MAX_YAML_NODES = 20000  # values in one file once aliases are expanded (stops an "alias bomb")

# C0 controls except tab, line feed and carriage return; DEL; C1 controls; lone surrogates.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class Refused(Exception):
    """A file or value breaks a limit; `line` is 1-based, `message` is the sentence for the author."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def forbidden_character(text: str) -> tuple[int, str] | None:
    """(line, sentence) for the first control character or lone surrogate in `text`, else None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return line, f"the text holds a lone surrogate (U+{code:04X}), which is not a character: remove it"
    return line, f"the text holds a control character (U+{code:04X}), which is not allowed: remove it"


def printable(text: str) -> str:
    """`text` safe to print, log and put in a page: a file name that is not UTF-8 reaches Python with
    lone surrogates (PEP 383), which no UTF-8 stream can write; they become U+FFFD."""
    if forbidden_character(text) is None:
        return text
    with contextlib.suppress(UnicodeEncodeError):  # a surrogate that is no undecodable byte stays for the sub
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _FORBIDDEN.sub("\ufffd", text)


def path_problem(rel: str) -> str | None:
    """Why `rel` (a path from toolkit.yaml or a link) cannot name a file of the toolkit, or None."""
    if len(rel) > MAX_PATH_CHARS:
        return f"the path is {len(rel)} characters long; at most {MAX_PATH_CHARS} are allowed"
    if forbidden_character(rel) is not None:
        return "the path holds a control character"
    parts = PurePosixPath(rel).parts
    if rel.startswith(("/", "\\")) or (parts and ":" in parts[0]) or ".." in parts or "\\" in rel:
        return f"`{rel}` must be a path inside the toolkit folder, with / between folders"
    long_part = next((p for p in parts if len(p) > MAX_NAME_CHARS), None)
    if long_part is not None:
        return f"a folder or file name in the path is {len(long_part)} characters long; at most {MAX_NAME_CHARS}"
    return None


def symlink_in(root: Path, rel: str) -> str | None:
    """The first part of `root/rel` that is a symbolic link (refused: it may point outside, or loop)."""
    current = root
    for part in PurePosixPath(rel).parts:
        current = current / part
        try:
            if current.is_symlink():
                return current.relative_to(root).as_posix()
        except OSError:
            return None
    return None


def is_regular_file(path: Path) -> bool:
    """True for a plain file (not a link, folder, pipe or device); never raises."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except (OSError, ValueError):
        return False


def read_text(root: Path, rel: str) -> str:
    """The UTF-8 text of `root/rel`, checked against every limit above; raises `Refused`."""
    link = symlink_in(root, rel)
    if link is not None:
        raise Refused(1, f"`{link}` is a symbolic link; toolkits may not contain links (copy the file instead)")
    path = root / rel
    if not is_regular_file(path):
        raise Refused(1, "this is not an ordinary file")
    size = path.lstat().st_size
    if size > MAX_TEXT_BYTES:
        raise Refused(1, f"the file is {size // 1024} KiB; a text file may be at most {MAX_TEXT_BYTES // 1024} KiB")
    data = path.read_bytes()[: MAX_TEXT_BYTES + 1]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise Refused(line, "the file is not UTF-8 text (save it as UTF-8 in your editor)") from None
    bad = forbidden_character(text)
    if bad is not None:
        raise Refused(*bad)
    return text


@dataclass
class Listing:
    """What is in a toolkit folder: its files, the symbolic links found, and whether it was too big."""

    files: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    bad_names: list[str] = field(default_factory=list)  # not UTF-8, or holding control characters
    too_many: bool = False


def walk(root: Path) -> Listing:
    """Every file under `root` (relative paths, sorted), never following a link.

    Stops after `MAX_FILES` entries, so a folder with millions of files cannot stall validation.
    """
    listing = Listing()
    seen = 0
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in sorted(dirnames + filenames):
            seen += 1
            rel = (base / name).relative_to(root).as_posix()
            if forbidden_character(name) is not None:
                listing.bad_names.append(printable(rel))
            elif (base / name).is_symlink():
                listing.links.append(rel)
            elif name in filenames:
                listing.files.append(rel)
        dirnames[:] = sorted(d for d in dirnames if not (base / d).is_symlink())
        if seen > MAX_FILES:
            listing.too_many = True
            break
    listing.files.sort()
    listing.links.sort()
    listing.bad_names.sort()
    return listing
