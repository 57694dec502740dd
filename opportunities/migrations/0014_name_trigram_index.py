"""A trigram index on the opportunity's name (PostgreSQL), for the list's search (see
accounts 0004 and osp.pages.ListPage._searched)."""

from django.db import migrations

from osp.migration_operations import AddTrigramIndex


class Migration(migrations.Migration):
    atomic = False  # the index is built CONCURRENTLY

    dependencies = [
        ("accounts", "0004_name_trigram_index"),
        ("opportunities", "0013_account_visibility_index"),
    ]

    operations = [AddTrigramIndex("opportunities_opportunity", "name",
                                  "opportunity_name_trigram")]
