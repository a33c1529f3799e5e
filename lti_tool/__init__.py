"""SWOTT Connect's LTI 1.3 tool (Flask). The app factory is `lti_tool.app.create_app`.

`create_app` is imported on first use (PEP 562 module `__getattr__`), not when the package is: the
`swott` CLI reads `lti_tool.settings` for every command, and packaging must not import Flask (issue 15,
item 5). `gunicorn 'lti_tool:create_app()'` and `from lti_tool import create_app` work as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lti_tool.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        # Lazily: `import lti_tool` (models, migrations, the CLI) must not load Flask and every view.
        from lti_tool.app import create_app

        return create_app
    raise AttributeError(f"module 'lti_tool' has no attribute {name!r}")
