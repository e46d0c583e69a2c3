"""Shared fixtures: where the real public data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COMUNA_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real public data (``../shared/data`` unless COMUNA_SHARED_DATA says).

    Golden tests need it. In CI (``CI=true``) its absence is a failure; on a developer's
    machine without it the golden tests are skipped with the reason shown.
    """
    if not SHARED_DATA.is_dir():
        message = f"real data not found at {SHARED_DATA}; set COMUNA_SHARED_DATA"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers():
    """Let the test runner's flush empty append-only tables on SQLite, as it does on PostgreSQL.

    Transactional tests (``transactional_db``, ``live_server``) are cleaned by a flush. On
    PostgreSQL that is a TRUNCATE, which row triggers do not see; on SQLite it is a DELETE,
    which the append-only triggers (bodies 0002, assemblies 0003) refuse. Here the flush drops
    the flushed tables' triggers, empties them and recreates the triggers from their own SQL,
    in the flush's transaction. Only the test runner's flush changes; the application's
    writes still meet every trigger.
    """
    # Through ``base``: importing ``operations`` first is a circular import in Django.
    from django.db.backends.sqlite3.base import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if not tables:
            return statements
        marks = ", ".join(["%s"] * len(tables))
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master"
                f" WHERE type = 'trigger' AND tbl_name IN ({marks})",
                list(tables),
            )
            triggers = cursor.fetchall()
        drops = [f"DROP TRIGGER {self.quote_name(name)};" for name, _sql in triggers]
        return [*drops, *statements, *(f"{sql};" for _name, sql in triggers)]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas get passwords through the real ``set_password``; PBKDF2's million rounds took
    about a second each on the shared CI machine, so tests hash with a fast algorithm."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        # Accounts made outside a test's settings (module-scoped fixtures) still verify.
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def pytest_collection_modifyitems(config, items):
    """On SQLite, leave out the PostgreSQL-only tests (the PostgreSQL pass runs them).

    Deselected rather than skipped: they are not checks that were passed over, they belong to
    the other pass of `make test`.
    """
    from django.conf import settings

    if "sqlite" not in settings.DATABASES["default"]["ENGINE"]:
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
