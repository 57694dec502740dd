"""A trigram index on the opportunity's name, on PostgreSQL, for the list's search (see
accounts 0004 and osp.pages.ListPage._searched). SQLite: nothing to do."""

from django.db import migrations

INDEX = "opportunity_name_trigram"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON opportunities_opportunity "
                          "USING gin (UPPER(name::text) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # Built CONCURRENTLY: writes go on while a large table is indexed (about 10 s for
    # 1,000,000 rows), which cannot happen inside a transaction.
    atomic = False

    dependencies = [
        ("accounts", "0004_name_trigram_index"),
        ("opportunities", "0013_account_visibility_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
