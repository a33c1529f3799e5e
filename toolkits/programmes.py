"""Programme templates: a cohort's weeks of CPD as data (format: toolkits/programmes/README.md).

A programme is a YAML file under `toolkits/programmes/`. It names its weeks and a list of activities:
a toolkit's L1 (self-study with a deadline), a group session (a toolkit's L2, a workshop or an action
learning set, run with the L2 presets of `toolkits.model.GroupFormat`), a one-to-one (coaching or
mentoring), a discovery day (a self-assessment with a reflective record) and protected time. Dates are
relative to the programme start (week number and day of the week) unless an author fixes them.

Like toolkits, validation never stops at the first problem: every one is reported as `path:line:
sentence`, and loading a programme with any problem raises `ProgrammeInvalid` carrying them all. The
toolkits a programme names are checked against the loaded toolkit catalogue.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from toolkits import cpd, yamlpos
from toolkits.checking import show
from toolkits.loader import ID_PATTERN, VERSION_PATTERN, Catalogue, Problem
from toolkits.loader import default_root as toolkit_root
from toolkits.model import GroupFormat
from toolkits.programme_model import (
    COHORT_SIZE,
    DATE_PATTERN,
    DAYS_PER_WEEK,
    MAX_FILE_BYTES,
    MAX_WEEKS,
    MIN_SERIES,
    MINUTES,
    YEARS,
    Activity,
    ActivityKind,
    Occurrence,
    Programme,
    ProgrammeInvalid,
    SessionType,
    Support,
    Week,
)
from toolkits.programme_outcomes import outcomes_of, questionnaire_of
from toolkits.programme_reading import Checker, quote_dates, read_programme_file


def default_root() -> Path:
    """The programme templates: the `programmes/` folder of the toolkit root (never a toolkit itself)."""
    return toolkit_root() / "programmes"


def programme_files(root: Path) -> list[Path]:
    """The programme files in `root`: every `*.yaml` there (links too, so they are reported), sorted."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.name.endswith((".yaml", ".yml")))


__all__ = [
    "MAX_FILE_BYTES",
    "Activity",
    "ActivityKind",
    "Occurrence",
    "Programme",
    "ProgrammeInvalid",
    "SessionType",
    "Support",
    "Week",
    "default_root",
    "load_programme",
    "programme_files",
    "validate_many",
    "validate_programme",
]


# -- building a programme ---------------------------------------------------------------------------

PROGRAMME_KEYS = ("id", "title", "version", "summary", "cohort_size", "outcomes", "questionnaire", "weeks",
                  "activities")  # fmt: skip
WEEK_KEYS = ("title", "focus")
WHEN_KEYS = ("week", "day", "date")
ACTIVITY_KEYS = (
    "id", "kind", "title", "summary", "toolkit", "session", "format", "support", "week", "day", "date",
    "minutes", "series", "due_days", "required", "reflection", "reflective_model", "line_item",
)  # fmt: skip
# The kinds and session types that may meet several times (`series:`).
SERIES_KINDS = (ActivityKind.GROUP_SESSION, ActivityKind.ONE_TO_ONE, ActivityKind.PROTECTED_TIME)


def _fixed_date(c: Checker, mapping: yamlpos.PosDict) -> tuple[bool, date | None]:
    """(ok, the fixed date or None). A date is YYYY-MM-DD, a real day, between 2000 and 2100."""
    if "date" not in mapping or mapping["date"] is None:
        return True, None
    raw = mapping["date"]
    line = mapping.line_of("date")
    if isinstance(raw, date):
        value = raw
    else:
        text = str(raw).strip()
        if not DATE_PATTERN.match(text):
            c.add(line, f"`date` must be a date written YYYY-MM-DD (such as 2027-03-04), not {show(raw)}")
            return False, None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            c.add(line, f"`date` {text} is not a real day of the calendar")
            return False, None
    if not YEARS[0] <= value.year <= YEARS[1]:
        c.add(line, f"`date` {value.isoformat()} is not between {YEARS[0]} and {YEARS[1]}")
        return False, None
    return True, value


def _when(c: Checker, mapping: yamlpos.PosDict, weeks: int | None, minutes: int | None,
          bounds: tuple[int, int] | None, what: str) -> Occurrence | None:  # fmt: skip
    """One occurrence from `week`, `day` (default 1), `date` and, in a series, its own `minutes`."""
    week = c.get(mapping, "week", int, what=what)
    if week is not None and (week < 1 or (weeks is not None and week > weeks)):
        last = f"1 to {weeks}" if weeks is not None else "from 1"
        c.add(mapping.line_of("week"), f"week {week} is outside the programme (its weeks are numbered {last})")
        week = None
    day = c.get_int(mapping, "day", 1, DAYS_PER_WEEK, required=False)
    if "day" in mapping and day is None:
        return None
    ok, fixed = _fixed_date(c, mapping)
    if week is None or not ok or minutes is None:
        return None
    if bounds is not None and not bounds[0] <= minutes <= bounds[1]:
        return None
    return Occurrence(week, day or 1, minutes, fixed)


