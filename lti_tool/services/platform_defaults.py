"""A platform's default regulator and interface language (`swott platform set`).

A learner launched from this platform starts with these until they choose their own: a Welsh council
sets `scw` and `cy`, a Scottish one `sssc`. Plain Python over SQLAlchemy (no Flask).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from lti_tool.models import Platform
from lti_tool.services import regulators
from lti_tool.services.registrations import RegistrationError

# The interface languages the tool is being translated into (issue 13): English and Welsh.
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg (Welsh)"}


def set_defaults(session: Session, platform: Platform, *, regulator: str | None, language: str | None) -> None:
    """Set the platform's default regulator and/or language; a bad value changes nothing. Commits."""
    if regulator is None and language is None:
        raise RegistrationError("say what to set: --regulator and/or --language")
    code = None
    if regulator is not None:
        try:
            code = regulators.get(regulator).code
        except regulators.UnknownRegulator as error:
            raise RegistrationError(str(error)) from None
    lang = None
    if language is not None:
        lang = language.strip().lower()
        if lang not in LANGUAGES:
            raise RegistrationError(
                f"there is no interface language {language!r}: choose one of {', '.join(LANGUAGES)}"
            )
    if code is not None:
        platform.default_regulator = code
    if lang is not None:
        platform.default_language = lang
    session.commit()


def describe(platform: Platform) -> str:
    """'Social Work England, English' — for the operator's confirmation."""
    name = (
        regulators.REGULATORS[platform.default_regulator].name
        if platform.default_regulator in regulators.REGULATORS
        else platform.default_regulator
    )
    return f"{name}, {LANGUAGES.get(platform.default_language, platform.default_language)}"
