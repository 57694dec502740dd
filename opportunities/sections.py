"""What the opportunities app shows on the account and partner pages (osp.pages
sections, registered in opportunities/apps.py): the deals on the account, and those the
partner is on, as far as the reader may see them."""

from opportunities.models import Opportunity
from osp import access, permissions
from osp.pages import register_section


def account_deals(request, account) -> dict:
    user = request.user
    deals = access.visible_to(user, Opportunity,
                              account.opportunities.select_related("owner"))
    return {"account": account, "opportunities": deals.order_by("expected_close_date"),
            "can_open": permissions.can_add(user, Opportunity, account)}


def partner_deals(request, partner) -> dict:
    deals = access.visible_to(
        request.user, Opportunity, Opportunity.objects.filter(deal_partners__partner=partner)
        .select_related("account", "owner")).distinct()
    return {"partner": partner, "deals": deals}


def register():
    register_section("account", "opportunities/_account_deals.html", account_deals)
    register_section("partner", "opportunities/_partner_deals.html", partner_deals)
