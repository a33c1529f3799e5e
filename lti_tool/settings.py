"""Configuration: the defaults below, overridden by `SWOTT_*` environment variables.

One source: each setting's default and meaning is written once, on the `Settings` field, inside the
package, so an installed wheel starts exactly like a clone (issue 17 item 6). The README's table is
checked against `reference_rows()` by tests/lti_tool/test_settings_reference.py. One prefix, one
variable per setting, nothing secret in git (house style, after warehouse). Production refuses to start
with a missing or weak secret, or without HTTPS, rather than run insecurely.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PREFIX = "SWOTT_"
MIN_SECRET_LENGTH = 32
PASSBACK_MODES = ("background", "worker")


def _setting(default: Any, meaning: str, when_empty: str = "") -> Any:
    """A settings field: its default, the sentence for operators, and what an empty value means."""
    return field(default=default, metadata={"meaning": meaning, "when_empty": when_empty})


class ConfigurationError(Exception):
    """The configuration cannot work; the message says which variable to set and how."""


@dataclass(frozen=True)
class Settings:
    env: str = _setting("development", "`production` refuses to start without a real secret and an https base URL")
    base_url: str = _setting("http://127.0.0.1:5000", "the public URL the tool advertises to platforms")
    database_url: str = _setting(
        "",
        "e.g. `postgresql+psycopg://user:pw@host/db` (`postgres://` works too)",
        when_empty="SQLite in `instance/swott.sqlite3`",
    )
    redis_url: str = _setting(
        "",
        "Redis for launch state and the access-token cache; without it, the database holds them",
        when_empty="none",
    )
    secret_key: str = _setting(
        "",
        "required in production: at least 32 random characters",
        when_empty="random, kept in `instance/secret_key`",
    )
    toolkits_dir: str = _setting("", "a folder of toolkit folders", when_empty="the toolkits shipped in `toolkits/`")
    log_level: str = _setting("INFO", "logs never contain names, emails, tokens or reflection text")
    # LTI Security 1.0 §5.1.3 allows "a few minutes" of skew on id_token iat/exp.
    clock_leeway: int = _setting(60, "seconds of clock skew accepted on launch tokens")
    key_grace_days: int = _setting(2, "days a new signing key is published before it is used")
    # UK GDPR storage limitation (Art. 5(1)(e)); two CPD years by default.
    reflection_retention_days: int = _setting(
        730, "days after their last change that reflections are deleted (0 keeps them)"
    )  # Who sends AGS scores: "background" (a thread in each web process, the embedded default) or
    # "worker" (only `swott worker`, for production). Never the learner's request (issue 15).
    passback: str = _setting(
        "background",
        "who sends grades to the LMS: `background` (a thread in the web process) or `worker` (only `swott worker`)",
    )
    # Issue 12: "about three months after L2" the learner is asked whether they carried out their action.
    follow_up_days: int = _setting(
        91, "days after the L2 reflection that a learner is asked on their next launch about their planned action"
    )

    @property
    def toolkits_root(self) -> Path | None:
        """The configured folder of toolkits, or None for the toolkits shipped with the code."""
        return Path(self.toolkits_dir) if self.toolkits_dir else None

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


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """The defaults, then the environment's `SWOTT_*` variables."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    base = Settings()
    for f in fields(base):
        raw = environ.get(PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = _coerce(f.name, raw, getattr(base, f.name))
    return base.with_overrides(values)


def reference_rows() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for each setting, as the README's configuration table shows them."""
    rows = []
    for f in fields(Settings):
        default = f"`{f.default}`" if f.default not in ("", None) else f.metadata["when_empty"]
        rows.append((f"`{PREFIX}{f.name.upper()}`", default, f.metadata["meaning"]))
    return rows


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
