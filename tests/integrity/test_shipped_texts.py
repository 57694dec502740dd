"""The shipped texts (the step guidance, the assessment question bank) are data files the
database is loaded from: a migrated database holds exactly what the live files say, the
data migrations read only their own frozen copies (so editing a live file never changes
history), and the load commands add what is missing or restore the shipped text."""

import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from opportunities.assessment_questions import question_fields, shipped_questions
from opportunities.models import AssessmentQuestion, SalesTool, StepGuide
from opportunities.step_guides import shipped_steps, step_guide_fields

pytestmark = pytest.mark.django_db

GUIDE_MIGRATION = "opportunities.migrations.0004_load_step_guides"
QUESTION_MIGRATION = "plans.migrations.0003_load_assessment_questions"


def _guides_in_database():
    return {g.step: ({f: getattr(g, f) for f in step_guide_fields(shipped_steps()[0])},
                     sorted((t.title_en, t.title_zh) for t in g.tools.all()))
            for g in StepGuide.objects.prefetch_related("tools")}


def _shipped_guides():
    return {s["step"]: (step_guide_fields(s), sorted(zip(s["tools_en"], s["tools_zh"],
                                                         strict=True)))
            for s in shipped_steps()}


def _questions_in_database():
    return {q.code: {"heading": q.heading, "position": q.position, "text_en": q.text_en,
                     "text_zh": q.text_zh} for q in AssessmentQuestion.objects.all()}


def _shipped_questions():
    return {q["code"]: question_fields(position, q)
            for position, q in enumerate(shipped_questions(), 1)}


def test_a_migrated_database_holds_the_shipped_guidance_in_both_languages():
    shipped = _shipped_guides()
    assert sorted(shipped) == list(range(1, 9))
    assert all(fields["title_zh"] and fields["checklist_zh"] for fields, _ in shipped.values())
    assert _guides_in_database() == shipped


def test_a_migrated_database_holds_the_shipped_question_bank():
    shipped = _shipped_questions()
    assert len(shipped) == 20
    assert _questions_in_database() == shipped


class TodaysModels:
    """The models a data migration asks for, as they are today: the question bank has moved
    from plans to opportunities since (issue #16), its table with it."""

    def get_model(self, app_label, model_name):
        if (app_label, model_name) == ("plans", "AssessmentQuestion"):
            app_label = "opportunities"
        return apps.get_model(app_label, model_name)


@pytest.mark.parametrize(("migration", "frozen", "clear"), [
    (GUIDE_MIGRATION, "0004_step_guides.json", StepGuide),
    (QUESTION_MIGRATION, "0003_assessment_questions.json", AssessmentQuestion),
])
def test_the_data_migrations_read_only_their_own_frozen_copy(monkeypatch, migration, frozen,
                                                             clear):
    module = importlib.import_module(migration)
    read = []
    real_read_text = Path.read_text

    def spy(path, *args, **kwargs):
        read.append(Path(path).name)
        return real_read_text(path, *args, **kwargs)

    in_database = _guides_in_database if clear is StepGuide else _questions_in_database
    before = in_database()
    clear.objects.all().delete()
    monkeypatch.setattr(Path, "read_text", spy)
    module.load(TodaysModels(), None)
    monkeypatch.undo()
    assert read == [frozen]
    after = in_database()
    assert after == before


def test_loading_the_guidance_adds_what_is_missing_and_keeps_an_administrators_edits():
    StepGuide.objects.filter(step=8).delete()
    StepGuide.objects.filter(step=1).update(title_en="Our own title")
    call_command("load_step_guides", stdout=StringIO())
    assert StepGuide.objects.get(step=1).title_en == "Our own title"
    assert StepGuide.objects.filter(step=8).exists()
    assert SalesTool.objects.filter(step__step=8).count() == len(shipped_steps()[7]["tools_en"])


def test_loading_the_guidance_with_overwrite_restores_the_shipped_text():
    StepGuide.objects.filter(step=1).update(title_en="Our own title", checklist_zh="")
    call_command("load_step_guides", "--overwrite", stdout=StringIO())
    assert _guides_in_database() == _shipped_guides()


def test_loading_the_question_bank_adds_missing_questions_and_overwrite_restores_wording():
    AssessmentQuestion.objects.filter(code="win.champion").delete()
    AssessmentQuestion.objects.filter(code="worth.size").update(text_en="Big enough?")
    call_command("load_assessment_questions", stdout=StringIO())
    assert AssessmentQuestion.objects.get(code="worth.size").text_en == "Big enough?"
    assert AssessmentQuestion.objects.filter(code="win.champion").exists()
    call_command("load_assessment_questions", "--overwrite", stdout=StringIO())
    assert _questions_in_database() == _shipped_questions()
