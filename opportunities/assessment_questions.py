"""The opportunity assessment's question bank as shipped (assessment_questions.json beside
this module: 20 questions under the four headings of `AssessmentHeading`, in English and
Simplified Chinese).

The assessment reads the questions from the database (`AssessmentQuestion`), where an
administrator edits them. A fresh database gets them from migration plans/0003, which loads
a frozen copy of its own, so this file may change or move without changing history. This
file is the bank as we ship it today: `manage.py load_assessment_questions` writes it into
a database (adding missing questions, or with `--overwrite` restoring the shipped wording
and order). When the shipped bank changes, add a data migration with its own frozen copy;
a test checks that the migrated database holds this file's questions.

The Chinese text is data, not a translation catalogue entry: makemessages never sees it."""

import json
from pathlib import Path

from django.db import transaction

from opportunities.models import AssessmentQuestion

DATA = Path(__file__).with_name("assessment_questions.json")


def shipped_questions() -> list[dict]:
    """The shipped bank in order: dicts of code, heading, en, zh."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def question_fields(position: int, question: dict) -> dict:
    """A shipped question as `AssessmentQuestion` field values."""
    return {"heading": question["heading"], "position": position,
            "text_en": question["en"], "text_zh": question["zh"]}


@transaction.atomic
def assessment_questions_load(*, overwrite: bool = False) -> dict[str, int]:
    """Write the shipped questions into the database, matched by code. Missing ones are
    added; with `overwrite`, existing ones get the shipped heading, position and wording
    back (an administrator's edits of them are lost; questions they added or took out of
    use stay as they are). Returns how many were added and updated."""
    counts = {"added": 0, "updated": 0}
    existing = {q.code: q for q in AssessmentQuestion.objects.all()}
    for position, question in enumerate(shipped_questions(), 1):
        fields = question_fields(position, question)
        current = existing.get(question["code"])
        if current is None:
            AssessmentQuestion.objects.create(code=question["code"], **fields)
            counts["added"] += 1
        elif overwrite and any(getattr(current, k) != v for k, v in fields.items()):
            AssessmentQuestion.objects.filter(pk=current.pk).update(**fields)
            counts["updated"] += 1
    return counts
