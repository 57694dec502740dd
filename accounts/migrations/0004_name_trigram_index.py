"""A trigram index on the account's name, on PostgreSQL: a search for any part of a name
(`name__icontains`, which Django writes as UPPER(name) LIKE UPPER('%...%')) finds the
accounts by index instead of reading them all. SQLite has no such index; nothing to do."""

from django.db import migrations

INDEX = "account_name_trigram"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON accounts_account "
                          "USING gin (UPPER(name::text) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # Built CONCURRENTLY: writes go on while a large table is indexed (about 10 s for
    # 1,000,000 rows), which cannot happen inside a transaction.
    atomic = False

    dependencies = [
        ("accounts", "0003_sync_version_soft_delete"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
