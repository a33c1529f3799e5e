"""The GOV.UK Frontend foundation (issue 10 item 1): pinned assets, the council layout, forms and one CSRF.

Real HTTP through Flask's test client against an app on SQLite; the assets are the committed files the
wheel ships. The browser half (fonts, brand colour, axe) is in browser/test_frontend_browser.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask.typing import ResponseReturnValue
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange

from lti_tool.forms import SwottForm

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "lti_tool" / "static" / "govuk"
# govuk-frontend-jinja 4.1.0's README: "4.1.0 ... GOV.UK Frontend 6.3.0" (docs/frontend.md).
JINJA_TARGET = "6.3.0"


def test_the_pinned_npm_version_is_the_one_the_jinja_macros_were_ported_from() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert package["devDependencies"]["govuk-frontend"] == JINJA_TARGET  # exact, no ^ or ~
    assert lock["packages"]["node_modules/govuk-frontend"]["version"] == JINJA_TARGET
    assert (STATIC / "VERSION").read_text(encoding="utf-8").strip() == JINJA_TARGET


def test_the_committed_assets_are_what_the_build_script_makes_from_the_pinned_package() -> None:
    if not (ROOT / "node_modules" / "govuk-frontend").is_dir():
        pytest.skip("node_modules/govuk-frontend is missing: run `npm ci`")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_govuk_assets.py"), "--check"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compiled_css_names_no_gds_transport_and_no_font_file() -> None:
    css = (STATIC / "govuk-frontend.min.css").read_text(encoding="utf-8")
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert not re.search(r"\.woff2?\b", css)
    assert "system-ui" in css


def test_every_page_has_the_council_layout(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert 'class="govuk-skip-link"' in html and 'href="#main-content"' in html
    assert 'id="main-content"' in html
    assert ">SWOTT Connect</a>" in html
    assert "/static/govuk/govuk-frontend.min.css" in html
    assert 'href="/accessibility">Accessibility statement</a>' in html
    assert "frame.js" in html
    # No crown: no GOV.UK logotype SVG, no crown favicons, no crest.
    for crown in ("govuk-logo", "govuk-icon", "favicon.ico", "govuk-crest", "GOV.UK"):
        assert crown not in html
    for asset in ("/static/govuk/govuk-frontend.min.css", "/static/govuk/govuk-frontend.min.js",
                  "/static/govuk-init.js"):  # fmt: skip
        with client.get(asset) as response:
            assert response.status_code == 200, asset


class _Hours(SwottForm):
    title = StringField("Title", widget=GovTextInput(), validators=[InputRequired("Enter a title")])
    hours = IntegerField("Hours", widget=GovTextInput(), validators=[InputRequired("Enter the hours, as a number"),
                                              NumberRange(min=1, max=40, message="Hours must be 1 to 40")])  # fmt: skip


PAGE = """{% extends "base.html" %}{% from "_forms.html" import error_summary, error_title %}
{% block title %}{{ error_title(form, "Add hours") }}{% endblock %}
{% block content %}{{ error_summary(form) }}<h1 class="govuk-heading-l">Add hours</h1>
<form method="post" novalidate>{{ csrf_input() }}
{{ form.title(params={"label": {"text": "Title"}}) }}
{{ form.hours(params={"label": {"text": "Hours"}, "classes": "govuk-input--width-3"}) }}
<button class="govuk-button">Save</button></form>{% endblock %}"""


@pytest.fixture
def form_app(app: Flask) -> Flask:
    @app.route("/_test/hours", methods=["GET", "POST"])
    def hours() -> ResponseReturnValue:
        form = _Hours()
        if form.validate_on_submit():
            return f"saved {form.title.data} {form.hours.data}"
        return render_template_string(PAGE, form=form)

    return app


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form has no csrf_token field"
    return match.group(1)


def test_a_form_error_returns_the_same_page_with_the_summary_inline_errors_and_what_was_typed(form_app: Flask) -> None:
    client = form_app.test_client()
    token = _token(client.get("/_test/hours").get_data(as_text=True))
    response = client.post(
        "/_test/hours", data={"csrf_token": token, "title": "Court skills <b>day</b>", "hours": "99"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add hours · SWOTT Connect</title>" in html
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#hours">Hours must be 1 to 40</a>' in html  # the summary links to the field
    assert 'id="hours-error"' in html and "govuk-input--error" in html  # the inline message
    assert 'value="Court skills &lt;b&gt;day&lt;/b&gt;"' in html  # what was typed, escaped
    assert 'value="99"' in html
    assert "csrf_token" in html  # the page can be submitted again


def test_a_valid_form_saves(form_app: Flask) -> None:
    client = form_app.test_client()
    token = _token(client.get("/_test/hours").get_data(as_text=True))
    response = client.post("/_test/hours", data={"csrf_token": token, "title": "Court skills", "hours": "3"})
    assert response.get_data(as_text=True) == "saved Court skills 3"


def test_forms_keep_the_one_app_wide_csrf_check(form_app: Flask) -> None:
    client = form_app.test_client()
    client.get("/_test/hours")
    response = client.post("/_test/hours", data={"title": "Court skills", "hours": "3"})
    assert response.status_code == 403
    assert "This form has expired" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
