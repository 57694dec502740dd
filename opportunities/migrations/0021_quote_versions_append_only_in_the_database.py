"""A quote's versions and their lines are append-only in the database too (on
PostgreSQL), with the trigger function of migration 0016: a revision is a new version,
never an edit of one the customer has seen."""

from django.db import migrations

TABLES = ("QuoteVersion", "QuoteLine")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (make run): Django's own AppendOnly guard only
    for name in TABLES:
        table = apps.get_model("opportunities", name)._meta.db_table
        schema_editor.execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION osp_refuse_history_change()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TABLES:
        table = apps.get_model("opportunities", name)._meta.db_table
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0020_quotes")]

    operations = [migrations.RunPython(forwards, backwards)]
