"""SWOTT toolkits: the content as data files, and the model that loads, validates and renders it.

No Flask here: both faces (`lti_tool` and `scorm_packager`) depend on this package, never the reverse.
"""

from __future__ import annotations

from toolkits.loader import Catalogue, Problem, ToolkitInvalid, load_toolkit, validate_toolkit
from toolkits.model import Toolkit
from toolkits.render import render_markdown

__all__ = [
    "Catalogue",
    "Problem",
    "Toolkit",
    "ToolkitInvalid",
    "load_toolkit",
    "render_markdown",
    "validate_toolkit",
]
