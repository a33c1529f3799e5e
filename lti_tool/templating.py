"""The Jinja environment of the app: Flask's, with cheaper template imports (issue 15).

Every `{% from "…/macro.html" import … %}` (the GOV.UK macros import each other inside every call)
asks whether the importing page has globals the imported template lacks: `ctx.globals_keys -
template.globals.keys()`, where the template's globals are a `ChainMap` over the environment's. With
a ChainMap's key view that is one Python-level `ChainMap.__contains__` (a generator over the maps)
for each of the page's globals, for every import: about 8 % of an L1 page's time. Here the keys are
read as one set of the maps' keys, built in C; the mapping itself, and what it holds, is unchanged.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import MutableMapping
from typing import Any

from flask.templating import Environment


class TemplateGlobals(ChainMap[str, Any]):
    """A template's globals over the environment's (as Jinja makes them), whose `keys()` is a set."""

    def keys(self) -> set[str]:  # type: ignore[override]
        # A fresh set each call: a global added to the environment later is still seen.
        return set().union(*self.maps)


class SwottEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals({} if d is None else d, self.globals)
