"""Programme templates: the shipped ones load, and every rule is reported as path:line: sentence."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import shipped_catalogue
from tests.toolkits.faults import copy_mini
from toolkits.loader import Catalogue, default_root
from toolkits.model import GroupFormat
from toolkits.programmes import (
    MAX_FILE_BYTES,
    ActivityKind,
    Occurrence,
    ProgrammeInvalid,
    SessionType,
    Support,
    load_programme,
    programme_files,
    validate_many,
    validate_programme,
)
from toolkits.programmes import default_root as programmes_root

MINI = Path(__file__).parent / "fixtures" / "programmes" / "mini-programme.yaml"
SHIPPED = ["six-week-cohort", "ten-week-cohort"]
SHIPPED_TOOLKITS = {"making-safeguarding-personal", "participatory-practice", "social-ecological-assessment"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return shipped_catalogue()


def copy_programme(tmp_path: Path, source: Path = MINI) -> Path:
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    return target


def line_of(path: Path, marker: str) -> int:
    """The 1-based line where `marker` first appears: where the author must look."""
    text = path.read_text(encoding="utf-8")
    assert marker in text, marker
    return text[: text.index(marker)].count("\n") + 1


# -- the shipped templates --------------------------------------------------------------------------


def test_shipped_templates_validate_clean(catalogue: Catalogue) -> None:
    programmes, problems = validate_many(programme_files(programmes_root()), catalogue)
    assert [str(p) for p in problems] == []
    assert sorted(p.id for p in programmes) == SHIPPED


def test_ten_week_template_has_the_programme_shape(catalogue: Catalogue) -> None:
    programme = load_programme(programmes_root() / "ten-week-cohort.yaml", catalogue)
    assert len(programme.weeks) == 10 and programme.cohort_size == 12
    kinds = {a.kind for a in programme.activities}
    assert kinds == set(ActivityKind)
    sessions = {a.session for a in programme.activities if a.kind is ActivityKind.GROUP_SESSION}
    assert sessions == set(SessionType)
    assert {a.support for a in programme.activities if a.kind is ActivityKind.ONE_TO_ONE} == set(Support)
    assert set(programme.toolkit_ids) == SHIPPED_TOOLKITS
    als = programme.activity("action-learning-set")
    assert als is not None and als.is_series and len(als.occurrences) >= 3
    assert als.format is GroupFormat.ACTION_LEARNING_SET and als.peer_reflection
    assert all(o.minutes >= 60 for o in als.occurrences)
    protected = programme.activity("protected-time")
    assert protected is not None and not protected.required and not protected.reflection
    assert [o.week for o in protected.occurrences] == list(range(1, 11))
    # every L2 meets on or after its L1's deadline
    for toolkit_id in SHIPPED_TOOLKITS:
        l1 = next(a for a in programme.activities if a.toolkit == toolkit_id and a.kind is ActivityKind.TOOLKIT_L1)
        l2 = next(a for a in programme.activities if a.toolkit == toolkit_id and a.session is SessionType.TOOLKIT_L2)
        assert l1.deadline_offset is not None and l2.occurrences[0].offset_days >= l1.deadline_offset


def test_shipped_templates_name_no_council_or_person() -> None:
    for path in programme_files(programmes_root()):
        text = path.read_text(encoding="utf-8").lower()
        assert "dorset" not in text and "council:" not in text


def test_mini_programme_loads_with_dates_relative_to_the_start(catalogue: Catalogue) -> None:
    programme = load_programme(MINI, catalogue)
    l1 = programme.activity("l1")
    toolkit = catalogue.get("participatory-practice")
    assert l1 is not None and toolkit is not None
    assert l1.occurrences == (Occurrence(1, 1, toolkit.l1.minutes),)  # L1 minutes come from the toolkit
    assert l1.title == f"{toolkit.title} (L1)"
    start = date(2027, 3, 1)
    assert l1.due(start) == date(2027, 3, 7)
    l2 = programme.activity("l2")
    assert l2 is not None and l2.format is toolkit.l2.format and l2.occurrences[0].minutes == toolkit.l2.minutes
    assert l2.occurrences[0].on(start) == date(2027, 3, 8) and l2.line_item is False and l2.required
    workshop = programme.activity("workshop")
    assert workshop is not None and workshop.format is GroupFormat.SWOTT_DEFAULT
    assert workshop.occurrences[0].on(date(2030, 1, 1)) == date(2027, 3, 2)  # a fixed date stays fixed
    als = programme.activity("set")
    assert als is not None and [o.minutes for o in als.occurrences] == [60, 75, 60]
    assert als.reflective_model == "gibbs"
    assert [w.number for w in programme.weeks] == [1, 2, 3]
    assert [a.id for a in programme.weeks[2].activities] == ["set", "coaching"]
    discovery = programme.activity("discovery")
    assert discovery is not None and discovery.reflection and not discovery.peer_reflection


# -- every rule ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    old: str
    new: str
    marker: str  # the text on the line the problem must name
    message: str


RULES = [
    Rule("unknown toolkit", "toolkit: participatory-practice\n    week: 1",
         "toolkit: participatory-practise\n    week: 1",
         "participatory-practise", "unknown toolkit `participatory-practise` (did you mean `participatory-practice`?)"),
    Rule("week out of range", "    week: 2\n    day: 2", "    week: 4\n    day: 2", "week: 4",
         "week 4 is outside the programme (its weeks are numbered 1 to 3)"),
    Rule("series week out of range", "{week: 3, day: 3}", "{week: 0, day: 3}", "week: 0", "week 0 is outside"),
    Rule("unknown kind", "kind: discovery-day", "kind: away-day", "away-day", "`kind` must be one of"),
    Rule("malformed date", "date: 2027-03-02", "date: 02/03/2027", "02/03/2027", "written YYYY-MM-DD"),
    Rule("impossible date", "date: 2027-03-02", "date: 2027-02-30", "2027-02-30", "not a real day"),
    Rule("impossible date in flow", "date: 2027-03-18}", "date: 2027-13-18}", "2027-13-18", "not a real day"),
    Rule("date out of range", "date: 2027-03-02", "date: 1927-03-02", "1927", "not between 2000 and 2100"),
    Rule("fixed dates disagree", "date: 2027-03-18}", "date: 2027-03-25}", "- id: coaching",
         "puts the start on 2027-03-08, but the fixed date of `workshop` puts it on 2027-03-01"),
    Rule("duplicate id", "id: coaching", "id: set", "  - id: set\n    kind: one", "duplicate activity id `set`"),
    Rule("bad activity id", "id: coaching", "id: Coaching One", "Coaching One", "lower-case letters"),
    Rule("missing title", "    title: Discovery day\n", "", "- id: discovery", "`title` is missing"),
    Rule("missing kind", "    kind: discovery-day\n", "", "- id: discovery", "`kind` is missing"),
    Rule("missing week", "    week: 2\n    day: 2\n", "", "- id: discovery", "`week` is missing"),
    Rule("missing due_days", "    due_days: 6\n", "", "- id: l1", "`due_days` is missing"),
    Rule("missing support", "    support: coaching\n", "", "- id: coaching", "`support` is missing"),
    Rule("unknown support", "support: coaching", "support: counselling", "counselling", "`support` must be one of"),
    Rule("missing session", "    session: workshop\n", "", "- id: workshop", "`session` is missing"),
    Rule("unknown format", "session: workshop", "session: workshop\n    format: fishbowl", "fishbowl",
         "`format` must be one of swott-default, action-learning-set, bells-that-ring"),
    Rule("action learning set in another format", "session: action-learning-set",
         "session: action-learning-set\n    format: bells-that-ring", "bells-that-ring",
         "runs in the `action-learning-set` format"),
    Rule("session under 60 minutes", "    minutes: 90\n", "    minutes: 45\n", "minutes: 45",
         "`minutes` is 45, but each meeting of a group session must last at least 60 minutes"),
    Rule("series meeting under 60 minutes", "minutes: 75}", "minutes: 50}", "minutes: 50",
         "must last at least 60 minutes"),
    Rule("minutes missing", "    minutes: 300\n", "", "- id: discovery", "`minutes` is missing"),
    Rule("minutes not a number", "minutes: 300", "minutes: all day", "all day", "must be a whole number"),
    Rule("minutes too many", "minutes: 300", "minutes: 3000", "3000", "at most 480"),
    Rule("L1 minutes come from the toolkit", "    due_days: 6\n", "    due_days: 6\n    minutes: 60\n",
         "    minutes: 60\n  - id: l2", "`minutes` is not allowed"),
    Rule("day out of range", "    week: 2\n    day: 2", "    week: 2\n    day: 8", "day: 8", "between 1 and 7"),
    Rule("L1 due after the end", "due_days: 6", "due_days: 30", "due_days: 30", "after the programme's 3 weeks end"),
    Rule("L2 before its L1 is due", "due_days: 6", "due_days: 9", "- id: l2", "meets before the L1 `l1` is due"),
    Rule("series of one", "      - {week: 2, day: 5}\n", "", "series:\n      - {week: 1, day: 5}",
         "a series meets at least 2 times; this one lists 1"),
    Rule("series out of order", "{week: 2, day: 3, minutes: 75}", "{week: 1, day: 2, minutes: 75}",
         "{week: 1, day: 2, minutes: 75}", "must be in date order"),
    Rule("series beside week", "    minutes: 240\n    series:", "    minutes: 240\n    week: 1\n    series:",
         "    week: 1\n    series", "`week` is not allowed beside `series`"),
    Rule("discovery day as a series", "    week: 2\n    day: 2\n    minutes: 300",
         "    minutes: 300\n    series: [{week: 1}, {week: 2}]", "series: [",
         "`series` is not allowed for a discovery day"),
    Rule("required protected time", "    minutes: 240\n", "    minutes: 240\n    required: true\n", "required: true",
         "`required` must be false"),
    Rule("discovery day without reflection", "    minutes: 300\n", "    minutes: 300\n    reflection: false\n",
         "reflection: false", "always ends with a reflective record"),
    Rule("unknown reflective model", "support: coaching", "support: coaching\n    reflective_model: gibs", "gibs",
         "`reflective_model` must be one of gibbs, kolb, schon, driscoll, fook"),
    Rule("unknown key", "    minutes: 300\n", "    minutes: 300\n    requird: false\n", "requird",
         "unknown key `requird` (did you mean `required`?)"),
    Rule("duplicate key", "    minutes: 300\n", "    minutes: 300\n    minutes: 200\n", "minutes: 200",
         "the key `minutes` appears twice"),
    Rule("not true or false", "    minutes: 300\n", "    minutes: 300\n    line_item: maybe\n", "maybe",
         "`line_item` must be true or false"),
    Rule("id differs from file", "id: mini-programme", "id: other-programme", "other-programme",
         "but the file is `mini-programme.yaml`"),
    Rule("bad version", "version: 1.0.0", "version: one", "version: one", "must look like 1.0.0"),
    Rule("missing summary", "summary: Every activity kind once, over three weeks.\n", "", "id: mini-programme",
         "`summary` is missing"),
    Rule("cohort too big", "cohort_size: 6", "cohort_size: 60", "cohort_size", "between 2 and 30"),
    Rule("week without title", "  - title: Week two\n", "  - focus: Week two\n", "focus: Week two",
         "`title` is missing from week 2"),
    Rule("no weeks", "weeks:\n", "weeks: []\nold_weeks:\n", "weeks: []", "1 to 52 weeks"),
    Rule("a toolkit's L1 twice", "  - id: workshop\n",
         "  - id: again\n    kind: toolkit-l1\n    toolkit: participatory-practice\n    week: 1\n    due_days: 6\n"
         "  - id: workshop\n", "- id: again", "the L1 of `participatory-practice` is already in the programme (`l1`)"),
    Rule("bad YAML", "title: A minimal test programme", "title: [unclosed", "version: 1.0.0", "not valid YAML"),
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_is_reported_with_its_line(rule: Rule, tmp_path: Path, catalogue: Catalogue) -> None:
    path = copy_programme(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert rule.old in text, rule.old
    path.write_text(text.replace(rule.old, rule.new, 1), encoding="utf-8")
    problems = validate_programme(path, catalogue)
    rendered = [str(p) for p in problems]
    expected_line = line_of(path, rule.marker)
    assert any(rule.message in p.message and p.line == expected_line for p in problems), (expected_line, rendered)
    assert all(p.path.endswith("mini-programme.yaml") for p in problems)
    with pytest.raises(ProgrammeInvalid):
        load_programme(path, catalogue)


def test_no_required_activity(tmp_path: Path, catalogue: Catalogue) -> None:
    path = copy_programme(tmp_path)
    text = path.read_text(encoding="utf-8")
    for activity in ("l1", "l2", "workshop", "set", "coaching", "discovery"):
        text = text.replace(f"  - id: {activity}\n", f"  - id: {activity}\n    required: false\n", 1)
    path.write_text(text, encoding="utf-8")
    problems = validate_programme(path, catalogue)
    assert [p.message for p in problems] == ["no activity is required, so the programme could never be completed"]


def test_a_toolkit_with_problems_is_named_as_such(tmp_path: Path) -> None:
    toolkits = tmp_path / "toolkits"
    toolkits.mkdir()
    for name in ("participatory-practice",):
        shutil.copytree(default_root() / name, toolkits / name)
    broken = copy_mini(toolkits)
    (broken / "toolkit.yaml").write_text((broken / "toolkit.yaml").read_text().replace("theme: Testing\n", ""))
    path = copy_programme(tmp_path)
    path.write_text(
        path.read_text().replace("toolkit: participatory-practice\n    week: 1", "toolkit: mini\n    week: 1")
    )
    problems = validate_programme(path, Catalogue(toolkits))
    assert [(p.line, p.message) for p in problems] == [
        (line_of(path, "toolkit: mini"), "the toolkit `mini` has problems of its own: run `swott toolkit validate`")
    ]


# -- files that are refused before they are parsed ---------------------------------------------------


def test_symbolic_link_is_refused(tmp_path: Path, catalogue: Catalogue) -> None:
    link = tmp_path / "mini-programme.yaml"
    link.symlink_to(MINI)
    problems = validate_programme(link, catalogue)
    assert [(p.line, p.message) for p in problems] == [
        (1, "this is a symbolic link; programmes may not be links (copy the file instead)")
    ]


def test_huge_file_is_refused_unread(tmp_path: Path, catalogue: Catalogue) -> None:
    path = copy_programme(tmp_path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    problems = validate_programme(path, catalogue)
    assert len(problems) == 1 and "a programme may be at most 128 KiB" in problems[0].message


def test_named_pipe_is_refused_without_blocking(tmp_path: Path, catalogue: Catalogue) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    problems = validate_programme(pipe, catalogue)
    assert [p.message for p in problems] == ["this is not an ordinary file"]


def test_not_utf8_and_missing_file(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    assert [p.message for p in validate_programme(path, catalogue)] == ["the file is not UTF-8 text"]
    assert [p.message for p in validate_programme(tmp_path / "gone.yaml", catalogue)] == ["the file does not exist"]


def test_yml_name_and_a_list_at_top(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "mini-programme.yml"
    shutil.copyfile(MINI, path)
    messages = [p.message for p in validate_programme(path, catalogue)]
    assert "a programme file's name ends in .yaml, not .yml" in messages
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert [p.message for p in validate_programme(path, catalogue)] == [
        "a programme must be a set of `key: value` lines"
    ]


def test_package_data_ships_every_programme_file() -> None:
    """An installed wheel must hold the templates: each file matches a `package-data` pattern of toolkits."""
    import tomllib

    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["toolkits"]
    package = programmes_root().parent
    shipped = {path for pattern in patterns for path in package.glob(pattern)}  # as setuptools globs them
    files = sorted(programmes_root().iterdir())
    assert len(files) >= 3 and all(path in shipped for path in files), [p.name for p in files if p not in shipped]


# -- the programme's questionnaire (issue 12) ---------------------------------------------------------

QUESTIONNAIRE = """outcomes:
  - Give children a say.
  - Reflect with peers.
