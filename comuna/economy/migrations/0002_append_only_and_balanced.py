"""Accounts, entries and lines are append-only; on PostgreSQL every entry must balance at commit.

Append-only: the triggers of ``comuna/append_only.py`` (the function comes from bodies 0002).
Balanced: a DEFERRABLE INITIALLY DEFERRED constraint trigger re-adds each new entry's lines when
the transaction commits and refuses the commit if they do not sum to zero, if there are fewer
than two, or if a line's account belongs to another body. Deferred, because an entry and its
lines are inserted one row at a time. SQLite has no deferred triggers: there the service and
the verifier keep the balance (ADR 0100).
"""

from django.db import migrations

from comuna.append_only import append_only

BALANCED = """
CREATE OR REPLACE FUNCTION comuna_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
    total numeric;
    lines integer;
    strangers integer;
BEGIN
    IF TG_TABLE_NAME = 'economy_line' THEN target := NEW.entry_id; ELSE target := NEW.id; END IF;
    SELECT COALESCE(SUM(l.amount), 0), COUNT(*), COUNT(*) FILTER (WHERE a.body_id <> e.body_id)
      INTO total, lines, strangers
      FROM economy_entry e
      LEFT JOIN economy_line l ON l.entry_id = e.id
      LEFT JOIN economy_account a ON a.id = l.account_id
     WHERE e.id = target;
    IF total <> 0 OR lines < 2 OR strangers > 0 THEN
        RAISE EXCEPTION 'comuna: ledger entry % does not balance (sum %, % lines, % foreign)',
            target, total, lines, strangers
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER economy_entry_balanced AFTER INSERT ON economy_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION comuna_entry_balances();
CREATE CONSTRAINT TRIGGER economy_line_balanced AFTER INSERT ON economy_line
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION comuna_entry_balances();
"""

UNBALANCED = """
DROP TRIGGER IF EXISTS economy_line_balanced ON economy_line;
DROP TRIGGER IF EXISTS economy_entry_balanced ON economy_entry;
DROP FUNCTION IF EXISTS comuna_entry_balances();
"""


def balanced(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BALANCED, params=None)


def unbalanced(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNBALANCED, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("economy", "0001_initial"),
        ("bodies", "0002_append_only_record"),
    ]

    operations = [
        migrations.RunPython(
            *append_only("economy_account", "economy_entry", "economy_line"), elidable=False
        ),
        migrations.RunPython(balanced, unbalanced, elidable=False),
    ]
