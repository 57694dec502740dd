"""Load the guidance for the eight steps (opportunities/guidance_content.py) and the names
of each step's sales tools; administrators upload the tool files and edit the text."""

from django.db import migrations

LISTS = ("results", "checklist", "practices", "problems", "questions")


def load(apps, schema_editor):
    from opportunities.guidance_content import STEPS

    StepGuide = apps.get_model("opportunities", "StepGuide")
    SalesTool = apps.get_model("opportunities", "SalesTool")
    for step in STEPS:
        fields = {"title_en": step["title_en"], "title_zh": step["title_zh"],
                  "definition_en": step["definition_en"], "definition_zh": step["definition_zh"]}
        for name in LISTS:
            for lang in ("en", "zh"):
                fields[f"{name}_{lang}"] = "\n".join(step[f"{name}_{lang}"])
        guide, _ = StepGuide.objects.update_or_create(step=step["step"], defaults=fields)
        for en, zh in zip(step["tools_en"], step["tools_zh"], strict=True):
            SalesTool.objects.get_or_create(step=guide, title_en=en, defaults={"title_zh": zh})


def unload(apps, schema_editor):
    apps.get_model("opportunities", "StepGuide").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0003_selling_cycle")]
    operations = [migrations.RunPython(load, unload)]