questionnaire:
  confidence:
    - I can give children a say.
    - I can reflect with peers.
  open_questions:
    - id: hopes
      text: What do you hope for?
      when: before
"""


def _with(tmp_path: Path, block: str) -> Path:
    path = copy_programme(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("weeks:\n", block + "weeks:\n", 1), encoding="utf-8")
    return path


def test_shipped_templates_ask_confidence_against_each_outcome(catalogue: Catalogue) -> None:
    for name in SHIPPED:
        programme = load_programme(programmes_root() / f"{name}.yaml", catalogue)
        assert programme.questionnaire is not None and programme.outcomes
        assert len(programme.questionnaire.confidence) == len(programme.outcomes)


def test_a_programme_questionnaire_loads(tmp_path: Path, catalogue: Catalogue) -> None:
    programme = load_programme(_with(tmp_path, QUESTIONNAIRE), catalogue)
    assert programme.outcomes == ("Give children a say.", "Reflect with peers.")
    assert programme.questionnaire is not None
    assert programme.questionnaire.confidence == ("I can give children a say.", "I can reflect with peers.")


def test_a_statement_short_of_the_outcomes_is_reported_at_its_line(tmp_path: Path, catalogue: Catalogue) -> None:
    path = _with(tmp_path, QUESTIONNAIRE.replace("    - I can reflect with peers.\n", ""))
    problems = validate_programme(path, catalogue)
    assert [(p.line, p.path.endswith("mini-programme.yaml")) for p in problems] == [
        (line_of(path, "  confidence:"), True)
    ]
    assert "1 statement(s) but the programme has 2 learning outcome(s)" in problems[0].message


def test_a_questionnaire_needs_outcomes_and_bad_questions_are_named(tmp_path: Path, catalogue: Catalogue) -> None:
    no_outcomes = QUESTIONNAIRE.split("questionnaire:", 1)[1]
    path = _with(tmp_path, "questionnaire:" + no_outcomes)
    problems = validate_programme(path, catalogue)
    assert [p.line for p in problems] == [line_of(path, "questionnaire:")]
    assert "`outcomes`" in problems[0].message
    path = _with(tmp_path, QUESTIONNAIRE.replace("when: before", "when: sometimes"))
    problems = validate_programme(path, catalogue)
    assert [p.line for p in problems] == [line_of(path, "when: sometimes")]
    assert "`when` must be before, after or both" in problems[0].message
