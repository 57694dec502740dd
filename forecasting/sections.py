"""What the forecasting app shows on a plan's page (an osp.pages section, registered in
forecasting/apps.py): an account plan's pipeline "in the same format as the forecast
sheet" (METHODOLOGY.md §5), the export's columns and rows."""

from forecasting.export import pipeline_table
from opportunities.models import UNPAID_STAGES
from osp.pages import register_section


def account_plan_pipeline(request, plan) -> dict | None:
    if plan.account_id is None:  # a territory or partner plan
        return None
    headers, rows = pipeline_table(plan.account.opportunities.filter(stage__in=UNPAID_STAGES))
    return {"headers": headers, "rows": rows}


def register():
    register_section("plan", "forecasting/_plan_pipeline.html", account_plan_pipeline)
