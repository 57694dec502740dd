"""Load the shipped opportunity-assessment questions (plans/assessment_questions.py);
administrators edit them afterwards."""

from django.db import migrations


def load(apps, schema_editor):
    from plans.assessment_questions import QUESTIONS

    Question = apps.get_model("plans", "AssessmentQuestion")
    for position, q in enumerate(QUESTIONS, 1):
        Question.objects.update_or_create(code=q["code"], defaults={
            "heading": q["heading"], "position": position, "text_en": q["en"],
            "text_zh": q["zh"]})


def unload(apps, schema_editor):
    apps.get_model("plans", "AssessmentQuestion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_plans_assessment_and_review")]
    operations = [migrations.RunPython(load, unload)]
