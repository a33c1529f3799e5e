"""Hostile or broken toolkit files (issue 9, defect 5): each must become `path:line: sentence`, never raise.

Same shape as `faults.py`: copy the minimal fixture, break one thing, say which file, line and message
the author must see. The limits themselves are in `toolkits/limits.py` (documented in toolkits/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.toolkits.faults import Fault, Mutation, replace
from toolkits import limits


def replace_bytes(rel: str, old: bytes, new: bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        path.write_bytes(path.read_bytes().replace(old, new, 1))

    return mutate


def symlink(rel: str, target: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        if path.exists() or path.is_symlink():
            path.unlink()
        os.symlink(target, path)

    return mutate


def append(rel: str, text: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return mutate


def fifo(rel: str) -> Mutation:
    """A named pipe where a file should be: reading it would wait for ever."""

    def mutate(root: Path) -> None:
        (root / rel).unlink()
        os.mkfifo(root / rel)

    return mutate


def raw_name(rel_dir: str, name: bytes) -> Mutation:
    """A file whose name is not UTF-8 (it reaches Python with lone surrogates, PEP 383)."""

    def mutate(root: Path) -> None:
        with open(os.fsencode(root / rel_dir) + b"/" + name, "wb") as handle:
            handle.write(b"x")

    return mutate


def _alias_bomb(levels: int, width: int) -> str:
    """A "billion laughs" document: each level repeats the one before `width` times."""
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


INTRO = "l1/01-intro.md"
LONG_PAGE = "l1/" + "x" * 250 + ".md"
LONG_NAME = "l1/" + "n" * 150 + ".md"

HOSTILE: list[Fault] = [
    Fault("NUL byte in toolkit.yaml", replace("toolkit.yaml", "theme: Testing", "theme: Test\x00ing"),
          "toolkit.yaml", 3, "control character (U+0000)"),
    Fault("control character in a page", replace(INTRO, "Welcome.", "Wel\x07come."),
          INTRO, 5, "control character (U+0007)"),
    Fault("escaped NUL in a YAML string", replace("toolkit.yaml", "title: A minimal test toolkit",
                                                  'title: "A minimal\\0 toolkit"'),
          "toolkit.yaml", 2, "control character (U+0000)"),
    Fault("lone surrogate in the toolkit title", replace("toolkit.yaml", "title: A minimal test toolkit",
                                                         'title: "A minimal \\ud800 toolkit"'),
          "toolkit.yaml", 2, "lone surrogate (U+D800)"),
    Fault("lone surrogate in a page title", replace(INTRO, "title: Introduction", 'title: "Intro \\udfff"'),
          INTRO, 3, "lone surrogate (U+DFFF)"),
    Fault("deep nesting", append("toolkit.yaml", "deep: " + "[" * 200 + "]" * 200 + "\n"),
          "toolkit.yaml", 40, f"nested more than {limits.MAX_YAML_DEPTH} deep"),
    Fault("deep nesting in front matter",
          replace(INTRO, "kind: page", "kind: page\nx: " + "{a: " * 50 + "1" + "}" * 50),
          INTRO, 3, f"nested more than {limits.MAX_YAML_DEPTH} deep"),
    Fault("recursive alias", append("toolkit.yaml", "loop: &loop [*loop]\n"),
          "toolkit.yaml", 40, f"nested more than {limits.MAX_YAML_DEPTH} deep"),
    Fault("alias bomb (billion laughs)", append("toolkit.yaml", _alias_bomb(levels=5, width=10)),
          "toolkit.yaml", 40, f"more than {limits.MAX_YAML_NODES} values"),
    Fault("too many aliases", append("toolkit.yaml", _alias_bomb(levels=3, width=30)),
          "toolkit.yaml", 42, f"more than {limits.MAX_YAML_ALIASES} aliases"),
    Fault("a Python object tag", replace("toolkit.yaml", "theme: Testing", "theme: !!python/name:os.system ''"),
          "toolkit.yaml", 3, "not valid YAML: could not determine a constructor"),
    Fault("a second YAML document", append("toolkit.yaml", "---\nid: other\n"),
          "toolkit.yaml", 40, "not valid YAML: expected a single document in the stream, but found another document"),
    Fault("a key that is a list", append("toolkit.yaml", "? [a, b]\n: c\n"),
          "toolkit.yaml", 40, "a key must be plain text"),
    Fault("an integer of 5000 digits", replace("toolkit.yaml", "minutes: 60\n  pass_mark", "minutes: " + "9" * 5000
                                               + "\n  pass_mark"),
          "toolkit.yaml", 14, "the value cannot be read"),
    Fault("over-long page path", replace("toolkit.yaml", "- l1/03-thinking.md", f"- {LONG_PAGE}"),
          "toolkit.yaml", 19, f"at most {limits.MAX_PATH_CHARS} are allowed"),
    Fault("over-long file name", replace("toolkit.yaml", "- l1/03-thinking.md", f"- {LONG_NAME}"),
          "toolkit.yaml", 19, f"at most {limits.MAX_NAME_CHARS}"),
    Fault("page path outside the folder", replace("toolkit.yaml", "- l1/03-thinking.md", "- /etc/passwd.md"),
          "toolkit.yaml", 19, "must be a path inside the toolkit folder"),
    Fault("page path with backslashes", replace("toolkit.yaml", "- l1/03-thinking.md", "- 'l1\\03-thinking.md'"),
          "toolkit.yaml", 19, "with / between folders"),
    Fault("over-long link", replace(INTRO, "(02-check.md)", "(" + "a/" * 300 + "x.md)"),
          INTRO, 5, f"at most {limits.MAX_PATH_CHARS} are allowed"),
    Fault("over-long link file name", replace(INTRO, "diagram.svg", "d" * 150 + ".svg"),
          INTRO, 5, "cannot be used"),
    Fault("a page that is a symbolic link", symlink("l1/03-thinking.md", "/etc/hostname"),
          "l1/03-thinking.md", 1, "is a symbolic link"),
    Fault("a symbolic link that loops", symlink("l1/03-thinking.md", "03-thinking.md"),
          "l1/03-thinking.md", 1, "is a symbolic link"),
    Fault("a folder link that loops", symlink("assets/loop", ".."), "assets/loop", 1, "is a symbolic link"),
    Fault("toolkit.yaml is a symbolic link", symlink("toolkit.yaml", "/etc/hostname"),
          "toolkit.yaml", 1, "is a symbolic link"),
    Fault("a page that is a named pipe", fifo("l1/03-thinking.md"), "toolkit.yaml", 19, "is not an ordinary file"),
    Fault("toolkit.yaml is a named pipe", fifo("toolkit.yaml"), "toolkit.yaml", 1, "is not an ordinary file"),
    Fault("a file name that is not UTF-8", raw_name("l1", b"caf\xe9.md"), "l1/caf\ufffd.md", 1,
          "this name is not UTF-8 text"),
    Fault("a file name with a control character", raw_name("assets", b"a\x1bb.svg"), "assets/a\ufffdb.svg", 1,
          "this name is not UTF-8 text or holds a control character"),
    Fault("oversized page", append(INTRO, "\n" + "Long text. " * 60_000),
          INTRO, 1, f"at most {limits.MAX_TEXT_BYTES // 1024} KiB"),
    Fault("invalid UTF-8", replace_bytes(INTRO, b"Welcome.", b"Welc\xffome."),
          INTRO, 5, "not UTF-8 text"),
    Fault("invalid UTF-8 in toolkit.yaml", replace_bytes("toolkit.yaml", b"theme: Testing", b"theme: Test\xc3\x28ing"),
          "toolkit.yaml", 3, "not UTF-8 text"),
]  # fmt: skip


def hostile_root(dest: Path, names: tuple[str, ...] | None = None) -> Path:
    """A folder of toolkits: the valid `mini`, and one broken copy (`bad-NN`) per fault named (default: all)."""
    from tests.toolkits.faults import copy_mini

    dest.mkdir(parents=True, exist_ok=True)
    copy_mini(dest)
    chosen = [f for f in HOSTILE if names is None or f.name in names]
    for index, fault in enumerate(chosen):
        folder = copy_mini(dest, f"bad-{index:02d}")
        yaml_path = folder / "toolkit.yaml"
        yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("id: mini", f"id: bad-{index:02d}"),
                             encoding="utf-8")  # fmt: skip
        fault.mutate(folder)
    return dest