def _minutes(c: Checker, mapping: yamlpos.PosDict, kind: ActivityKind, *, required: bool,
             default: int | None = None) -> int | None:  # fmt: skip
    low, high = MINUTES[kind.value]
    value = c.get(mapping, "minutes", int, required=required and default is None)
    if value is None:
        return default
    if value < low:
        noun = "each meeting of a group session" if kind is ActivityKind.GROUP_SESSION else f"a {kind.value}"
        c.add(mapping.line_of("minutes"), f"`minutes` is {value}, but {noun} must last at least {low} minutes")
        return None
    if value > high:
        c.add(mapping.line_of("minutes"), f"`minutes` must be at most {high} for a {kind.value}, not {value}")
        return None
    return value


def _toolkit(c: Checker, item: yamlpos.PosDict, *, required: bool) -> tuple[bool, str | None]:
    """(ok, toolkit id): the id must name a valid toolkit of the loaded catalogue."""
    tid = c.get(item, "toolkit", str, required=required, what=" (which toolkit?)")
    if tid is None:
        return not required and "toolkit" not in item, None
    if tid in c.catalogue:
        return True, tid
    line = item.line_of("toolkit")
    if tid in {f.name for f in c.catalogue.invalid_folders}:
        c.add(line, f"the toolkit `{tid}` has problems of its own: run `swott toolkit validate`")
    else:
        hint = difflib.get_close_matches(tid, c.catalogue.ids(), n=1)
        suggestion = f" (did you mean `{hint[0]}`?)" if hint else f" (the toolkits are {', '.join(c.catalogue.ids())})"
        c.add(line, f"unknown toolkit `{tid}`{suggestion}")
    return False, None


