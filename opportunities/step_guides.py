"""The shipped guidance for the eight steps (step_guides.json beside this module: titles,
definitions, results, checklists, practices, problems, the manager's questions and the
sales tools' names, in English and Simplified Chinese, from METHODOLOGY.md §4).

The page reads the guidance from the database (`StepGuide`, `SalesTool`), where an
administrator edits it. A fresh database gets it from migration 0004, which loads a frozen
copy of its own, so editing this file never changes history. This file is the text as we
ship it today: `manage.py load_step_guides` writes it into a database (adding what is
missing, or with `--overwrite` restoring the shipped text over an administrator's edits).
When the shipped text changes, add a data migration with its own frozen copy so existing
databases get it too; a test checks that the migrated database holds this file's text.

The Chinese text is data, not a translation catalogue entry: makemessages never sees it."""

import json
from pathlib import Path

from django.db import transaction

from opportunities.models import SalesTool, StepGuide

DATA = Path(__file__).with_name("step_guides.json")
LISTS = ("results", "checklist", "practices", "problems", "questions")


def shipped_steps() -> list[dict]:
    """The shipped guidance as the file holds it: one dict a step, lists as lists."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def step_guide_fields(step: dict) -> dict:
    """A shipped step as `StepGuide` field values (lists become one item a line)."""
    fields = {f"{name}_{lang}": step[f"{name}_{lang}"]
              for name in ("title", "definition") for lang in ("en", "zh")}
    for name in LISTS:
        for lang in ("en", "zh"):
            fields[f"{name}_{lang}"] = "\n".join(step[f"{name}_{lang}"])
    return fields


@transaction.atomic
def step_guides_load(*, overwrite: bool = False) -> dict[str, int]:
    """Write the shipped guidance into the database. Steps and tools that are missing are
    added; with `overwrite`, existing steps and tools get the shipped text back (an
    administrator's edits of them are lost; uploaded tool files and added tools stay).
    Tools are matched by their English title. Returns how many rows were added and
    updated."""
    counts = {"added": 0, "updated": 0}
    for step in shipped_steps():
        fields = step_guide_fields(step)
        guide = StepGuide.objects.filter(step=step["step"]).first()
        if guide is None:
            guide = StepGuide.objects.create(step=step["step"], **fields)
            counts["added"] += 1
        elif overwrite and any(getattr(guide, k) != v for k, v in fields.items()):
            StepGuide.objects.filter(pk=guide.pk).update(**fields)
            counts["updated"] += 1
        for en, zh in zip(step["tools_en"], step["tools_zh"], strict=True):
            tool = SalesTool.objects.filter(step=guide, title_en=en).first()
            if tool is None:
                SalesTool.objects.create(step=guide, title_en=en, title_zh=zh)
                counts["added"] += 1
            elif overwrite and tool.title_zh != zh:
                SalesTool.objects.filter(pk=tool.pk).update(title_zh=zh)
                counts["updated"] += 1
    return counts
