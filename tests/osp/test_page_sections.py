"""Pages of one app show what apps above it hold about the record through sections those
apps register (osp.pages): the account page its deals, the deal page its action items,
the account plan its pipeline; the app below imports none of them (scripts/check_layers)."""

from django.test import RequestFactory

from opportunities.models import Opportunity
from osp.pages import page_sections, register_section
from plans import services as plans
from tests.factories import OpportunityFactory, TerritoryFactory


def test_the_account_page_lists_the_deals_the_reader_may_see_and_offers_a_new_one(
        people, deals, browser):
    OpportunityFactory(name="Alpha data centre", account=deals.account_a, owner=people.rep_b)
    html = browser(people.rep_a).get(deals.account_a.get_absolute_url()).content.decode()
    assert "Alpha core banking" in html and "Alpha data centre" not in html
    assert f"/accounts/{deals.account_a.pk}/opportunities/new/" in html

    finance = browser(people.finance).get(deals.account_a.get_absolute_url()).content.decode()
    assert "Alpha core banking" in finance and "Alpha data centre" in finance
    assert f"/accounts/{deals.account_a.pk}/opportunities/new/" not in finance  # reads only


def test_the_deal_page_shows_its_action_items_from_the_plans_app(people, deals, browser):
    plans.action_item_add(user=people.rep_a, opportunity=deals.opp_a, what="Send the quote",
                          assignee=people.rep_a, due="2027-01-15")
    html = browser(people.rep_a).get(deals.opp_a.get_absolute_url()).content.decode()
    assert "Send the quote" in html
    assert f"/opportunities/{deals.opp_a.pk}/action-items/" in html


def test_only_an_account_plan_shows_the_forecast_sheet_pipeline(people, deals, browser):
    account_plan = plans.plan_create(user=people.rep_a, kind="account", subject=deals.account_a)
    territory = TerritoryFactory(owner=people.manager_a)
    territory_plan = plans.plan_create(user=people.manager_a, kind="territory",
                                       subject=territory)
    client = browser(people.manager_a)
    assert "Weighted amount" in client.get(account_plan.get_absolute_url()).content.decode()
    assert "Weighted amount" not in client.get(
        territory_plan.get_absolute_url()).content.decode()


def test_sections_come_in_registration_order_and_one_with_nothing_to_show_is_left_out(
        people, deals):
    register_section("test-page", "a.html", lambda request, record: {"n": record.pk})
    register_section("test-page", "none.html", lambda request, record: None)
    register_section("test-page", "b.html", lambda request, record: {"n": 2})
    request = RequestFactory().get("/")
    drawn = page_sections("test-page", request, Opportunity(pk=1))
    assert drawn == [{"template": "a.html", "context": {"n": 1}},
                     {"template": "b.html", "context": {"n": 2}}]
    assert page_sections("no-such-page", request, Opportunity(pk=1)) == []
