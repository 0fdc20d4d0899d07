"""Configuration read from the environment.

``APP_ENV`` picks the profile: ``development`` (default), ``production`` or ``testing``.
Production refuses to start without ``SECRET_KEY`` or with debug on; development keeps a
generated secret key in ``instance/`` so sessions survive restarts.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_NAME = "Technology Business Incubator"
DEFAULT_NAME_KM = "មជ្ឈមណ្ឌលបណ្ដុះអាជីវកម្មបច្ចេកវិទ្យា"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs whatever spelling the operator used."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _dev_secret_key(instance_path: Path) -> str:
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def build_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Return the settings for the current environment, with ``overrides`` applied last."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app_env = os.environ.get("APP_ENV", "development")
    debug = _bool("DEBUG", _bool("FLASK_DEBUG"))
    secret = os.environ.get("SECRET_KEY")
    if app_env == "production":
        if not secret:
            raise ConfigError("SECRET_KEY must be set when APP_ENV=production")
        if debug:
            raise ConfigError("DEBUG must be off when APP_ENV=production")
    elif not secret:
        secret = _dev_secret_key(instance)

    default_db = f"sqlite:///{instance / 'incubator.db'}"
    config = {
        "APP_ENV": app_env,
        "DEBUG": debug,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(os.environ.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "INCUBATOR_NAME": os.environ.get("INCUBATOR_NAME", DEFAULT_NAME),
        "INCUBATOR_NAME_KM": os.environ.get(
            "INCUBATOR_NAME_KM", DEFAULT_NAME_KM if "INCUBATOR_NAME" not in os.environ else ""
        ),
        "APP_BASE_URL": os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "PITCH_DECK_MAX_BYTES": 10 * 1024 * 1024,
        "LOGO_MAX_BYTES": 2 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "Asia/Phnom_Penh"),
        "LANGUAGES": {"en": "English", "km": "ភាសាខ្មែរ"},
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "incubator@localhost"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT_IP": os.environ.get("LOGIN_RATE_LIMIT_IP", "20 per minute"),
        "LOGIN_RATE_LIMIT_ACCOUNT": os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT", "5 per minute"),
        "PASSWORD_RESET_RATE_LIMIT": "10 per hour",
        "APPLICATION_RATE_LIMIT": "20 per hour",
        "PASSWORD_HASH_METHOD": "scrypt",
        "INVITATION_MAX_AGE_SECONDS": 7 * 24 * 3600,
        "PASSWORD_RESET_MAX_AGE_SECONDS": 2 * 3600,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Payments: without a secret key paid use is recorded "to be invoiced" and marked paid offline.
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", "").rstrip("/"),  # a local stand-in (tests, demos)
    }
    production = app_env == "production"
    # Operations (incubator/ops): structured logs, reverse proxies trusted for the client address, HSTS.
    config.update(
        LOG_FORMAT=os.environ.get("LOG_FORMAT", "json" if production else "logfmt"),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO").upper(),
        TRUSTED_PROXIES=_int("TRUSTED_PROXIES", 1 if production else 0),
        HSTS_MAX_AGE=_int("HSTS_MAX_AGE", 365 * 24 * 3600 if production else 0),
    )
    if config["LOG_FORMAT"] not in ("json", "logfmt"):
        raise ConfigError(f"LOG_FORMAT must be json or logfmt, not {config['LOG_FORMAT']!r}")
    if production:
        config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
    if overrides:
        config.update(overrides)
    return config


def test_overrides(database_url: str, instance_path: str) -> dict:
    """Settings for the test suite: fast hashing, no CSRF, no rate limits unless a test turns them on."""
    return {
        "APP_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
        "WTF_CSRF_ENABLED": False,
        # The limiter stays on (so tests can exercise it) with limits no ordinary test reaches.
        "LOGIN_RATE_LIMIT_IP": "10000 per minute",
        "LOGIN_RATE_LIMIT_ACCOUNT": "10000 per minute",
        "PASSWORD_RESET_RATE_LIMIT": "10000 per minute",
        "APPLICATION_RATE_LIMIT": "10000 per minute",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "UPLOAD_FOLDER": str(Path(instance_path) / "uploads"),
        "MAIL_SERVER": "",
        "STRIPE_SECRET_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
        "STRIPE_API_BASE": "",
    }


test_overrides.__test__ = False  # a settings builder, not a pytest test
