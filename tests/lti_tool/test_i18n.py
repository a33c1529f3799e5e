"""The interface language (issue 13): chosen from the switch, the launch's `locale` claim, the platform's
default, then English; error pages and dates follow it. Real HTTP through Flask's test client.
"""

from __future__ import annotations

import gettext
import re
import shutil
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import InputRequired

from lti_tool import i18n
from lti_tool.errors import NotFound
from lti_tool.forms import SwottForm
from lti_tool.lti.roles import Role
from lti_tool.lti.session import SESSION_KEY, CurrentLaunch, launch_token

ROOT = Path(__file__).resolve().parents[2]
SESSION_AT = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)

# What a page the lead wires later would hold: the <html lang>, a translated string, a date, the switch.
PAGE = """<p id="lang">{{ html_lang() }}</p><p id="label">{{ _("Choose a language") }}</p>
<p id="when">{{ when|datetime }}</p><p id="day">{{ when|day }}</p>{% include "_language_switch.html" %}"""


@pytest.fixture
def lang_app(app: Flask) -> Flask:
    @app.get("/_test/language")
    def page() -> ResponseReturnValue:
        return render_template_string(PAGE, when=SESSION_AT)

    @app.get("/_test/missing")
    def missing() -> ResponseReturnValue:
        raise NotFound("There is no page at this address.", reason="test")

    return app


def _launch(platform_language: str, locale: str = "", *, cookieless: bool = False) -> CurrentLaunch:
    """A learner's launch from a platform whose default language is `platform_language`."""
    return CurrentLaunch(
        launch_id="launch-1", user_id=1, platform_id=1, context_id=1, resource_link_id=1, role=Role.LEARNER,
        toolkit_id="mini", part="l1", deployment_id="d1", message_type="LtiResourceLinkRequest",
        cookieless=cookieless, locale=locale, platform_language=platform_language,
    )  # fmt: skip


def _launched(client: FlaskClient, launch: CurrentLaunch) -> None:
    with client.session_transaction() as session:
        session[SESSION_KEY] = [launch.to_dict()]


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">(.*?)</p>', html, re.S)
    assert match, f"no #{element_id} in the page"
    return unescape(match.group(1)).strip()


@pytest.mark.parametrize(
    ("chosen", "claim", "platform", "expected"),
    [
        (None, None, None, "en"),
        (None, "cy-GB", None, "cy"),
        (None, "CY", "en", "cy"),
        (None, "en-GB", "cy", "en"),  # the claim speaks before the platform
        (None, "fr-FR", "cy", "cy"),  # a language we have no interface for: the next source decides
        ("en", "cy-GB", "cy", "en"),  # the person's own choice beats everything
        ("cy", None, None, "cy"),
        (None, "", "cy", "cy"),
        ("xx", 42, "de", "en"),
    ],
)
def test_the_language_comes_from_the_choice_then_the_claim_then_the_platform_then_english(
    chosen: str | None, claim: object, platform: str | None, expected: str
) -> None:
    assert i18n.choose_language(chosen, claim, platform) == expected


def test_without_a_launch_or_a_choice_pages_are_in_english(lang_app: Flask) -> None:
    html = lang_app.test_client().get("/_test/language").get_data(as_text=True)
    assert _text(html, "lang") == "en-GB"
    assert _text(html, "label") == "Choose a language"
    assert _text(html, "when") == "15 January 2027, 5pm"


def test_a_launch_with_locale_cy_gb_shows_the_page_and_its_dates_in_welsh(lang_app: Flask) -> None:
    client = lang_app.test_client()
    _launched(client, _launch("en", "cy-GB"))
    html = client.get("/_test/language").get_data(as_text=True)
    assert _text(html, "lang") == "cy"
    assert _text(html, "label") == "Dewis iaith"
    assert _text(html, "when") == "15 Ionawr 2027, 5yh"
    assert _text(html, "day") == "Dydd Gwener 15 Ionawr 2027"


def test_a_welsh_councils_platform_default_gives_welsh_when_the_lms_sends_no_locale(lang_app: Flask) -> None:
    client = lang_app.test_client()
    _launched(client, _launch("cy"))
    html = client.get("/_test/language").get_data(as_text=True)
    assert _text(html, "lang") == "cy"