def _activity(c: Checker, item: yamlpos.PosDict, weeks: int | None) -> Activity | None:
    """One activity: the keys its kind needs or refuses, its defaults, then when it happens."""
    c.unknown_keys(item, ACTIVITY_KEYS)
    aid = c.get(item, "id", str, what=" from this activity")
    if aid is not None and not ID_PATTERN.match(aid):
        c.add(item.line_of("id"), f"`id` must use lower-case letters, digits and hyphens, not {aid!r}")
        aid = None
    kind: ActivityKind | None = c.get_choice(item, "kind", ActivityKind)
    if kind is None:
        return None
    ok = True
    session: SessionType | None = None
    fmt: GroupFormat | None = None
    support: Support | None = None
    toolkit_id: str | None = None
    due_days: int | None = None
    default_minutes: int | None = None
    title = c.get(item, "title", str, required=kind not in (ActivityKind.TOOLKIT_L1,), what=f" from this {kind.value}")

    if kind is ActivityKind.TOOLKIT_L1:
        ok = c.refuse(
            item,
            ("session", "format", "support", "series", "minutes", "reflective_model"),
            "for a toolkit L1 (the toolkit says how long it takes and how learners reflect)",
        )
        toolkit_ok, toolkit_id = _toolkit(c, item, required=True)
        ok = ok and toolkit_ok
        due_days = c.get_int(item, "due_days", 1, MAX_WEEKS * DAYS_PER_WEEK, what=" (days to finish the L1)")
        ok = ok and due_days is not None
        found = c.catalogue.get(toolkit_id) if toolkit_id else None
        default_minutes = found.l1.minutes if found else None
        if title is None and found is not None:
            title = f"{found.title} (L1)"
    elif kind is ActivityKind.GROUP_SESSION:
        ok = c.refuse(item, ("support", "due_days"), "for a group session")
        session = c.get_choice(item, "session", SessionType)
        fmt = c.get_choice(item, "format", GroupFormat, required=False)
        if "format" in item and fmt is None:
            ok = False
        if session is SessionType.TOOLKIT_L2:
            toolkit_ok, toolkit_id = _toolkit(c, item, required=True)
            single = c.refuse(
                item,
                ("series", "reflective_model"),
                "for a toolkit's L2 (it meets once, and the toolkit has its own reflection)",
            )
            ok = ok and toolkit_ok and single
            found = c.catalogue.get(toolkit_id) if toolkit_id else None
            default_minutes = found.l2.minutes if found else None
            fmt = fmt or (found.l2.format if found else None)
        elif session is SessionType.ACTION_LEARNING_SET:
            if fmt is not None and fmt is not GroupFormat.ACTION_LEARNING_SET:
                c.add(item.line_of("format"), "an action learning set runs in the `action-learning-set` format")
                ok = False
            fmt = GroupFormat.ACTION_LEARNING_SET
            toolkit_ok, toolkit_id = _toolkit(c, item, required=False)
            ok = ok and toolkit_ok
        elif session is SessionType.WORKSHOP:
            toolkit_ok, toolkit_id = _toolkit(c, item, required=False)
            ok = ok and toolkit_ok
            fmt = fmt or GroupFormat.SWOTT_DEFAULT
        else:
            ok = False
    elif kind is ActivityKind.ONE_TO_ONE:
        ok = c.refuse(item, ("session", "format", "toolkit", "due_days"), "for a one-to-one")
        support = c.get_choice(item, "support", Support)
        ok = ok and support is not None
    else:  # discovery day, protected time
        ok = c.refuse(item, ("session", "format", "support", "toolkit", "due_days"), f"for a {kind.value}")
        if kind is ActivityKind.DISCOVERY_DAY:
            ok = c.refuse(item, ("series",), "for a discovery day (it happens once)") and ok

    required = c.get(item, "required", bool, required=False)
    reflection = c.get(item, "reflection", bool, required=False)
    line_item = c.get(item, "line_item", bool, required=False)
    for key, value in (("required", required), ("reflection", reflection), ("line_item", line_item)):
        ok = ok and (key not in item or value is not None)
    if kind is ActivityKind.PROTECTED_TIME:
        for key in ("required", "reflection", "line_item"):
            if item.get(key) is True:
                c.add(item.line_of(key), f"protected time is time set aside, not something to complete: "
                      f"`{key}` must be false")  # fmt: skip
                ok = False
        required = reflection = line_item = False
    if kind is ActivityKind.DISCOVERY_DAY and reflection is False:
        c.add(item.line_of("reflection"), "a discovery day always ends with a reflective record")
        ok = False
    reflection = True if reflection is None else reflection
    model = c.get(item, "reflective_model", str, required=False)
    if model is not None and model not in cpd.REFLECTIVE_MODELS:
        c.add(item.line_of("reflective_model"), f"`reflective_model` must be one of "
              f"{', '.join(cpd.REFLECTIVE_MODELS)}, not `{model}`")  # fmt: skip
        ok = False
    if model is not None and not reflection:
        c.add(item.line_of("reflective_model"), "`reflective_model` needs `reflection: true`")
        ok = False
    toolkit_based = kind is ActivityKind.TOOLKIT_L1 or session is SessionType.TOOLKIT_L2
    if reflection and not toolkit_based:
        model = model or "gibbs"

    minutes = _minutes(c, item, kind, required=True, default=default_minutes) if kind is not ActivityKind.TOOLKIT_L1 \
        else default_minutes  # fmt: skip
    bounds = MINUTES.get(kind.value) if kind is not ActivityKind.TOOLKIT_L1 else None
    occurrences = _occurrences(c, item, kind, weeks, minutes, bounds)
    if occurrences is None or aid is None or title is None or not ok or minutes is None:
        return None
    if due_days is not None and weeks is not None:
        deadline = occurrences[0].offset_days + due_days
        if deadline >= weeks * DAYS_PER_WEEK:
            c.add(item.line_of("due_days"), f"the L1 is due {due_days} days after it opens, after the "
                  f"programme's {weeks} weeks end")  # fmt: skip
            return None
    return Activity(aid, kind, title, occurrences, True if required is None else required, reflection,
                    bool(line_item), toolkit_id, session, fmt, support, due_days, model,
                    str(item.get("summary") or "").strip(), item.line)  # fmt: skip


