"""The record lists answer exactly what the records answer: every field, its format
(decimals, dates, times, translated labels), the nested lists and their order. (The
opportunity list is built from plain rows, opportunities.selectors.api_list_page, with a
serializer of its own: OpportunityListSerializer.)"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opportunities.models import Competitor, OpportunityPartner, OpportunityTeamMember
from tests.factories import (
    AccountFactory,
    ContactFactory,
    OpportunityFactory,
    PartnerFactory,
    TerritoryFactory,
    UserFactory,
)

LISTS = ["opportunities", "accounts", "contacts", "partners", "territories"]


@pytest.fixture
def records(people):
    nameless = UserFactory(username="nameless", first_name="", last_name="",
                           manager=people.manager_a)
    top = TerritoryFactory(name="Asia", owner=people.manager_a)
    TerritoryFactory(name="North", parent=top, owner=None)
    account = AccountFactory(name="Alpha Bank", owner=people.rep_a, territory=top)
    bare = AccountFactory(name="Beta Telecom", owner=nameless, territory=None)
    partner = PartnerFactory(name="Gamma Integrators", owner=people.rep_a)
    PartnerFactory(name="Delta Software", owner=people.rep_b)
    ContactFactory(account=account, first_name="Li", last_name="Wei")
    ContactFactory(account=None, partner=partner, first_name="Ana", last_name="Lima")
    rich = OpportunityFactory(
        name="Core banking", account=account, amount=Decimal("1234567.5"),
        amount_base=Decimal("1234567.5"), quoted_amount=Decimal("99.99"),
        discount_percent=Decimal("12.5"), po_date=datetime.date(2026, 3, 31),
        expected_close_date=datetime.date(2026, 12, 31), currency="EUR")
    OpportunityFactory(name="Plain", account=bare)  # no team, partner or competitor
    OpportunityFactory(name="Sibling", account=account, owner=people.rep_a2)
    OpportunityTeamMember.objects.create(opportunity=rich, user=people.presales_a,
                                         role="presales")
    OpportunityTeamMember.objects.create(opportunity=rich, user=people.rep_a2,
                                         role="channel")
    OpportunityPartner.objects.create(opportunity=rich, partner=partner, role="integrator")
    rich.competitors.add(Competitor.objects.create(name="Zeta"),
                         Competitor.objects.create(name="Acme"))
    return people


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("route", LISTS)
def test_the_list_answers_what_the_record_answers(records, api, route, language):
    client = api(records.director)
    listed = client.get(f"/api/v1/{route}/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
    assert len(listed) >= 2
    for row in listed:
        one = client.get(f"/api/v1/{route}/{row['id']}/", HTTP_ACCEPT_LANGUAGE=language)
        assert row == one.json()


def test_nested_lists_keep_their_order_and_empty_ones_are_empty(records, api):
    listed = {o["name"]: o for o in
              api(records.director).get("/api/v1/opportunities/").json()["results"]}
    assert listed["Core banking"]["competitors"] == ["Acme", "Zeta"]
    assert [m["role"] for m in listed["Core banking"]["team"]] == ["presales", "channel"]
    assert listed["Core banking"]["partners"][0]["partner_name"] == "Gamma Integrators"
    assert listed["Core banking"]["amount"] == "1234567.50"
    assert listed["Plain"]["team"] == listed["Plain"]["partners"] == []
    assert listed["Plain"]["owner_name"] == "nameless"


def test_the_nested_lists_cost_one_query_each_whatever_the_page(records, api):
    client = api(records.director)
    client.get("/api/v1/opportunities/")  # the scope, cached on the user from then on
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/opportunities/?page_size=1").json()["results"]) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/opportunities/").json()["results"]) == 3
    assert len(small) == len(large)


def test_a_rep_lists_only_what_they_see(records, api):
    names = {o["name"] for o in
             api(records.rep_a2).get("/api/v1/opportunities/").json()["results"]}
    assert names == {"Core banking", "Sibling"}  # on the team of one, owner of the other
