"""The one-box time of day (L2 session start, L1 deadline, a programme's dates) reads what people type in
English and in Welsh (issue 13): a Welsh page's hint says "10yb", so "10yb", "10 y.b.", "2yh" and "2 y.h."
must be read as the English "10am" and "2pm" are, and a time the box cannot read is refused, not guessed."""

from __future__ import annotations

from datetime import time

import pytest

from lti_tool.dates import parse_time


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("10am", time(10, 0)),
        ("2:30pm", time(14, 30)),
        ("10 a.m.", time(10, 0)),
        ("14:30", time(14, 30)),
        ("9.15", time(9, 15)),
        ("midday", time(12, 0)),
        ("10yb", time(10, 0)),
        ("10 y.b.", time(10, 0)),
        ("10Y.B.", time(10, 0)),
        ("2yh", time(14, 0)),
        ("2 y.h.", time(14, 0)),
        ("2:30yh", time(14, 30)),
        ("12yb", time(0, 0)),
        ("12yh", time(12, 0)),
        ("canol dydd", time(12, 0)),
        ("hanner nos", time(0, 0)),
    ],
)
def test_english_and_welsh_times_are_read(typed: str, meant: time) -> None:
    assert parse_time(typed) == meant


@pytest.mark.parametrize("typed", ["13yh", "0yb", "25:00", "10:75", "10 yx", "deg y bore", "", "yb"])
def test_a_time_the_box_cannot_read_is_refused(typed: str) -> None:
    assert parse_time(typed) is None