def _occurrences(c: Checker, item: yamlpos.PosDict, kind: ActivityKind, weeks: int | None,
                 minutes: int | None, bounds: tuple[int, int] | None) -> tuple[Occurrence, ...] | None:  # fmt: skip
    if "series" not in item:
        when = _when(c, item, weeks, minutes, bounds, f" (when is this {kind.value}?)")
        return (when,) if when is not None else None
    c.refuse(item, WHEN_KEYS, "beside `series` (give each meeting its own week and day)")
    if kind not in SERIES_KINDS:
        return None
    series = c.get(item, "series", yamlpos.PosList)
    if series is None:
        return None
    if len(series) < MIN_SERIES:
        c.add(item.line_of("series"), f"a series meets at least {MIN_SERIES} times; this one lists {len(series)}")
        return None
    found: list[Occurrence] = []
    ok = not any(k in item for k in WHEN_KEYS)
    for entry, line in zip(series, series.item_lines, strict=True):
        if not isinstance(entry, yamlpos.PosDict):
            c.add(line, "each meeting of a series needs `week` (and `day`, `date`, `minutes` if wanted)")
            ok = False
            continue
        c.unknown_keys(entry, (*WHEN_KEYS, "minutes"))
        own = _minutes(c, entry, kind, required=False, default=minutes) if "minutes" in entry else minutes
        when = _when(c, entry, weeks, own, bounds, " from this meeting")
        if when is None:
            ok = False
            continue
        if found and when.offset_days <= found[-1].offset_days:
            last = found[-1]
            c.add(line, f"the meetings of a series must be in date order, each on a later day (week "
                  f"{when.week} day {when.day} is not after week {last.week} day {last.day})")  # fmt: skip
            ok = False
        found.append(when)
    return tuple(found) if ok else None


def _weeks(c: Checker, data: yamlpos.PosDict) -> list[tuple[str, str]] | None:
    items = c.get(data, "weeks", yamlpos.PosList)
    if items is None:
        return None
    if not 1 <= len(items) <= MAX_WEEKS:
        c.add(data.line_of("weeks"), f"a programme has 1 to {MAX_WEEKS} weeks; this one lists {len(items)}")
        return None
    weeks: list[tuple[str, str]] = []
    for number, (item, line) in enumerate(zip(items, items.item_lines, strict=True), start=1):
        if not isinstance(item, yamlpos.PosDict):
            c.add(line, f"week {number} needs a `title` (and, if wanted, a `focus`)")
            continue
        c.unknown_keys(item, WEEK_KEYS)
        title = c.get(item, "title", str, what=f" from week {number}")
        focus = c.get(item, "focus", str, required=False)
        if title is not None:
            weeks.append((title.strip(), (focus or "").strip()))
    return weeks if len(weeks) == len(items) else None


def _cross_checks(c: Checker, activities: list[Activity]) -> None:
    """Rules between activities: unique ids, L2 after its L1 is due, fixed dates that agree."""
    seen: dict[str, int] = {}
    for activity in activities:
        if activity.id in seen:
            c.add(activity.line, f"duplicate activity id `{activity.id}` (first used on line {seen[activity.id]})")
        else:
            seen[activity.id] = activity.line
    # A learner has one L1 attempt and one L2 reflection per toolkit in a course, so each appears once.
    parts: dict[tuple[str, str], Activity] = {}
    for activity in activities:
        part = (
            "L1"
            if activity.kind is ActivityKind.TOOLKIT_L1
            else "L2"
            if activity.session is SessionType.TOOLKIT_L2
            else ""
        )
        if part and activity.toolkit:
            first = parts.setdefault((activity.toolkit, part), activity)
            if first is not activity:
                c.add(activity.line, f"the {part} of `{activity.toolkit}` is already in the programme (`{first.id}`)")
    due = {a.toolkit: a for a in activities if a.kind is ActivityKind.TOOLKIT_L1 and a.deadline_offset is not None}
    for activity in activities:
        l1 = due.get(activity.toolkit) if activity.session is SessionType.TOOLKIT_L2 else None
        if (
            l1 is not None
            and l1.deadline_offset is not None
            and activity.occurrences[0].offset_days < l1.deadline_offset
        ):
            c.add(activity.line, f"the L2 session `{activity.id}` meets before the L1 `{l1.id}` is due: "
                  "participants need the L1 first")  # fmt: skip
    # Every fixed date implies a start date (the date minus its offset); they must all imply the same one,
    # or the relative and fixed dates of the template disagree.
    starts: list[tuple[date, Activity, Occurrence]] = []
    for activity in activities:
        for occurrence in activity.occurrences:
            if occurrence.fixed_date is not None:
                starts.append((occurrence.fixed_date - timedelta(days=occurrence.offset_days), activity, occurrence))
    for start, activity, occurrence in starts[1:]:
        first_start, first, _ = starts[0]
        if start != first_start:
            assert occurrence.fixed_date is not None
            c.add(activity.line, f"the fixed date {occurrence.fixed_date.isoformat()} of `{activity.id}` (week "
                  f"{occurrence.week} day {occurrence.day}) puts the start on {start.isoformat()}, but the fixed "
                  f"date of `{first.id}` puts it on {first_start.isoformat()}")  # fmt: skip


