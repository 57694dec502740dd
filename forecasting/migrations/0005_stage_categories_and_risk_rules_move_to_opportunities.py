"""The forecast category of each stage and the risk rules' settings move to the
opportunities app (issue #16). Their tables are renamed, rows and all, to the names that
app gives them; the models leave this app's state (opportunities.0019 takes them in)."""

from django.db import migrations

MOVED = ["StageCategory", "RiskRuleSetting"]


class Migration(migrations.Migration):

    dependencies = [
        ('forecasting', '0004_risk_rules'),
        ('opportunities', '0018_deal_plan_from_plans'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name, f"opportunities_{name.lower()}")
                for name in MOVED
            ],
            state_operations=[migrations.DeleteModel(name) for name in MOVED],
        ),
    ]
