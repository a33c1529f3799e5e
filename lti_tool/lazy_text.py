"""`_l`: a message marked for translation now and translated when shown (Flask-Babel's `lazy_gettext`).

A leaf module so that `errors` and `lti.session`, which `i18n` itself needs, can mark their messages
without importing `i18n` (no import cycle); `lti_tool.i18n._l` is the same function.
"""

from __future__ import annotations

from flask_babel import lazy_gettext

_l = lazy_gettext

__all__ = ["_l"]
