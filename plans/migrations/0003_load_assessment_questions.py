"""Load the shipped opportunity-assessment questions; administrators edit them afterwards.

The questions are this migration's own frozen copy (0003_assessment_questions.json beside
it), not the live opportunities/assessment_questions.json: the live file may change or move later
without changing what this step of history loads."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_name("0003_assessment_questions.json")


def load(apps, schema_editor):
    Question = apps.get_model("plans", "AssessmentQuestion")
    for position, q in enumerate(json.loads(DATA.read_text(encoding="utf-8")), 1):
        Question.objects.update_or_create(code=q["code"], defaults={
            "heading": q["heading"], "position": position, "text_en": q["en"],
            "text_zh": q["zh"]})


def unload(apps, schema_editor):
    apps.get_model("plans", "AssessmentQuestion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_plans_assessment_and_review")]
    operations = [migrations.RunPython(load, unload)]
