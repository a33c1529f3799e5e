"""The interface language: which one a request gets, and Flask-Babel wired to use it (issue 13).

A request is shown in the first of these that says something (docs/welsh.md):

1. the language the person chose with the switch (`_language_switch.html`, `views.language`): kept on
   their launch (so it travels with a cookieless launch's `lt` token) and in the Flask session (so it
   outlives one launch and covers pages with no launch);
2. the launch's `locale` claim: LTI Core 1.3 §5.4.4, "Launch presentation claim"
   (https://www.imsglobal.org/spec/lti/v1p3#launch-presentation-claim): `locale` is OPTIONAL, the
   "Language, country, and variant as represented using the IETF Best Practices for Tags for
   Identifying Languages [BCP47]", e.g. `cy-GB`;
3. the platform's default language (`swott platform set ISSUER --language cy`), as it was at launch;
4. English.

The switch comes first on purpose: an LMS sends its own interface language on every launch, so a
learner in an English-language Moodle who picks Cymraeg would otherwise be sent back to English at
every launch. (Issue 13 lists the claim first; docs/welsh.md says why this order.)

`choose_language` and `language_of` are plain functions; `init_app` is the only Flask glue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request, session
from flask_babel import Babel, get_locale, gettext, refresh
from markupsafe import Markup, escape

from lti_tool import lazy_text
from lti_tool.lti.session import current_launch, launch_url_for

log = logging.getLogger(__name__)

ENGLISH = "en"
WELSH = "cy"
LANGUAGES: dict[str, str] = {ENGLISH: "English", WELSH: "Cymraeg"}
"""Interface languages, each named in itself (a language switch names each language in that language)."""

HTML_LANG: dict[str, str] = {ENGLISH: "en-GB", WELSH: "cy"}
"""The `lang` attribute of a page in each language (BCP 47; WCAG 2.2 SC 3.1.1 Language of Page)."""

SWITCH_TO: dict[str, str] = {ENGLISH: "Change the language to English", WELSH: "Newid yr iaith i’r Gymraeg"}
"""What a screen reader hears for each link of the switch, in the language it switches to (the wording
of HMRC's Welsh language toggle, design.tax.service.gov.uk/hmrc-design-patterns/welsh-language-toggle)."""

SESSION_KEY = "swott_language"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

_l = lazy_text._l
"""For messages defined at import time (class attributes, form validators): translated when shown."""


def language_of(tag: object) -> str | None:
    """The interface language a BCP 47 tag asks for ('cy-GB' -> 'cy', 'en_US' -> 'en'), else None.

    Only the primary language subtag counts (RFC 5646 §2.2.1); it is case-insensitive. Anything we have
    no interface for ('fr-FR', '', a number) is None, so the next source decides.
    """
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def choose_language(chosen: object = None, claim: object = None, platform_default: object = None) -> str:
    """The language to show: the person's choice, else the launch's `locale` claim, else the
    platform's default, else English (module docstring)."""
    for source in (chosen, claim, platform_default):
        language = language_of(source)
        if language is not None:
            return language
    return ENGLISH


def select_language() -> str:
    """Flask-Babel's locale selector: `choose_language` over this request's launch and session.

    Everything comes from the launch and the session: no database read, so even the "busy" page (pool
    exhausted) is shown in the right language. The platform's default is the one it had at launch time.
    """
    launch = current_launch() if request else None
    if launch is None:
        return choose_language(session.get(SESSION_KEY), *g.get(LAUNCH_LANGUAGE, ()))
    return choose_language(launch.language or session.get(SESSION_KEY), launch.locale, launch.platform_language)


LAUNCH_LANGUAGE = "swott_launch_language"


def use_launch_language(locale: str, platform_language: str) -> None:
    """During the launch POST, before the launch is recorded: a verified launch's `locale` claim and its
    platform's default decide the language of what the request shows (a refusal page included)."""
    setattr(g, LAUNCH_LANGUAGE, (locale, platform_language))
    refresh()  # Flask-Babel keeps the locale it chose for the request; choose again


def current_language() -> str:
    """This request's interface language ('en' or 'cy'); English outside a request."""
    locale = get_locale()
    if locale is None:
        return ENGLISH
    return language_of(str(locale)) or ENGLISH


def html_lang() -> str:
    """The `lang` of this page's <html>: `{% set htmlLang = html_lang() %}` in base.html."""
    return HTML_LANG[current_language()]


def content_lang() -> Markup:
    """` lang="en-GB"` for toolkit content (authored in English) inside a page in another language, else
    nothing: `<h1{{ content_lang() }}>`. WCAG 2.2 SC 3.1.2 Language of Parts; English pages are unchanged."""
    return Markup(' lang="en-GB"') if current_language() != ENGLISH else Markup("")


def in_content_language(text: object) -> Markup:
    """Toolkit text (authored in English) for a page: in `<span lang="en-GB">` on a page in another
    language, else just escaped (an English page is unchanged). Markup (rendered Markdown) stays as it is."""
    if current_language() == ENGLISH:
        return escape(text)
    return Markup('<span lang="en-GB">{}</span>').format(text)


LAUNCH_PARAMETERS = ("launch", "lt")


def _path_with_launch(path: str, args: Mapping[str, str]) -> str:
    """`path` with only the parameters that say which launch this is (`launch`, or `lt` when cookieless)."""
    kept = {name: args[name] for name in LAUNCH_PARAMETERS if args.get(name)}
    return f"{path}?{urlencode(kept)}" if kept else path


def language_switch() -> list[dict[str, str | bool]]:
    """The switch's entries: each language, named in itself, with its link, and which one is shown."""
    # Back to this page: on the launch POST's answer, the page's own address (the POST cannot be repeated).
    # Only the path and the launch's own parameters: other query parameters (a platform's configuration
    # URL, a registration token) must never be echoed into the page (tests/lti_tool/lti/test_outbound.py).
    here = g.get("launch_page_url") or _path_with_launch(request.path, request.args)
    shown = current_language()
    return [
        {
            "code": code,
            "name": name,
            "lang": HTML_LANG[code],
            "current": code == shown,
            "switch_to": SWITCH_TO[code],
            # The launch goes on the switch link itself (`launch`, or `lt` when cookieless) so the
            # switch can keep the choice on it.
            "href": launch_url_for("language.switch", code=code, next=here),
        }
        for code, name in LANGUAGES.items()
    ]


def translated_message(said: Any) -> str:
    """A message a domain module wrote in English (`lti_tool.words.N_`), in this request's language.

    `said` is an error (`UserFacingError`: its `message`) or anything with a `message`; one that also has
    `template` and `values` (`services.reflections.FieldTooLong`, an identifying-details `Finding`) is
    translated before its values go in, so the catalogue holds one sentence, not one per value.
    """
    template = getattr(said, "template", None)
    if template:
        return str(gettext(template, **getattr(said, "values", {})))
    message = str(getattr(said, "message", "") or "")
    return str(gettext(message)) if message else ""


def translated_advice(error: Any) -> str:
    """An error's `advice` in this request's language (see `translated_message`)."""
    advice = str(getattr(error, "advice", "") or "")
    return str(gettext(advice)) if advice else ""


def localised(formatter: Callable[..., str]) -> Callable[..., str]:
    """A `lti_tool.dates` formatter as a Jinja filter that writes in this request's language."""

    def filter_(value: Any) -> str:
        return formatter(value, language=current_language())

    filter_.__name__ = formatter.__name__
    filter_.__doc__ = formatter.__doc__
    return filter_


def _translation_directory(instance: Path) -> Path:
    """Where the compiled catalogues are: lti_tool/translations, as scripts/setup.sh compiles them; or,
    when a .mo there is missing or older than its .po (a wheel built without set-up, a .po just edited),
    the instance folder, compiled from the .po at start-up so Welsh never silently falls back to English."""
    sources = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    if all(_is_fresh(po.with_suffix(".mo"), po) for po in sources):
        return TRANSLATIONS
    target = instance / "translations"
    for po in sources:
        mo = target / po.relative_to(TRANSLATIONS).with_suffix(".mo")
        if not _is_fresh(mo, po):
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, mo.open("wb") as compiled:
                write_mo(compiled, read_po(source, locale=po.parts[-3]))
    log.info("interface catalogues compiled at start-up into %s", target)
    return target


def _is_fresh(mo: Path, po: Path) -> bool:
    return mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime


def init_app(app: Flask, locale_selector: Callable[[], str] = select_language) -> None:
    """Wire Flask-Babel: catalogues from lti_tool/translations, the locale from `select_language`.

    Also turns on WTForms' own Welsh messages ("This field is required." and the like): Flask-WTF reads
    them from WTForms' bundled `cy` catalogue through Flask-Babel's locale (`WTF_I18N_ENABLED`).
    """
    app.config.setdefault("BABEL_DEFAULT_LOCALE", ENGLISH)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(_translation_directory(Path(app.instance_path))))
    app.config.setdefault("WTF_I18N_ENABLED", True)
    Babel(app, locale_selector=locale_selector)
    app.jinja_env.globals.update(
        html_lang=html_lang,
        content_lang=content_lang,
        in_content_language=in_content_language,
        current_language=current_language,
        language_switch=language_switch,
        translated_message=translated_message,
        translated_advice=translated_advice,
    )
