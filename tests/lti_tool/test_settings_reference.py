"""One settings source (issue 17 item 6): the README and the examples agree with `lti_tool.settings`."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from lti_tool.settings import PREFIX, Settings, load_settings, reference_rows

ROOT = Path(__file__).resolve().parents[2]


def _readme_rows() -> list[tuple[str, ...]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `SWOTT_")]
    return [tuple(cell.strip() for cell in row.strip("|").split(" | ")) for row in rows]


def test_readme_configuration_table_is_the_settings_source() -> None:
    assert _readme_rows() == reference_rows()


def test_every_setting_has_a_meaning_and_empty_defaults_say_what_empty_means() -> None:
    for f in fields(Settings):
        assert f.metadata["meaning"], f.name
        if f.default == "":
            assert f.metadata["when_empty"], f"{f.name}: say what an empty value means"


def test_the_production_example_names_only_real_settings() -> None:
    text = (ROOT / "config" / "production.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^(SWOTT_[A-Z_]+)=", text, flags=re.MULTILINE)
    known = {PREFIX + f.name.upper() for f in fields(Settings)}
    assert names and set(names) <= known


def test_no_defaults_file_outside_the_package_is_read() -> None:
    # An installed wheel has no config/ folder: a defaults file there would make a clone differ from it.
    assert not list((ROOT / "config").glob("*.toml"))
    assert load_settings({}) == Settings()
