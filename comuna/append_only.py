"""Database triggers that make tables append-only: rows, once written, are never changed.

Used by the migrations of every app with binding rows (the record, ballots, decisions...):
``migrations.RunPython(*append_only("table_a", "table_b"))``. PostgreSQL: one plpgsql function
(created by bodies 0002) and a BEFORE UPDATE OR DELETE trigger per table; SQLite:
``RAISE(ABORT)`` triggers. Both surface as IntegrityError in Django.

Known limits, on purpose: TRUNCATE does not fire row triggers (the test runner's flush relies
on it on PostgreSQL) and the database owner can drop triggers; tampering by the owner is what
the hash chain and the independent verifier are for. On SQLite, a migration that rebuilds a
table drops its triggers: tests/apps/test_append_only.py fails if one is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION comuna_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'comuna: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def create_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION comuna_append_only()"
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'comuna: {table} is append-only ({op} refused)'); END"
            for op in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]


def append_only(
    *tables: str, with_function: bool = False
) -> tuple[Callable[..., None], Callable[..., None]]:
    """Forwards and backwards functions for ``migrations.RunPython``."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if with_function and vendor == "postgresql":
            schema_editor.execute(PG_FUNCTION, params=None)
        for table in tables:
            for statement in create_sql(vendor, table):
                schema_editor.execute(statement, params=None)

    def backwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            for statement in drop_sql(vendor, table):
                schema_editor.execute(statement, params=None)
        if with_function and vendor == "postgresql":
            schema_editor.execute("DROP FUNCTION IF EXISTS comuna_append_only()", params=None)

    return forwards, backwards
