"""Ballots, voter marks, phase changes and spending lines are append-only in the database.

The same triggers as the assemblies' ballots (assemblies 0003; the PostgreSQL function
``comuna_append_only`` comes from bodies 0002): once written, no UPDATE or DELETE, whatever
code issues it. A spending correction is a new, reversing line.
"""

from django.db import migrations

TABLES = [
    "budgets_budgetballot",
    "budgets_votermark",
    "budgets_phasechange",
    "budgets_spending",
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
    for table in TABLES:
        for statement in create_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    for table in TABLES:
        for statement in drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0001_initial"),
        ("bodies", "0002_append_only_record"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
