"""The language of a package's chrome (issue 13, `swott package --lang cy`): buttons, navigation, the
headings and notes the packager adds, and the page's `lang`.

The words come from a gettext catalogue like the LTI tool's (Babel; scorm_packager/translations, its own
because the packager never imports lti_tool). Toolkit content stays as authored, in English: every piece
of it is marked `lang="en-GB"` inside a Welsh page (WCAG 2.2 SC 3.1.2 Language of Parts), and the first
page says so in both languages (docs/welsh.md).
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from html import escape
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ENGLISH = "en"
WELSH = "cy"
LANGUAGES = (ENGLISH, WELSH)
HTML_LANG = {ENGLISH: "en-GB", WELSH: "cy"}
CONTENT_LANGUAGE = ENGLISH
"""The language toolkit content is written in (no toolkit has Welsh content yet)."""


def _catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue (scripts/setup.sh compiles it); else the .po compiled in memory, so a
    checkout that skipped set-up still builds the same Welsh package."""
    folder = resources.files("scorm_packager") / "translations" / language / "LC_MESSAGES"
    compiled = folder / "messages.mo"
    if compiled.is_file():
        return gettext.GNUTranslations(io.BytesIO(compiled.read_bytes()))
    source = folder / "messages.po"
    if not source.is_file():
        raise ValueError(f"there is no {language!r} catalogue in scorm_packager/translations")
    buffer = io.BytesIO()
    write_mo(buffer, read_po(io.BytesIO(source.read_bytes()), locale=language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Chrome:
    """The packager's words in one language: `_(words.NEXT_PAGE)` for HTML (escaped), `text()` for plain
    text (the runtime's strings, JSON); `content_lang` and `content()` mark toolkit content."""

    language: str
    translations: gettext.NullTranslations

    def text(self, message: str) -> str:
        return self.translations.gettext(message)

    def _(self, message: str) -> str:
        return escape(self.text(message), quote=True)

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.language]

    @property
    def content_lang(self) -> str:
        """` lang="en-GB"` for an element holding toolkit content when the page is in another language."""
        return "" if self.language == CONTENT_LANGUAGE else f' lang="{HTML_LANG[CONTENT_LANGUAGE]}"'

    def content(self, html: str, tag: str = "div") -> str:
        """Toolkit content, wrapped to carry its own language when the page's differs (else as it is)."""
        return html if not self.content_lang else f"<{tag}{self.content_lang}>{html}</{tag}>"


def chrome(language: str = ENGLISH) -> Chrome:
    """The chrome for `language` ('en' or 'cy'); ValueError for any other."""
    if language not in LANGUAGES:
        raise ValueError(f"no package language {language!r}: choose one of {', '.join(LANGUAGES)}")
    if language == ENGLISH:
        return Chrome(ENGLISH, gettext.NullTranslations())
    return Chrome(language, _catalogue(language))
