"""Fill won_on / booked_on from the stage history for deals that reached 9 or 10."""

from django.db import migrations


def backfill(apps, schema_editor):
    Opportunity = apps.get_model("opportunities", "Opportunity")
    StageChange = apps.get_model("opportunities", "StageChange")
    for field, stage in (("won_on", "9"), ("booked_on", "10")):
        for change in StageChange.objects.filter(to_stage=stage).order_by("at"):
            Opportunity.objects.filter(pk=change.opportunity_id).update(
                **{field: change.at.date()})


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0006_won_on_booked_on")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
