"""A manager is away between two dates (issue #17 §5) instead of by a switch: whoever was
marked away is away from today until further notice."""

import datetime

from django.db import migrations, models


def switch_to_dates(apps, schema_editor):
    apps.get_model("osp", "User").objects.filter(is_away=True).update(
        away_from=datetime.date.today())


def dates_to_switch(apps, schema_editor):
    apps.get_model("osp", "User").objects.filter(away_from__isnull=False).update(is_away=True)


class Migration(migrations.Migration):

    dependencies = [
        ('osp', '0007_owner_change'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='away_from',
            field=models.DateField(blank=True, null=True, verbose_name='away from'),
        ),
        migrations.AddField(
            model_name='user',
            name='away_until',
            field=models.DateField(blank=True, help_text='The last day away; empty: until further notice.', null=True, verbose_name='away until'),
        ),
        migrations.RunPython(switch_to_dates, dates_to_switch),
        migrations.RemoveField(
            model_name='user',
            name='is_away',
        ),
    ]
