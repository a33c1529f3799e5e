"""A broken toolkit is left out, and said so, by the web app and `swott worker` (issue 9, defect 5).

The folder holds the valid `mini` toolkit beside copies broken in the ways that used to raise out of the
loader: NUL in YAML, an alias bomb, a symlink loop, a lone surrogate in a title, deep nesting.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import escape

from tests.conftest import make_app
from tests.toolkits.hostile import hostile_root

SWOTT = str(Path(sys.executable).parent / "swott")
BROKEN = ("NUL byte in toolkit.yaml", "alias bomb (billion laughs)", "a symbolic link that loops",
          "lone surrogate in the toolkit title", "deep nesting")  # fmt: skip


@pytest.fixture
def toolkits_dir(tmp_path: Path) -> Path:
    return hostile_root(tmp_path / "toolkits", BROKEN)


def test_the_app_starts_without_the_broken_toolkits_and_says_so(
    tmp_path: Path, toolkits_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="lti_tool"):
        app = make_app(tmp_path, toolkits_dir=str(toolkits_dir))
    try:
        assert app.extensions["swott.catalogue"].ids() == ["mini"]
        warnings = [r.getMessage() for r in caplog.records if "left out of the catalogue" in r.getMessage()]
        assert sorted(w.split()[2] for w in warnings) == [f"bad-{i:02d}" for i in range(len(BROKEN))]
        # Names and counts only: no content (which could quote anything an author typed) in the log.
        assert not any("Test" in w or "\ud800" in w for w in warnings)

        health = app.test_client().get("/healthz")
        assert health.status_code == 200 and health.json is not None
        assert health.json["toolkits"] == 1
        assert sorted(health.json["toolkits_left_out"]) == [f"bad-{i:02d}" for i in range(len(BROKEN))]
        assert all(count >= 1 for count in health.json["toolkits_left_out"].values())

        from lti_tool.views.admin import admin_link

        with app.test_request_context():
            link = admin_link()
        page = app.test_client().get(link.replace("http://127.0.0.1:5000", ""))
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Toolkits left out of the catalogue" in text
        for problems in app.extensions["swott.catalogue"].left_out().values():
            assert str(escape(str(problems[0]))) in text
        assert "mini" in app.extensions["swott.catalogue"]
        assert app.test_client().get("/toolkits/mini").status_code == 200
    finally:
        app.extensions["swott.db"].dispose()


def test_the_worker_starts_without_the_broken_toolkits_and_says_so(tmp_path: Path, toolkits_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWOTT_")}
    env.update(SWOTT_TOOLKITS_DIR=str(toolkits_dir), SWOTT_DATABASE_URL=f"sqlite:///{tmp_path / 'w.sqlite3'}",
               SWOTT_SECRET_KEY="worker-secret-" + "w" * 40)  # fmt: skip
    upgrade = subprocess.run([SWOTT, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60,
                             check=False)  # fmt: skip
    assert upgrade.returncode == 0, upgrade.stderr
    result = subprocess.run([SWOTT, "worker", "--once"], env=env, capture_output=True, text=True, cwd=tmp_path,
                            timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Passback:" in result.stdout
    for index in range(len(BROKEN)):
        assert f"toolkit folder bad-{index:02d} left out of the catalogue" in result.stderr


def test_an_empty_toolkits_folder_is_said_in_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "empty").mkdir()
    with caplog.at_level(logging.WARNING, logger="lti_tool"):
        app = make_app(tmp_path, toolkits_dir=str(tmp_path / "empty"))
    try:
        assert any("no valid toolkit in" in r.getMessage() for r in caplog.records)
        health = app.test_client().get("/healthz").json
        assert health is not None and health["toolkits"] == 0 and health["toolkits_left_out"] == {}
    finally:
        app.extensions["swott.db"].dispose()
