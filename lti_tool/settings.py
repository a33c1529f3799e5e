"""Configuration: `config/defaults.toml`, overridden by `SWOTT_*` environment variables.

One prefix, one variable per setting, nothing secret in git (house style, after warehouse). Production
refuses to start with a missing or weak secret, or without HTTPS, rather than run insecurely.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "config" / "defaults.toml"
PREFIX = "SWOTT_"
MIN_SECRET_LENGTH = 32
PASSBACK_MODES = ("background", "worker")


class ConfigurationError(Exception):
    """The configuration cannot work; the message says which variable to set and how."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    base_url: str = "http://127.0.0.1:5000"
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    toolkits_dir: str = ""
    log_level: str = "INFO"
    clock_leeway: int = 60
    key_grace_days: int = 2
    # Days after its last change that a reflection is deleted (UK GDPR storage limitation); 0 keeps them.
    reflection_retention_days: int = 730
    # Who sends AGS scores: "background" (a thread in each web process, the embedded default) or
    # "worker" (only `swott worker`, for production). Never the learner's request (issue 15).
    passback: str = "background"

    @property
    def production(self) -> bool:
        return self.env == "production"

    def with_overrides(self, overrides: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigurationError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **overrides)


def _coerce(name: str, raw: str, template: Any) -> Any:
    if isinstance(template, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(template, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(f"{PREFIX}{name.upper()} must be a whole number, not {raw!r}") from None
    return raw


def load_settings(environ: dict[str, str] | None = None, defaults_file: Path = DEFAULTS_FILE) -> Settings:
    """Read the defaults file, then the environment; validate the result."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    if defaults_file.is_file():
        values.update(tomllib.loads(defaults_file.read_text(encoding="utf-8")))
    base = Settings()
    for f in fields(base):
        raw = environ.get(PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = _coerce(f.name, raw, getattr(base, f.name))
    return base.with_overrides(values)


def check_settings(settings: Settings) -> None:
    """Refuse configurations that would be unsafe or cannot work, with a sentence saying what to do."""
    if settings.env not in ("development", "production"):
        raise ConfigurationError(f"SWOTT_ENV must be 'development' or 'production', not {settings.env!r}")
    if settings.passback not in PASSBACK_MODES:
        raise ConfigurationError(f"SWOTT_PASSBACK must be 'background' or 'worker', not {settings.passback!r}")
    if settings.production:
        if len(settings.secret_key) < MIN_SECRET_LENGTH or "generate-with" in settings.secret_key:
            raise ConfigurationError(
                "SWOTT_SECRET_KEY must be set to a random value of at least 32 characters in production "
                '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if not settings.base_url.startswith("https://"):
            raise ConfigurationError(
                "SWOTT_BASE_URL must be an https:// address in production: platforms only launch "
                "tools over HTTPS and browsers drop the launch cookies otherwise"
            )


def development_secret(instance_path: Path) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts on a laptop."""
    path = instance_path / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def database_url(settings: Settings, instance_path: Path) -> str:
    """The SQLAlchemy URL: the configured one, else SQLite in the instance folder."""
    if settings.database_url:
        url = settings.database_url
        # Operators paste postgres:// URLs from their hosting dashboards; SQLAlchemy wants a driver.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'swott.sqlite3'}"
