"""The public record is append-only in the database itself, not only in the services.

A BEFORE UPDATE / BEFORE DELETE trigger refuses any change to a written record entry, whoever
issues it (admin, a shell, a buggy migration, raw SQL). Errors are corrected by new entries.
This migration also creates the PostgreSQL function the other apps' triggers share
(see ``comuna/append_only.py``).
"""

from django.db import migrations

from comuna.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("bodies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(*append_only("bodies_recordentry", with_function=True), elidable=False),
    ]
