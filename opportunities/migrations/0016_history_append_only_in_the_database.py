"""The selling cycle's history (stage changes, confirmations and withdrawals, approval
decisions, finance records) is append-only in the database itself, not only through
Django: on PostgreSQL a trigger refuses UPDATE and DELETE of their rows, whoever sends
them. The one exception: a confirmation keeps the name of the contact it named
(`contact_name`), so deleting that contact may set `contact_id` to NULL (ON DELETE SET
NULL) and change nothing else. TRUNCATE (an administrator emptying a database) is left
alone."""

from django.db import migrations

HISTORY = {"StageChange": None, "Attestation": "contact_id", "ApprovalDecision": None,
           "FinanceRecord": None}

FUNCTION = """
CREATE OR REPLACE FUNCTION osp_refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0
       AND (to_jsonb(NEW) - TG_ARGV[0]) = (to_jsonb(OLD) - TG_ARGV[0])
       AND to_jsonb(NEW) -> TG_ARGV[0] = 'null'::jsonb THEN
        RETURN NEW;  -- the contact it named was deleted; its name stays in the row
    END IF;
    RAISE EXCEPTION '% rows are append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'History is kept as it was written; record a new row instead.';
END
$$;
"""


def _tables(apps):
    for name, exception in HISTORY.items():
        yield apps.get_model("opportunities", name)._meta.db_table, exception


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (make run): Django's own AppendOnly guard only
    schema_editor.execute(FUNCTION, params=None)  # its % are PL/pgSQL's, not placeholders
    for table, exception in _tables(apps):
        argument = f"'{exception}'" if exception else ""
        schema_editor.execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION osp_refuse_history_change({argument})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _exception in _tables(apps):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS osp_refuse_history_change()")


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0015_opportunity_updated_by")]

    operations = [migrations.RunPython(forwards, backwards)]
