"""The deal plan and the opportunity assessment move to the opportunities app (issue #16).
Their tables are renamed, rows and all, to the names that app gives them; the models leave
this app's state (opportunities.0018 takes them in). The depth thresholds, copied to
opportunities.DealPlanSettings by opportunities.0017, leave PlanSettings."""

from django.db import migrations

MOVED = ["AssessmentAnswer", "Assessment", "AssessmentQuestion", "OpportunityPlan"]


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0005_plan_revision'),
        ('opportunities', '0017_deal_plan_settings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name, f"opportunities_{name.lower()}")
                for name in MOVED
            ],
            state_operations=[migrations.DeleteModel(name) for name in MOVED],
        ),
        migrations.RemoveField(model_name='plansettings', name='assessment_from'),
        migrations.RemoveField(model_name='plansettings', name='tas_from'),
    ]
