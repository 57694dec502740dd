"""The forecast category of each stage (StageCategory) and the risk rules' settings
(RiskRuleSetting) move from forecasting to opportunities (issue #16): the selling cycle's
pages, risk flags and period filter read them, and forecasting stands on opportunities.
forecasting.0005 renamed their tables, rows and all; here the models enter this app's
state, with no change to the database, and their content types follow them."""

import django.core.validators
from django.db import migrations, models

MOVED = ["stagecategory", "riskrulesetting"]


def move_content_types(apps, schema_editor, source="forecasting", target="opportunities"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        ContentType.objects.filter(app_label=target, model=model).delete()
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="opportunities", target="forecasting")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('opportunities', '0018_deal_plan_from_plans'),
        ('forecasting', '0005_stage_categories_and_risk_rules_move_to_opportunities'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='RiskRuleSetting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, unique=True, verbose_name='rule')),
                        ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                        ('days', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='days')),
                    ],
                    options={
                        'verbose_name': 'risk rule',
                        'verbose_name_plural': 'risk rules',
                    },
                ),
                migrations.CreateModel(
                    name='StageCategory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stage', models.CharField(max_length=8, unique=True, verbose_name='stage')),
                        ('category', models.CharField(choices=[('not_forecast', 'Not forecast'), ('pipeline', 'Pipeline'), ('best_case', 'Best case'), ('commit', 'Commit'), ('won', 'Won (awaiting finance)'), ('booked', 'Booked'), ('omitted', 'Omitted')], max_length=20, verbose_name='category')),
                        ('probability', models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(100)], verbose_name='probability (%)')),
                    ],
                    options={
                        'verbose_name': 'stage category',
                        'verbose_name_plural': 'stage categories',
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
