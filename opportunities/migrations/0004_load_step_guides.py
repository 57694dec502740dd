"""Load the guidance for the eight steps and the names of each step's sales tools;
administrators upload the tool files and edit the text.

The text is this migration's own frozen copy (0004_step_guides.json beside it), not the
live opportunities/step_guides.json: editing the shipped guidance later must not change
what this step of history loads."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_name("0004_step_guides.json")
LISTS = ("results", "checklist", "practices", "problems", "questions")


def load(apps, schema_editor):
    StepGuide = apps.get_model("opportunities", "StepGuide")
    SalesTool = apps.get_model("opportunities", "SalesTool")
    for step in json.loads(DATA.read_text(encoding="utf-8")):
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
