"""Settings for Comuna, read from the environment with small typed helpers.

Defaults suit a laptop in a community centre: SQLite next to the project, DEBUG on, Spanish.
Production sets ``COMUNA_DEBUG=0``, ``COMUNA_SECRET_KEY``, ``COMUNA_ALLOWED_HOSTS`` and
``COMUNA_DATABASE_URL=postgres://...``; ``manage.py check --deploy`` is then clean.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """``sqlite:///path`` or ``postgres://user:pass@host:port/name`` to a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        name = path[1:] if path.startswith("//") else path.lstrip("/") or "comuna.sqlite3"
        if not os.path.isabs(name):
            name = str(PROJECT_DIR / name)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # WAL + synchronous=FULL: nothing acknowledged is lost on power failure; IMMEDIATE
            # transactions so concurrent writers queue instead of failing mid-transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            },
            # One file per COMUNA_TEST_DB_SUFFIX, so that two test runs can share a checkout.
            "TEST": {
                "NAME": str(
                    PROJECT_DIR
                    / f"test-comuna-{os.environ.get('COMUNA_TEST_DB_SUFFIX', 'main')}.sqlite3"
                )
            },
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "comuna",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("COMUNA_DB_CONN_MAX_AGE", 0),
            "TEST": {"NAME": f"test_comuna_{os.environ.get('COMUNA_TEST_DB_SUFFIX', 'main')}"},
        }
    raise ValueError(f"COMUNA_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


DEBUG = env_bool("COMUNA_DEBUG", True)
SECRET_KEY = env_str("COMUNA_SECRET_KEY", "insecure-development-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("COMUNA_SECRET_KEY must be set when COMUNA_DEBUG is off")
ALLOWED_HOSTS = env_list("COMUNA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("COMUNA_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "ninja",  # serves the API docs' assets locally: no CDN, no inline script (CSP)
    "comuna.bodies",
    "comuna.people",
    "comuna.assemblies",
    "comuna.budgets",
    "comuna.economy",
    "comuna.offices",
    "comuna.lots",
    "comuna.api",
    "comuna.federation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "comuna.middleware.DatabaseUnavailableMiddleware",
]

if not DEBUG:
    # Static files served by the app itself in production (collectstatic first).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "comuna.urls"
WSGI_APPLICATION = "comuna.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["comuna.templatetags.money"],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("COMUNA_DATABASE_URL", "sqlite:///comuna.sqlite3"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Brute force: lock the (username, IP) pair, never the account everywhere, so an attacker
# cannot lock a spokesperson out of their own assembly.
AXES_FAILURE_LIMIT = env_int("COMUNA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"

# Lottery probabilities: "thread" computes in a background thread that reports progress to
# the database; "inline" computes inside the request (a fallback; council pools take < 1 s).
COMUNA_LOTTERY_WORKER = env_str("COMUNA_LOTTERY_WORKER", "thread")

LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español"), ("en", "English")]
FORMAT_MODULE_PATH = ["comuna.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("COMUNA_TIME_ZONE", "America/Caracas")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security headers. Pages need no inline script; the CSP forbids it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("COMUNA_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("COMUNA_LOG_LEVEL", "WARNING")},
}
