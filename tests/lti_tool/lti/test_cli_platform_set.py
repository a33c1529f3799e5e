"""`swott platform set ISSUER --regulator X --language cy`: a council's defaults for its learners."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from swott.cli import main
from tests.lti_tool.lti.conftest import cli_runner
from tests.lti_tool.lti.test_cli_and_admin import ADD

ISSUER = "https://moodle.council.example"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    runner = cli_runner(tmp_path, monkeypatch)
    assert runner.invoke(main, ADD).exit_code == 0
    return runner


def _stored(tmp_path: Path) -> tuple[str, str]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT default_regulator, default_language FROM platform")).one()
    engine.dispose()
    return row[0], row[1]


def test_a_new_platform_defaults_to_social_work_england_in_english(cli: CliRunner, tmp_path: Path) -> None:
    assert _stored(tmp_path) == ("swe", "en")


def test_platform_set_regulator_and_language(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(main, ["platform", "set", ISSUER, "--regulator", "SCW", "--language", "cy"])
    assert result.exit_code == 0, result.output
    assert f"Defaults for {ISSUER}: Social Care Wales, Cymraeg (Welsh)." in result.output
    assert _stored(tmp_path) == ("scw", "cy")
    only_regulator = cli.invoke(main, ["platform", "set", ISSUER, "--regulator", "niscc"])
    assert "Northern Ireland Social Care Council, Cymraeg (Welsh)." in only_regulator.output
    assert _stored(tmp_path) == ("niscc", "cy")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regulator", "hcpc"], "There is no regulator 'hcpc': choose one of swe, sssc, scw, niscc."),
        (["--regulator", "sssc", "--language", "fr"], "there is no interface language 'fr': choose one of en, cy"),
        ([], "say what to set: --regulator and/or --language"),
    ],
)
def test_a_bad_value_is_a_plain_message_and_changes_nothing(
    cli: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = cli.invoke(main, ["platform", "set", ISSUER, *args])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert _stored(tmp_path) == ("swe", "en")


def test_an_unknown_issuer_is_a_plain_message(cli: CliRunner) -> None:
    result = cli.invoke(main, ["platform", "set", "https://nowhere.example", "--regulator", "sssc"])
    assert result.exit_code == 1 and "Traceback" not in result.output
