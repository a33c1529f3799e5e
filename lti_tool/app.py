"""SWOTT Connect's LTI 1.3 Advantage tool: a Flask app that runs SWOTT toolkits inside LMSs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from lti_tool import branding, csrf, dates, errors, framing, headers, i18n, launch_targets, session_hooks, web
from lti_tool.background import Background
from lti_tool.db import Database
from lti_tool.settings import check_settings, database_url, development_secret, load_settings
from lti_tool.templating import PROCESS_BYTECODE, SwottEnvironment
from lti_tool.views import (
    admin,
    catalogue,
    certificate_revocation,
    certificates,
    cpl_verification,
    evaluation,
    evaluation_reports,
    facilitator,
    health,
    l1,
    l2,
    language,
    learner_calendar,
    lti,
    passback,
    player,
    portfolio,
    programmes,
)
from toolkits import Catalogue
from toolkits.cpd import STANDARD_TITLES

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the Flask application.

    `test_config` overrides settings by name (e.g. ``{"database_url": ...}``) without touching the
    environment, so tests can build several apps side by side.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.jinja_environment = SwottEnvironment  # before anything reads app.jinja_env
    app.jinja_options = {**app.jinja_options, "bytecode_cache": PROCESS_BYTECODE}  # one compile per process
    settings = load_settings()
    if test_config:
        settings = settings.with_overrides(test_config)
    check_settings(settings)
    instance = Path(app.instance_path)

    app.config.update(
        SECRET_KEY=settings.secret_key or development_secret(instance),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        # LTI launches arrive as cross-site form posts inside an iframe: the cookie must be SameSite=None,
        # which browsers accept only with Secure (so over HTTPS). On plain-HTTP development, Lax.
        SESSION_COOKIE_SAMESITE="None" if settings.base_url.startswith("https://") else "Lax",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        PREFERRED_URL_SCHEME="https" if settings.base_url.startswith("https://") else "http",
    )
    _configure_logging(settings.log_level)

    app.extensions["swott.settings"] = settings
    database = Database(database_url(settings, instance))
    app.extensions["swott.db"] = database
    # Post-response work (scores, roster refreshes, due dates): never inside a request (issue 15).
    app.extensions["swott.background"] = Background(
        database, redis_url=settings.redis_url, deliver_scores=settings.passback == "background"
    )
    catalogue = Catalogue(settings.toolkits_root)
    for folder, problems in catalogue.left_out().items():
        # Folder names and counts only: the problems quote content, which stays on the operator page.
        log.warning("toolkit folder %s left out of the catalogue (%d problem(s)): run `swott toolkit validate`",
                    folder, len(problems))  # fmt: skip
    if not len(catalogue):
        log.warning("no valid toolkit in %s: check SWOTT_TOOLKITS_DIR", catalogue.root)
    app.extensions["swott.catalogue"] = catalogue
    app.jinja_env.globals["standard_titles"] = STANDARD_TITLES
    i18n.init_app(app)  # Flask-Babel: the interface in English or Welsh (issue 13)
    app.jinja_env.filters.update(
        date=i18n.localised(dates.format_date),
        datetime=i18n.localised(dates.format_datetime),
        time=i18n.localised(dates.format_time),
        day=i18n.localised(dates.format_day),
    )
    _configure_templates(app)
    branding.init_app(app)  # the council's colour and the portfolio link on every page (issue 10)
    app.teardown_appcontext(web.close_db_session)
    errors.register_error_handlers(app)
    headers.init_app(app, settings.production)
    framing.init_app(app)
    _register_blueprints(app)
    return app


def _configure_templates(app: Flask) -> None:
    """Let templates use GOV.UK Frontend's Jinja macros and the WTForms widgets built on them.

    `govuk_frontend_jinja/...` and `govuk_frontend_wtf/...` resolve to those packages' templates (their
    macros import each other by those prefixes); everything else to lti_tool/templates. docs/frontend.md.
    """
    assert app.jinja_loader is not None
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)  # the `wtforms_errors(form)` global: a form's errors as error-summary parameters


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(health.bp)
    app.register_blueprint(catalogue.bp)
    csrf.init_app(app)
    for module in (lti, player, facilitator, admin, l1, l2, portfolio, passback, programmes):
        app.register_blueprint(module.bp)
    for module in (
        evaluation,
        evaluation_reports,
        certificate_revocation,
        learner_calendar,
        certificates,
        cpl_verification,
        language,
    ):
        app.register_blueprint(module.bp)
    # The pages a launch answers with, each named by its feature (lti_tool.launch_targets).
    targets = launch_targets.init_app(app)
    for feature in (lti, player, facilitator, l2, programmes, evaluation):
        feature.register_launch_targets(targets)
    # What other features do when an L2 session closes or an L1 is completed (lti_tool.session_hooks).
    hooks = session_hooks.init_app(app)
    hooks.l2_closed.append(programmes.lead.after_l2_close)
    hooks.l1_completed.append(programmes.lead.after_l1_completed)


def _configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    else:
        root.setLevel(level)
