"""Ballots, voter marks, roll-call votes and decisions are append-only in the database.

Same triggers as the public record (bodies 0002, which also defines the PostgreSQL function
``comuna_append_only``): a ballot or a decision, once written, cannot be changed or removed by
UPDATE or DELETE, whatever code issues it.
"""

from django.db import migrations

TABLES = [
    "assemblies_secretballot",
    "assemblies_votermark",
    "assemblies_rollcallvote",
    "assemblies_decision",
]


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
    for table in TABLES:
        for statement in create_sql(vendor, table):
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for statement in drop_sql(vendor, table):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("assemblies", "0002_initial"),
        ("bodies", "0002_append_only_record"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
