"""A trigram index on the account's name (PostgreSQL), for searches by any part of it
(osp.pages.ListPage._searched)."""

from django.db import migrations

from osp.migration_operations import AddTrigramIndex


class Migration(migrations.Migration):
    atomic = False  # the index is built CONCURRENTLY

    dependencies = [
        ("accounts", "0003_sync_version_soft_delete"),
    ]

    operations = [AddTrigramIndex("accounts_account", "name", "account_name_trigram")]
