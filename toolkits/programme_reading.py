"""Reading a programme file safely, and the checker that collects its problems with their lines."""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from toolkits import yamlpos
from toolkits.checking import key_problems, typed_value
from toolkits.loader import Catalogue, Problem
from toolkits.programme_model import MAX_FILE_BYTES

T = TypeVar("T")

# -- reading a file safely ---------------------------------------------------------------------------

# PyYAML reads an unquoted 2027-02-30 as a date and raises before we see the value, which would hide
# every other problem in the file. Quoting `date:` values first (lines unchanged) turns a malformed
# date into one problem among the rest, with its line.
_DATE_LINE = re.compile(r"^(\s*(?:-\s+)?date:\s*)([^\s'\"#{}\[\],][^\s#{}\[\],]*)(\s*(?:#.*)?)$", re.MULTILINE)
_FLOW_DATE = re.compile(r"(\bdate:\s*)(\d[^\s,}\]'\"#]*)")


def quote_dates(text: str) -> str:
    text = _DATE_LINE.sub(lambda m: f'{m.group(1)}"{m.group(2)}"{m.group(3)}', text)
    return _FLOW_DATE.sub(lambda m: f'{m.group(1)}"{m.group(2)}"', text)


def read_programme_file(path: Path) -> tuple[str | None, str | None]:
    """(text, None) or (None, why not): no symbolic links, only ordinary files, at most MAX_FILE_BYTES.

    The file is opened without following links and without blocking (a named pipe would hang), then
    checked on the open descriptor, so it cannot be swapped between the check and the read.
    """
    if path.is_symlink():
        return None, "this is a symbolic link; programmes may not be links (copy the file instead)"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None, "the file does not exist"
    except OSError as error:
        return None, f"the file cannot be opened ({error.strerror})"
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, "this is not an ordinary file"
        if info.st_size > MAX_FILE_BYTES:
            return (
                None,
                f"the file is {info.st_size // 1024} KiB; a programme may be at most {MAX_FILE_BYTES // 1024} KiB",
            )
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return None, f"the file is over {MAX_FILE_BYTES // 1024} KiB"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, "the file is not UTF-8 text"


# -- the checker ------------------------------------------------------------------------------------


@dataclass
class Checker:
    """Collects the problems of one programme file while building its objects."""

    display: str
    catalogue: Catalogue
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.display, line, message))

    def unknown_keys(self, mapping: yamlpos.PosDict, allowed: Iterable[str]) -> None:
        for line, message in key_problems(mapping, allowed):
            self.add(line, message)

    def get(self, mapping: yamlpos.PosDict, key: str, kind: type[T], *, required: bool = True,
            what: str = "") -> T | None:  # fmt: skip
        value, problem = typed_value(mapping, key, kind, required=required, what=what)
        if problem is not None:
            self.add(*problem)
        return value

    def get_int(self, mapping: yamlpos.PosDict, key: str, low: int, high: int, *, required: bool = True,
                what: str = "") -> int | None:  # fmt: skip
        value = self.get(mapping, key, int, required=required, what=what)
        if value is None:
            return None
        if not low <= value <= high:
            self.add(mapping.line_of(key), f"`{key}` must be between {low} and {high}, not {value}")
            return None
        return value

    def get_choice(self, mapping: yamlpos.PosDict, key: str, choices: type[StrEnum], *,
                   required: bool = True) -> Any:  # fmt: skip
        value = self.get(mapping, key, str, required=required)
        if value is None:
            return None
        names = [c.value for c in choices]
        if value not in names:
            hint = difflib.get_close_matches(value, names, n=1)
            suggestion = f" (did you mean `{hint[0]}`?)" if hint else ""
            self.add(mapping.line_of(key), f"`{key}` must be one of {', '.join(names)}, not `{value}`{suggestion}")
            return None
        return choices(value)

    def refuse(self, mapping: yamlpos.PosDict, keys: Iterable[str], why: str) -> bool:
        """Report each of `keys` present in `mapping` as not allowed; True when none was."""
        clean = True
        for key in keys:
            if key in mapping:
                self.add(mapping.line_of(key), f"`{key}` is not allowed {why}")
                clean = False
        return clean