def _programme(c: Checker, path: Path) -> Programme | None:
    text, refused = read_programme_file(path)
    if text is None:
        c.add(1, refused or "the file cannot be read")
        return None
    try:
        data = yamlpos.parse(quote_dates(text))
    except yamlpos.YamlError as error:
        c.add(error.line, error.message)
        return None
    except (ValueError, TypeError, OverflowError) as error:  # a value PyYAML cannot build (a huge integer)
        c.add(1, f"a value cannot be read ({error})")
        return None
    if not isinstance(data, yamlpos.PosDict):
        c.add(1, "a programme must be a set of `key: value` lines")
        return None
    c.unknown_keys(data, PROGRAMME_KEYS)
    pid = c.get(data, "id", str)
    stem = path.name.rsplit(".", 1)[0]
    if pid is not None:
        if not ID_PATTERN.match(pid):
            c.add(data.line_of("id"), f"`id` must use lower-case letters, digits and hyphens, not {pid!r}")
        elif pid != stem:
            c.add(data.line_of("id"), f"`id` is `{pid}` but the file is `{path.name}`: make them the same")
    if path.name.endswith(".yml"):
        c.add(1, "a programme file's name ends in .yaml, not .yml")
    title = c.get(data, "title", str)
    version = c.get(data, "version", str)
    if version is not None and not VERSION_PATTERN.match(version):
        c.add(data.line_of("version"), f"`version` must look like 1.0.0, not {version!r}")
    summary = c.get(data, "summary", str)
    cohort = c.get_int(data, "cohort_size", *COHORT_SIZE, required=False)
    outcomes = outcomes_of(c, data)
    questionnaire = questionnaire_of(c, data, outcomes, path)
    weeks = _weeks(c, data)
    week_count = len(weeks) if weeks is not None else None
    items = c.get(data, "activities", yamlpos.PosList)
    activities: list[Activity] = []
    if items is not None:
        if not items:
            c.add(data.line_of("activities"), "a programme needs at least one activity")
        for item, line in zip(items, items.item_lines, strict=True):
            if not isinstance(item, yamlpos.PosDict):
                c.add(line, "each activity needs at least `id`, `kind`, `title` and `week`")
                continue
            activity = _activity(c, item, week_count)
            if activity is not None:
                activities.append(activity)
    _cross_checks(c, activities)
    if activities and not any(a.required for a in activities) and not c.problems:
        c.add(data.line_of("activities"), "no activity is required, so the programme could never be completed")
    if c.problems:
        return None
    assert pid and title and version and summary and weeks is not None and items is not None
    week_objects = tuple(
        Week(n, t, f, tuple(a for a in activities if any(o.week == n for o in a.occurrences)))
        for n, (t, f) in enumerate(weeks, start=1)
    )
    return Programme(pid, title, version, summary.strip(), cohort, week_objects, tuple(activities), str(path),
                     outcomes or (), questionnaire)  # fmt: skip


def _display(path: Path) -> str:
    try:
        # Not resolved: a symbolic link is reported under its own name, not its target's.
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _check(path: Path, catalogue: Catalogue) -> tuple[Programme | None, list[Problem]]:
    checker = Checker(_display(path), catalogue)
    try:
        programme = _programme(checker, path)
    except (OSError, RecursionError) as error:  # the file system refused mid-read: report, never raise
        checker.add(1, f"the programme could not be read ({type(error).__name__})")
        programme = None
    return programme, sorted(set(checker.problems))


def validate_programme(path: str | Path, catalogue: Catalogue | None = None) -> list[Problem]:
    """Every problem in the programme file at `path` (an empty list when it is valid)."""
    return _check(Path(path), catalogue or Catalogue())[1]


def load_programme(path: str | Path, catalogue: Catalogue | None = None) -> Programme:
    """Load the programme at `path`; raise `ProgrammeInvalid` with every problem if it has any."""
    programme, problems = _check(Path(path), catalogue or Catalogue())
    if problems or programme is None:
        raise ProgrammeInvalid(problems)
    return programme


def validate_many(paths: Iterable[Path], catalogue: Catalogue | None = None) -> tuple[list[Programme], list[Problem]]:
    """Validate several programme files, also reporting two files that claim the same id."""
    catalogue = catalogue or Catalogue()
    programmes: list[Programme] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        programme, found = _check(path, catalogue)
        problems.extend(found)
        if programme is None:
            continue
        if programme.id in seen:
            problems.append(Problem(_display(path), 1, f"duplicate programme id `{programme.id}` "
                                    f"(also used by {seen[programme.id]})"))  # fmt: skip
            continue
        seen[programme.id] = _display(path)
        programmes.append(programme)
    return programmes, problems
