"""The default forecast category and probability of each stage; admins change them."""

from django.db import migrations


def load(apps, schema_editor):
    from forecasting.models import DEFAULT_CATEGORIES

    StageCategory = apps.get_model("forecasting", "StageCategory")
    for stage, (category, probability) in DEFAULT_CATEGORIES.items():
        StageCategory.objects.get_or_create(stage=stage, defaults={
            "category": category, "probability": probability})


class Migration(migrations.Migration):
    dependencies = [("forecasting", "0002_forecast")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
