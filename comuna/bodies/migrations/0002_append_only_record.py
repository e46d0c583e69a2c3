"""The public record is append-only in the database itself, not only in the services.

A BEFORE UPDATE / BEFORE DELETE trigger refuses any change to a written record entry, whoever
issues it (admin, a shell, a buggy migration, raw SQL). Errors are corrected by new entries.
PostgreSQL: one plpgsql function shared with the ballot tables (assemblies 0003). SQLite:
``RAISE(ABORT)`` triggers. Both surface as an IntegrityError in Django.

Known limits, on purpose: TRUNCATE does not fire row triggers (the test runner's flush relies
on it on PostgreSQL), and the owner of the database can drop the triggers; tampering by the
owner is what the hash chain and the independent verifier are for.
On SQLite, a later migration that rebuilds one of these tables drops its triggers:
tests/apps/test_append_only.py fails if any trigger is missing after all migrations.
"""

from django.db import migrations

TABLES = ["bodies_recordentry"]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION comuna_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'comuna: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def create_sql(vendor, table):
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


def drop_sql(vendor, table):
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
    for table in TABLES:
        for statement in create_sql(vendor, table):
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for statement in drop_sql(vendor, table):
            schema_editor.execute(statement, params=None)
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS comuna_append_only()", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("bodies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
