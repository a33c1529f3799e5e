"""Fault injection for toolkit folders: copy the minimal fixture toolkit, then break one thing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from toolkits.checking import Problem, ToolkitInvalid
from toolkits.loader import load_toolkit, validate_toolkit

MINI = Path(__file__).parent / "fixtures" / "mini"

Mutation = Callable[[Path], None]


def copy_mini(dest: Path, name: str = "mini") -> Path:
    target = dest / name
    shutil.copytree(MINI, target)
    return target


def mini_with(dest: Path, block: str) -> tuple[Path, int]:
    """The mini toolkit with `block` appended to toolkit.yaml, and the line the block starts on."""
    root = copy_mini(dest)
    yaml_path = root / "toolkit.yaml"
    text = yaml_path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    first = text.count("\n") + 1
    yaml_path.write_text(text + block, encoding="utf-8")
    return root, first


def first_problem(root: Path, message: str) -> Problem:
    """The first problem `validate_toolkit` reports for `root` whose sentence contains `message`."""
    problems = validate_toolkit(root)
    found = [p for p in problems if message in p.message]
    assert found, [str(p) for p in problems]
    return found[0]


def replace(rel: str, old: str, new: str, count: int = 1) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture {rel} no longer contains {old!r}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return mutate


def delete(rel: str) -> Mutation:
    return lambda root: (root / rel).unlink()


def add(rel: str, text: str) -> Mutation:
    def mutate(root: Path) -> None:
        (root / rel).write_text(text, encoding="utf-8")

    return mutate


@dataclass(frozen=True)
class Fault:
    """One injected fault and what the author must be told: which file, which line, what."""

    name: str
    mutate: Mutation
    file: str
    line: int
    message: str


def assert_reported(fault: Fault, dest: Path) -> tuple[list[Problem], ToolkitInvalid]:
    """Inject `fault` into a copy of the mini toolkit: validation names its file, line and sentence, and
    loading refuses the toolkit. Returns the problems and the loader's error."""
    root = copy_mini(dest)
    fault.mutate(root)
    problems = validate_toolkit(root)
    rendered = [str(p) for p in problems]
    matching = [p for p in problems if fault.message in p.message]
    assert matching, f"expected {fault.message!r} in {rendered}"
    assert any(p.path.endswith(f"mini/{fault.file}") and p.line == fault.line for p in matching), rendered
    with pytest.raises(ToolkitInvalid) as raised:
        load_toolkit(root)
    return problems, raised.value


FAULTS: list[Fault] = [
    Fault("bad YAML", replace("toolkit.yaml", "title: A minimal test toolkit", "title: [unclosed"),
          "toolkit.yaml", 3, "not valid YAML"),
    Fault("missing key", replace("toolkit.yaml", "theme: Testing\n", ""), "toolkit.yaml", 1, "`theme` is missing"),
    Fault("unknown key", replace("toolkit.yaml", "theme: Testing", "theme: Testing\ntittle: Oops"),
          "toolkit.yaml", 4, "unknown key `tittle`"),
    Fault("wrong type", replace("toolkit.yaml", "minutes: 60\n  pass_mark", "minutes: sixty\n  pass_mark"),
          "toolkit.yaml", 14, "`minutes` must be a whole number, not 'sixty'"),
    Fault("L1 too long", replace("toolkit.yaml", "minutes: 60\n  pass_mark", "minutes: 150\n  pass_mark"),
          "toolkit.yaml", 14, "`minutes` must be between 60 and 90, not 150"),
    Fault("missing file", delete("l1/03-thinking.md"), "toolkit.yaml", 19,
          "the file `l1/03-thinking.md` does not exist"),
    Fault("extra file", add("l1/notes.md", "---\nkind: page\ntitle: Notes\n---\nStray."),
          "l1/notes.md", 1, "not listed in toolkit.yaml"),
    Fault("duplicate question id", replace("l1/02-check.md", "id: q-two", "id: q-one"),
          "l1/02-check.md", 14, "duplicate question id `q-one`"),
    Fault("no correct answer", replace("l1/02-check.md", "        correct: true\n        feedback: Yes.\n",
                                       "        feedback: Yes.\n"),
          "l1/02-check.md", 8, "no correct answer"),
    Fault("single with two correct", replace("l1/02-check.md", "      - text: That one\n",
                                             "      - text: That one\n        correct: true\n"),
          "l1/02-check.md", 8, "exactly one correct option, this one has 2"),
    Fault("option without feedback", replace("l1/02-check.md", "        feedback: Not C.\n", ""),
          "l1/02-check.md", 21, "`feedback` is missing (every option needs feedback)"),
    Fault("agenda does not add up", replace("toolkit.yaml", "minutes: 40}", "minutes: 35}"),
          "toolkit.yaml", 25, "add up to 55 minutes, but `l2.minutes` says 60"),
    Fault("too few stages", replace("toolkit.yaml", ", l2/stage-3.md]", "]"), "toolkit.yaml", 30,
          "at least 3 stages, it has 2"),
    Fault("broken internal link", replace("l1/01-intro.md", "(02-check.md)", "(02-chek.md)"),
          "l1/01-intro.md", 5, "the link `02-chek.md` goes to no page of this toolkit"),
    Fault("missing asset", replace("l1/01-intro.md", "diagram.svg", "missing.svg"),
          "l1/01-intro.md", 5, "goes to a file that does not exist"),
    Fault("script tag", replace("l1/01-intro.md", "Welcome.", "<script>alert(1)</script>\n\nWelcome."),
          "l1/01-intro.md", 5, "<script> tag, not allowed"),
    Fault("event handler", replace("l1/01-intro.md", "Welcome.", 'Welcome <b onclick="steal()">now</b>.'),
          "l1/01-intro.md", 5, "event handler (on...=), not allowed"),
    Fault("javascript link", replace("l1/01-intro.md", "Welcome.", "Welcome [click](javascript:alert(1))."),
          "l1/01-intro.md", 5, "runs script, not allowed"),
    Fault("front matter never closed", replace("l2/stage-2.md", "---\nThe story", "The story"),
          "l2/stage-2.md", 1, "never closed"),
    Fault("wrong kind", replace("l2/stage-1.md", "kind: stage", "kind: stag"), "l2/stage-1.md", 2,
          "`kind` must be `stage` here, not `stag`"),
    Fault("duplicate YAML key", replace("toolkit.yaml", "theme: Testing", "theme: Testing\ntheme: Again"),
          "toolkit.yaml", 4, "the key `theme` appears twice"),
    Fault("unknown reflective model", replace("l1/reflection.md", "model: gibbs", "model: gibs"),
          "l1/reflection.md", 4, "`model` must be one of"),
    Fault("id does not match folder", replace("toolkit.yaml", "id: mini", "id: maxi"), "toolkit.yaml", 1,
          "but the folder is `mini`"),
    Fault("unknown standard", replace("toolkit.yaml", '"4.6"', '"4.9"'), "toolkit.yaml", 8,
          "`4.9` is not a Social Work England professional standard"),
    Fault("bad front matter YAML", replace("l1/03-thinking.md", "title: Thinking", "title: [Thinking"),
          "l1/03-thinking.md", 4, "not valid YAML"),
    Fault("link outside toolkit", replace("l1/01-intro.md", "(02-check.md)", "(../../secret.md)"),
          "l1/01-intro.md", 5, "points outside the toolkit"),
    Fault("L2 reflection without peer reflection",
          replace("l2/reflection.md", "peer_reflection: true", "peer_reflection: false"),
          "l2/reflection.md", 6, "set `peer_reflection: true`"),
]  # fmt: skip
