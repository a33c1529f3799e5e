"""A small LTI 1.3 platform (a pretend LMS) for trying and testing the tool with no Moodle or Canvas.

It follows the 1EdTech specifications — LTI Core 1.3, Security Framework 1.0, Deep Linking 2.0,
AGS 2.0, NRPS 2.0 and Dynamic Registration 1.0 — and never imports the tool. All state (tools,
placements, grades, its signing key) lives in the memory of one process: restart it and it forgets.
Not for production. See sandbox_platform/README.md for the Python API tests use.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask

from sandbox_platform.config import PlatformConfig
from sandbox_platform.platform import Platform
from sandbox_platform.server import SandboxServer
from sandbox_platform.web import EXTENSION

__all__ = ["Platform", "PlatformConfig", "SandboxServer", "create_app", "get_platform"]

log = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | PlatformConfig | None = None) -> Flask:
    """Create a sandbox platform app; its `Platform` is `get_platform(app)` (or `app.extensions`)."""
    settings = config if isinstance(config, PlatformConfig) else PlatformConfig.from_mapping(config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or secrets.token_urlsafe(32),
        SANDBOX_FORM_TOKEN=secrets.token_urlsafe(24),
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.extensions[EXTENSION] = Platform(settings)
    from sandbox_platform.views import course, oidc, registration, services

    for blueprint in (course.bp, oidc.bp, registration.bp, services.bp):
        app.register_blueprint(blueprint)
    return app


def get_platform(app: Flask) -> Platform:
    """The `Platform` (state and Python API) behind a sandbox app."""
    platform: Platform = app.extensions[EXTENSION]
    return platform
