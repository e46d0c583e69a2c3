"""Election ballots, voter marks and recall signatures are append-only in the database, like
the assembly's ballots (``comuna/append_only.py``)."""

from django.db import migrations

from comuna.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("offices", "0001_initial"),
        ("assemblies", "0003_append_only_ballots"),
    ]

    operations = [
        migrations.RunPython(
            *append_only(
                "offices_electionballot", "offices_electionvotermark", "offices_recallsignature"
            ),
            elidable=False,
        )
    ]