def test_error_pages_speak_the_launchs_language(lang_app: Flask) -> None:
    client = lang_app.test_client()
    _launched(client, _launch("en", "cy-GB"))
    raised = client.get("/_test/missing")
    assert raised.status_code == 404
    html = raised.get_data(as_text=True)
    assert "Nid oedd modd inni ddod o hyd i hynny" in html  # "We could not find that"
    assert "Nid oes tudalen yn y cyfeiriad hwn." in html  # the view's message, found in the catalogue
    assert "We could not find that" not in html
    unknown = client.get("/no-such-page").get_data(as_text=True)
    assert "Heb ddod o hyd i’r dudalen" in unknown  # "Page not found"
    assert "Gwiriwch y ddolen, neu ewch yn ôl i’ch cwrs." in unknown


def test_the_switch_keeps_the_choice_and_goes_back_to_the_page(lang_app: Flask) -> None:
    client = lang_app.test_client()
    _launched(client, _launch("en", "en-GB"))
    english = client.get("/_test/language").get_data(as_text=True)
    links = dict(re.findall(r'<a class="govuk-link" href="([^"]+)" hreflang="(cy)"', english))
    assert links, "the English page has no link to Cymraeg"
    href = unescape(next(iter(links)))
    assert "Newid yr iaith i’r Gymraeg" in english  # what a screen reader hears
    switched = client.get(href)
    assert switched.status_code == 303
    assert switched.headers["Location"] == "/_test/language"
    welsh = client.get("/_test/language").get_data(as_text=True)
    assert _text(welsh, "lang") == "cy"  # the choice beats the launch's en-GB
    assert 'aria-current="true" lang="cy">Cymraeg</span>' in welsh
    assert 'hreflang="en-GB"' in welsh  # and the way back to English


def test_in_a_cookieless_launch_the_choice_travels_in_the_launch_token(lang_app: Flask) -> None:
    client = lang_app.test_client(use_cookies=False)
    launch = _launch("en", "en-GB", cookieless=True)
    with lang_app.app_context():
        token = launch_token(launch)
    response = client.get(f"/language/cy?lt={token}&next=/_test/language%3Flt%3D{token}")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/_test/language?lt=") and token not in location
    html = client.get(location).get_data(as_text=True)
    assert _text(html, "lang") == "cy"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_the_switch_never_sends_anyone_to_another_site(client: FlaskClient, target: str) -> None:
    response = client.get("/language/cy", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_a_plain_not_found_page(client: FlaskClient) -> None:
    assert client.get("/language/fr").status_code == 404


def test_base_html_sets_the_pages_lang_from_the_chosen_language(lang_app: Flask) -> None:
    client = lang_app.test_client()
    _launched(client, _launch("en", "cy"))
    assert '<html lang="cy"' in client.get("/no-such-page").get_data(as_text=True)


def test_without_compiled_catalogues_the_app_compiles_them_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wheel built from a clone that never ran scripts/setup.sh has the .po files and no .mo.
    sources = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, sources, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    monkeypatch.setattr(i18n, "TRANSLATIONS", sources)
    directory = i18n._translation_directory(tmp_path / "instance")
    assert directory == tmp_path / "instance" / "translations"
    with (directory / "cy" / "LC_MESSAGES" / "messages.mo").open("rb") as compiled:
        assert gettext.GNUTranslations(compiled).gettext("Choose a language") == "Dewis iaith"


class _Title(SwottForm):
    title = StringField("Title", validators=[InputRequired()])


def test_wtforms_own_messages_come_in_welsh_from_its_catalogue(lang_app: Flask) -> None:
    @lang_app.get("/_test/form")
    def form() -> ResponseReturnValue:
        checked = _Title(formdata=MultiDict({"title": ""}))
        checked.validate()
        return " ".join(checked.title.errors)

    client = lang_app.test_client()
    assert client.get("/_test/form").get_data(as_text=True) == "This field is required."
    _launched(client, _launch("cy"))
    assert client.get("/_test/form").get_data(as_text=True) == "Rhaid cwblhau'r maes hwn."
