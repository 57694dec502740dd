"""A rep writes the deal's quote in the browser (keyboard only for the lines), checks the
totals before saving, records the customer's acceptance, and the quotation prints in
Chinese on a phone-sized screen too."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import PartnerType
from opportunities.models import ExchangeRate, Opportunity, OpportunityPartner, Product
from tests.factories import AccountFactory, OpportunityFactory, PartnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_rep_writes_a_quote_and_the_customer_accepts_it(people, person, live_server):
    ExchangeRate.objects.create(currency="CNY", rate_to_base=Decimal("0.14"))
    Product.objects.create(code="CORE-ENT", name_en="Core platform licence",
                           name_zh="核心平台许可", list_price=Decimal("12000"), currency="USD")
    Product.objects.create(code="HW-X8", name_en="Database appliance", name_zh="数据库一体机",
                           list_price=Decimal("380000"), currency="CNY")
    opp = OpportunityFactory(name="Gamma claims platform",
                             account=AccountFactory(name="Gamma Insurance", owner=people.rep_a))
    OpportunityPartner.objects.create(opportunity=opp, role="reseller", partner=PartnerFactory(
        name="Jade Reseller", type=PartnerType.RESELLER, owner=people.admin))
    rep = person(people.rep_a)

    page = rep.goto(opp.get_absolute_url())
    page.get_by_role("link", name="Write the quote").click()
    first = page.get_by_label("Line 1: product")
    first.select_option(label="CORE-ENT · Core platform licence — 12,000.00 USD")
    first.focus()  # then the keyboard: quantity, discount
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("10")
    expect(page.get_by_label("Line 1: Discount (%)")).to_have_value("10")
    page.get_by_label("Line 2: product").select_option(label="HW-X8 · Database appliance"
                                                       " — 380,000.00 CNY")
    page.get_by_label("Line 2: Quantity").fill("1")
    page.get_by_label("Reseller", exact=True).select_option(label="Jade Reseller")
    page.get_by_label("Reseller margin (%)").fill("12")
    page.get_by_label("Payment terms").fill("Net 45")
    page.get_by_role("button", name="Calculate totals").click()
    expect(page.locator(".quote-preview")).to_contain_text("85,600.00")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".message.success")).to_have_text("Quote version 1 saved.")
    card = page.locator("#quote")
    expect(card).to_contain_text("85,600.00")
    expect(card).to_contain_text("Jade Reseller")

    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="The customer accepted version 1").click()
    expect(page.locator(".message.success")).to_contain_text("85,600.00 USD")
    assert Opportunity.objects.get(pk=opp.pk).amount == Decimal("85600.00")

    rep.context.add_cookies([{"name": "django_language", "value": "zh-hans",
                              "url": live_server.url}])
    page.set_viewport_size({"width": 390, "height": 844})
    page = rep.goto(f"/opportunities/{opp.pk}/quote/1/")
    sheet = page.locator(".quote-sheet")
    expect(sheet).to_contain_text("报价单")
    expect(sheet).to_contain_text("核心平台许可")
    expect(sheet).to_contain_text("85,600.00")
    expect(sheet).not_to_contain_text("Core platform licence")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
