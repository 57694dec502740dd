"""Models moved between apps (issue #16) keep every row: migrating a database that holds
them, written before the move, keeps them and their links; migrating back returns them.
The deal plan and assessment went from plans to opportunities, the stage categories and
risk rule settings from forecasting to opportunities."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("opportunities", "0016_history_append_only_in_the_database"),
          ("plans", "0005_plan_revision")]
AFTER = [("opportunities", "0018_deal_plan_from_plans"),
         ("plans", "0006_deal_plan_moves_to_opportunities")]


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _migrate(targets):
    """Migrate to `targets` (and whatever depends on them, backwards); the models as the
    database then holds them."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    applied = set(loader.applied_migrations)
    latest = [node for node in applied
              if not any(child in applied for child in loader.graph.node_map[node].children
                         if child[0] == node[0])]
    return loader.project_state(latest).apps


@pytest.mark.django_db(transaction=True)
def test_moving_the_deal_plan_keeps_every_row_and_the_thresholds():
    old = _migrate(BEFORE)
    try:
        User = old.get_model("osp", "User")
        rep = User.objects.create(username="move-rep")
        account = old.get_model("accounts", "Account").objects.create(name="Move Ltd",
                                                                      owner=rep)
        deal = old.get_model("opportunities", "Opportunity").objects.create(
            name="Move deal", account=account, owner=rep, amount=Decimal("80000"),
            amount_base=Decimal("80000"), currency="USD", expected_close_date="2027-03-31")
        old.get_model("plans", "OpportunityPlan").objects.create(
            opportunity=deal, version=1, author=rep, win_strategy="Be first")
        question = old.get_model("plans", "AssessmentQuestion").objects.create(
            code="move.q", heading="win", text_en="Do we have a champion?", text_zh="有支持者吗？")
        assessment = old.get_model("plans", "Assessment").objects.create(
            opportunity=deal, stage="2", author=rep)
        old.get_model("plans", "AssessmentAnswer").objects.create(
            assessment=assessment, question=question, answer="yes")
        old.get_model("plans", "PlanSettings").objects.all().delete()
        old.get_model("plans", "PlanSettings").objects.create(
            assessment_from=Decimal("12000"), tas_from=Decimal("34000"), review_grace_days=9)

        new = _migrate(AFTER)
        plan = new.get_model("opportunities", "OpportunityPlan").objects.get(opportunity=deal.pk)
        assert (plan.version, plan.win_strategy, plan.author_id) == (1, "Be first", rep.pk)
        answer = new.get_model("opportunities", "AssessmentAnswer").objects.get()
        assert (answer.assessment.opportunity_id, answer.question.code,
                answer.answer) == (deal.pk, "move.q", "yes")
        thresholds = new.get_model("opportunities", "DealPlanSettings").objects.get()
        assert (thresholds.assessment_from, thresholds.tas_from) == (Decimal("12000"),
                                                                     Decimal("34000"))
        assert new.get_model("plans", "PlanSettings").objects.get().review_grace_days == 9
        assert "plans_opportunityplan" not in connection.introspection.table_names()

        back = _migrate(BEFORE)
        assert back.get_model("plans", "OpportunityPlan").objects.get().win_strategy == "Be first"
        assert back.get_model("plans", "PlanSettings").objects.get().tas_from == Decimal("34000")
    finally:
        MigrationExecutor(connection).migrate(_leaves())


@pytest.mark.django_db(transaction=True)
def test_moving_the_stage_categories_keeps_an_administrators_settings():
    targets = [("opportunities", "0018_deal_plan_from_plans"),
               ("forecasting", "0004_risk_rules")]
    old = _migrate(targets)
    try:
        old.get_model("forecasting", "StageCategory").objects.update_or_create(
            stage="8", defaults={"category": "won", "probability": 95})
        old.get_model("forecasting", "RiskRuleSetting").objects.create(
            code="no_activity", enabled=False, days=21)

        new = _migrate([
            ("opportunities", "0019_stage_categories_and_risk_rules_from_forecasting"),
            ("forecasting", "0005_stage_categories_and_risk_rules_move_to_opportunities")])
        eight = new.get_model("opportunities", "StageCategory").objects.get(stage="8")
        assert (eight.category, eight.probability) == ("won", 95)
        rule = new.get_model("opportunities", "RiskRuleSetting").objects.get()
        assert (rule.code, rule.enabled, rule.days) == ("no_activity", False, 21)
    finally:
        MigrationExecutor(connection).migrate(_leaves())
