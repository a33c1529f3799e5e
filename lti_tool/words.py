"""A marker for interface text written by modules that must not import Flask (docs/welsh.md).

`N_("Presenter")` returns its text unchanged; `scripts/translations.py` extracts it (keyword `N_`, as
gettext's `gettext_noop`), so the Welsh is in the catalogue, and the view or template that shows the text
translates it there (`{{ _(role) }}`, `gettext(message)`). Domain code stays plain Python.
"""

from __future__ import annotations

from collections.abc import Callable


def N_(text: str) -> str:
    """Mark `text` for translation where it is shown; return it unchanged."""
    return text


Translate = Callable[..., str]
"""A gettext: (message, **values) -> the message in the page's language with the values put in.
The views pass Flask-Babel's; the domain modules stay free of Flask (docs/welsh.md)."""


def english(message: str, **values: object) -> str:
    """The message as written, with its `%(name)s` values put in: the default `Translate`."""
    return message % values if values else message


YES, NO = N_("yes"), N_("no")
"""A CSV cell's yes and no (the dashboard's and the cohort's downloads), written in the page's language."""
