from django.db import migrations


def forwards(apps, schema_editor):
    # Records that existed before sync start at version 1, as if just created.
    for app, name in (("accounts", "Account"), ("accounts", "Contact"),
                      ("accounts", "Partner"), ("opportunities", "Opportunity")):
        apps.get_model(app, name).objects.filter(version=0).update(version=1)
    apps.get_model("sync", "FeedHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_initial"),
        ("accounts", "0003_sync_version_soft_delete"),
        ("opportunities", "0010_sync_version_soft_delete"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
