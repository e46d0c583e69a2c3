"""Ballots, voter marks, roll-call votes and decisions are append-only in the database.

Same triggers as the public record (``comuna/append_only.py``; bodies 0002 creates the
PostgreSQL function): once written, they cannot be changed or removed, whatever code tries.
"""

from django.db import migrations

from comuna.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("assemblies", "0002_initial"),
        ("bodies", "0002_append_only_record"),
    ]

    operations = [
        migrations.RunPython(
            *append_only(
                "assemblies_secretballot",
                "assemblies_votermark",
                "assemblies_rollcallvote",
                "assemblies_decision",
            ),
            elidable=False,
        ),
    ]
