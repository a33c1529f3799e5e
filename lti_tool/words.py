"""A marker for interface text written by modules that must not import Flask (docs/welsh.md).

`N_("Presenter")` returns its text unchanged; `scripts/translations.py` extracts it (keyword `N_`, as
gettext's `gettext_noop`), so the Welsh is in the catalogue, and the view or template that shows the text
translates it there (`{{ _(role) }}`, `gettext(message)`). Domain code stays plain Python.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark `text` for translation where it is shown; return it unchanged."""
    return text
