"""Election ballots and voter marks are append-only in the database, like the assembly's
(assemblies 0003 holds the trigger SQL for both engines)."""

import importlib

from django.db import migrations

_triggers = importlib.import_module("comuna.assemblies.migrations.0003_append_only_ballots")
TABLES = ["offices_electionballot", "offices_electionvotermark", "offices_recallsignature"]


def forwards(apps, schema_editor):
    for table in TABLES:
        for statement in _triggers.create_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    for table in TABLES:
        for statement in _triggers.drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("offices", "0001_initial"),
        ("assemblies", "0003_append_only_ballots"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
