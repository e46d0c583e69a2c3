"""Ballots, voter marks, phase changes and spending lines are append-only in the database.

The same triggers as the assemblies' ballots (``comuna/append_only.py``; the PostgreSQL
function ``comuna_append_only`` comes from bodies 0002): once written, no UPDATE or DELETE, whatever
code issues it. A spending correction is a new, reversing line.
"""

from django.db import migrations

from comuna.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0001_initial"),
        ("bodies", "0002_append_only_record"),
    ]

    operations = [
        migrations.RunPython(
            *append_only(
                "budgets_budgetballot",
                "budgets_votermark",
                "budgets_phasechange",
                "budgets_spending",
            ),
            elidable=False,
        ),
    ]
