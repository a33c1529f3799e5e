"""An installed wheel starts like a clone (issue 17 item 6): same settings defaults, same toolkits.

Really builds the wheel (`pip wheel --no-deps`) from a copy of the source, installs it into a fresh
virtual environment outside the clone, and runs it there. The dependencies are not downloaded again:
a `.pth` file lends the fresh environment the clone's site-packages (a directory named by a `.pth`
file has its own `.pth` files ignored, so the clone's editable install cannot leak in).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import asdict
from pathlib import Path

import pytest

from lti_tool.settings import load_settings
from toolkits.loader import Catalogue

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import dataclasses, json, sys
import lti_tool, toolkits
from lti_tool import create_app
from lti_tool.settings import load_settings
app = create_app({"database_url": "sqlite:///" + sys.argv[1]})
print(json.dumps({
    "lti_tool": lti_tool.__file__,
    "toolkits": toolkits.__file__,
    "settings": dataclasses.asdict(load_settings()),
    "catalogue": app.extensions["swott.catalogue"].ids(),
}))
"""


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_an_installed_wheel_starts_with_the_same_defaults_as_the_clone(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWOTT_") and k != "PYTHONPATH"}
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "build", "dist",
                                                                "*.egg-info", "__pycache__", "instance"))  # fmt: skip
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, source, cwd=tmp_path, env=env)
    (wheel,) = wheels.glob("swott_connect-*.whl")

    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel,
         cwd=tmp_path, env=env)  # fmt: skip
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path,
                     env=env).strip())  # fmt: skip
    (site / "clone-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    installed = json.loads(_run(python, "-c", PROBE, tmp_path / "w.sqlite3", cwd=elsewhere, env=env))
    assert Path(installed["lti_tool"]).is_relative_to(fresh) and Path(installed["toolkits"]).is_relative_to(fresh)
    assert installed["settings"] == asdict(load_settings(env))
    assert installed["catalogue"] == Catalogue().ids() and len(installed["catalogue"]) >= 2

    listed = _run(fresh / "bin" / "swott", "toolkit", "list", cwd=elsewhere, env=env)
    assert all(toolkit_id in listed for toolkit_id in installed["catalogue"])
