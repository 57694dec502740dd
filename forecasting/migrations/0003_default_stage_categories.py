"""The default forecast category and probability of each stage; admins change them. The
mapping is this migration's own copy, as shipped then (the live one is
opportunities.models.DEFAULT_CATEGORIES): later edits there do not rewrite history."""

from django.db import migrations

DEFAULT_CATEGORIES = {
    "lead": ("not_forecast", 0), "2": ("pipeline", 10), "3": ("pipeline", 20),
    "4": ("pipeline", 30), "5": ("pipeline", 40), "6": ("best_case", 60), "7": ("commit", 80),
    "8": ("commit", 90), "9": ("won", 100), "9.5": ("booked", 100), "10": ("booked", 100),
    "lost": ("omitted", 0), "no_go": ("omitted", 0),
}


def load(apps, schema_editor):
    StageCategory = apps.get_model("forecasting", "StageCategory")
    for stage, (category, probability) in DEFAULT_CATEGORIES.items():
        StageCategory.objects.get_or_create(stage=stage, defaults={
            "category": category, "probability": probability})


class Migration(migrations.Migration):
    dependencies = [("forecasting", "0002_forecast")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
