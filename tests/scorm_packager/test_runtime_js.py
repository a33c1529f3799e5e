"""The SCO runtime's pure functions, run in node: time formats, the compact state, finding the API.

The same file (`scorm_packager/runtime/sco.js`) is what packages ship; node loads it through its
`module.exports` branch, so these tests exercise the shipped code, not a copy.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scorm_packager.content import player_data
from scorm_packager.manifest import pass_mark
from toolkits.loader import Catalogue
from toolkits.model import Toolkit

SCO_JS = Path(__file__).resolve().parents[2] / "scorm_packager" / "runtime" / "sco.js"
NODE = shutil.which("node")


def run_js(body: str, **values: Any) -> Any:
    """Evaluate `body` (which must `return` a JSON-able value) with `sco` and the given values bound."""
    if NODE is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    params = ", ".join(values)
    script = (
        f"const sco = require({json.dumps(str(SCO_JS))});\n"
        f"const fn = ({params}) => {{ {body} }};\n"
        f"process.stdout.write(JSON.stringify(fn(...{json.dumps(list(values.values()))})));\n"
    )
    # On stdin, not `-e`: a large toolkit's data would pass the kernel's limit on argument length.
    result = subprocess.run([NODE, "-"], input=script, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


MS_CASES = [0, 10, 999, 1000, 30_500, 61_000, 3_600_000, 3_723_456, 36_000_000 * 3, 90_061_010]


def test_scorm12_time_format() -> None:
    got = run_js("return cases.map(sco.formatScorm12Time);", cases=MS_CASES)
    assert got == [
        "0000:00:00.00",
        "0000:00:00.01",
        "0000:00:01.00",
        "0000:00:01.00",
        "0000:00:30.50",
        "0000:01:01.00",
        "0001:00:00.00",
        "0001:02:03.46",
        "0030:00:00.00",
        "0025:01:01.01",
    ]
    assert run_js("return sco.formatScorm12Time(1e12);") == "9999:59:59.99"


def test_scorm2004_time_format() -> None:
    got = run_js("return cases.map(sco.formatScorm2004Time);", cases=MS_CASES)
    assert got == [
        "PT0S",
        "PT0.01S",
        "PT1S",
        "PT1S",
        "PT30.5S",
        "PT1M1S",
        "PT1H",
        "PT1H2M3.46S",
        "PT30H",
        "PT25H1M1.01S",
    ]


def test_cmi5_duration_format() -> None:
    got = run_js("return cases.map(sco.formatXapiDuration);", cases=MS_CASES[:6])
    assert got == ["PT0S", "PT0.01S", "PT1S", "PT1S", "PT30.5S", "PT1M1S"]
    assert run_js("return Object.keys(sco.TIME_FORMATS).sort();") == ["1.2", "2004", "cmi5"]


def _full_state_js() -> str:
    """JS building a state with every page visited, every option chosen, long notes and reflection."""
    return (
        "const state = sco.emptyState();"
        "data.pages.forEach(p => state.visited[p] = true);"
        "data.questions.forEach(q => state.answers[q.id] = q.options.slice());"
        "data.prompts.forEach(p => state.texts['note:' + p] = 'x'.repeat(3000));"
        "data.reflection.fields.forEach(f => state.texts['r:' + f.id] = 'y'.repeat(3000));"
        "state.reflectionSaved = true;"
    )


def test_state_round_trips(fixture_toolkit: Toolkit) -> None:
    data = player_data(fixture_toolkit, "2004", pass_mark(fixture_toolkit))
    got = run_js(
        "const state = sco.emptyState();"
        "state.visited['01-welcome'] = true; state.visited['04-check'] = true;"
        "state.answers['q-all'] = ['a', 'c']; state.reflectionSaved = true;"
        "state.texts['note:think-voice'] = 'a | pipe';"
        "const text = sco.encodeState(data, state);"
        "const back = sco.decodeState(data, text);"
        "return {text, back, bad: sco.decodeState(data, 'garbage')};",
        data=data,
    )
    assert got["text"].startswith("s1|")
    assert got["back"]["visited"] == {"01-welcome": True, "04-check": True}
    assert got["back"]["answers"] == {"q-all": ["a", "c"]}
    assert got["back"]["reflectionSaved"] is True
    assert "pipe" not in got["text"], "free text never goes into suspend_data"
    assert got["bad"]["answers"] == {} and got["bad"]["visited"] == {}


def _largest(catalogue: Catalogue) -> Toolkit:
    return max(
        catalogue, key=lambda t: (len(t.l1.questions), len(t.l1.pages), sum(len(q.options) for q in t.l1.questions))
    )


def test_scorm12_suspend_data_fits_with_every_answer_in_the_largest_toolkit() -> None:
    catalogue = Catalogue()
    assert len(catalogue) >= 2
    toolkit = _largest(catalogue)
    data = player_data(toolkit, "1.2", pass_mark(toolkit))
    got = run_js(
        _full_state_js() + "const text = sco.encodeState(data, state);"
        "const back = sco.decodeState(data, text);"
        "return {length: text.length, answers: Object.keys(back.answers).length,"
        " progress: sco.progress(data, back, data.passMark)};",
        data=data,
    )
    assert got["length"] <= 4096, f"{toolkit.id}: {got['length']} characters"
    assert got["answers"] == len(toolkit.l1.questions) > 0
    assert got["progress"]["completed"] is True


def test_progress_rules(fixture_toolkit: Toolkit) -> None:
    data = player_data(fixture_toolkit, "1.2", pass_mark(fixture_toolkit))
    got = run_js(
        "const s = sco.emptyState();"
        "const before = sco.progress(data, s, 50);"
        "data.contentPages.forEach(p => s.visited[p] = true);"
        "s.answers['q-space'] = ['b']; s.answers['q-all'] = ['a', 'b'];"
        "const half = sco.progress(data, s, 50);"
        "const strict = sco.progress(data, s, 70);"
        "s.reflectionSaved = true;"
        "const done = sco.progress(data, s, 70);"
        "return {before, half, strict, done};",
        data=data,
    )
    assert got["before"]["completed"] is False and got["before"]["score"] is None
    assert got["before"]["success"] is None
    assert got["half"]["score"] == 50 and got["half"]["success"] is True
    assert got["strict"]["success"] is False
    assert got["half"]["completed"] is False, "the reflection is part of completion"
    assert got["done"]["completed"] is True


def test_find_api_walks_parents_then_opener_and_survives_cross_origin() -> None:
    got = run_js(
        "const lms = {API: {name: 'lms-api'}}; lms.parent = lms;"
        "const scoWindow = {parent: {parent: lms}};"
        "const popup = {opener: {API: {name: 'opener-api'}}}; popup.parent = popup;"
        # A cross-origin frame throws on property access (SecurityError): keep going, find nothing.
        "const crossOrigin = {};"
        "Object.defineProperty(crossOrigin, 'API', {get() { throw new Error('SecurityError'); }});"
        "crossOrigin.parent = crossOrigin;"
        "const blocked = {parent: crossOrigin};"
        "let deep = {API: {name: 'too-deep'}}; deep.parent = deep;"
        "for (let i = 0; i < 30; i++) { deep = {parent: deep}; }"
        "const name = (api) => api && api.name;"
        "return {parents: name(sco.findApi(scoWindow, 'API')), opener: name(sco.findApi(popup, 'API')),"
        " blocked: sco.findApi(blocked, 'API'), capped: sco.findApi(deep, 'API')};"
    )
    assert got == {"parents": "lms-api", "opener": "opener-api", "blocked": None, "capped": None}


def test_cmi5_launch_parameters() -> None:
    actor = {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "u1"}}
    query = (
        "?endpoint=https%3A%2F%2Flms.example%2Fxapi&fetch=https%3A%2F%2Flms.example%2Ffetch%3Fs%3D1"
        f"&actor={json.dumps(actor).replace(' ', '')}&registration=r-1&activityId=https%3A%2F%2Fau"
    )
    got = run_js("return [sco.cmi5Params(q), sco.cmi5Params('?endpoint=x')];", q=query)
    assert got[0]["endpoint"] == "https://lms.example/xapi/"
    assert got[0]["fetch"] == "https://lms.example/fetch?s=1"
    assert got[0]["actor"] == actor
    assert got[0]["registration"] == "r-1"
    assert got[0]["activityId"] == "https://au"
    assert got[1] is None


def test_the_first_answer_counts_in_packages_too(fixture_toolkit: Toolkit) -> None:
    """Issue 11 in the SCO: a wrong then right answer scores below full marks (default `scoring: first`)."""
    data = player_data(fixture_toolkit, "1.2", pass_mark(fixture_toolkit))
    assert data["scoring"] == "latest"  # the fixture's browser flows retry until right
    data["scoring"] = "first"  # the default for every toolkit that does not say
    got = run_js(
        "const s = sco.emptyState();"
        "s.answers['q-space'] = ['a']; s.first['q-space'] = false; s.rightOnce['q-space'] = true;"
        "s.answers['q-all'] = ['a', 'b']; s.first['q-all'] = true; s.rightOnce['q-all'] = true;"
        "const first = sco.progress(data, s, 50).score;"
        "const latest = sco.progress(Object.assign({}, data, {scoring: 'latest'}), s, 50).score;"
        "const best = sco.progress(Object.assign({}, data, {scoring: 'best'}), s, 50).score;"
        "const back = sco.decodeState(data, sco.encodeState(data, s));"
        "const legacy = sco.decodeState(data, sco.encodeState(data, s).split('|').slice(0, 4).join('|'));"
        "return {first, latest, best, back: back.first, legacy: legacy.first,"
        " legacyScore: sco.progress(data, legacy, 50).score};",
        data=data,
    )
    assert (got["first"], got["latest"], got["best"]) == (50, 100, 100)
    assert got["back"] == {"q-space": False, "q-all": True}
    # State saved before this change has only the latest answers: they stand for the first.
    assert got["legacy"] == {"q-space": True, "q-all": True} and got["legacyScore"] == 100
