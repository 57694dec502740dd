"""How deep a deal's plan must be is the selling cycle's setting now (DealPlanSettings),
copied from the thresholds plans.PlanSettings held; plans.0006 then drops them there."""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def copy_thresholds(apps, schema_editor):
    old = apps.get_model("plans", "PlanSettings").objects.first()
    if old is not None:
        apps.get_model("opportunities", "DealPlanSettings").objects.create(
            assessment_from=old.assessment_from, tas_from=old.tas_from)


def copy_back(apps, schema_editor):
    new = apps.get_model("opportunities", "DealPlanSettings").objects.first()
    if new is not None:
        apps.get_model("plans", "PlanSettings").objects.update(
            assessment_from=new.assessment_from, tas_from=new.tas_from)


class Migration(migrations.Migration):

    dependencies = [
        ('opportunities', '0016_history_append_only_in_the_database'),
        ('plans', '0005_plan_revision'),
    ]

    operations = [
        migrations.CreateModel(
            name='DealPlanSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('assessment_from', models.DecimalField(decimal_places=2, default=Decimal('50000'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='the opportunity assessment is required from')),
                ('tas_from', models.DecimalField(decimal_places=2, default=Decimal('100000'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='the TAS opportunity plan is required above')),
            ],
            options={
                'verbose_name': 'deal plan settings',
                'verbose_name_plural': 'deal plan settings',
            },
        ),
        migrations.RunPython(copy_thresholds, copy_back),
    ]
