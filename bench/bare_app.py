"""The floor: a bare Flask endpoint, served by gunicorn exactly as the tools are (`bare_app:create_app()`).

Every benchmark figure is divided by this endpoint's median under the same server in the same run,
so a ratio means the same on a fast or a slow machine.
"""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    """One route that answers a short text, as cheap as a Flask request gets."""
    app = Flask("bare")
    app.add_url_rule("/ping", "ping", lambda: "ok")
    return app
