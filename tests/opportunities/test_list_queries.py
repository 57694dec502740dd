"""The pipeline board and the opportunity lists (browser and API) cost the same small
number of queries for 5 opportunities or 50 (issue #7: at most 10, whatever the size)."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from opportunities.models import (
    Competitor,
    OpportunityPartner,
    OpportunityTeamMember,
    Stage,
    TeamRole,
)
from osp.models import User
from tests.factories import AccountFactory, OpportunityFactory, PartnerFactory

MAX_QUERIES = 10
STAGES = [s.value for s in Stage]
PAGES = {
    "board": "/opportunities/board/",
    "board for one owner": "/opportunities/board/?owner={rep_a}",
    "list": "/opportunities/",
    "list sorted by amount": "/opportunities/?sort=-amount",
    "list filtered and searched": "/opportunities/?closes_after=2026-01-01&q=Deal",
    "API list": "/api/v1/opportunities/",
    "API list sorted": "/api/v1/opportunities/?ordering=-amount_base",
}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # This process's own cache: the shared default (files or Redis) is cleared by other
    # test processes at any moment, which would turn a cached read into an extra query.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _grow(people, n, rng):
    """n more opportunities at every stage: owned in the manager's team, or outside it but
    with someone of the team on the deal team (the other half of the visibility rule)."""
    competitor, _ = Competitor.objects.get_or_create(name="Oracle")
    partner = PartnerFactory(owner=people.admin)
    for i in range(n):
        outside = i % 3 == 0
        account = AccountFactory(owner=people.rep_b if outside else people.rep_a)
        opp = OpportunityFactory(
            account=account, stage=rng.choice(STAGES),
            amount=Decimal(rng.randrange(1000, 900000)),
            expected_close_date=datetime.date(2027, 1, 1) + datetime.timedelta(rng.randrange(9)))
        opp.amount_base = opp.amount
        opp.save()
        opp.competitors.add(competitor)
        OpportunityPartner.objects.create(opportunity=opp, partner=partner, role="reseller")
        if outside:
            OpportunityTeamMember.objects.create(opportunity=opp, user=people.presales_a,
                                                 role=TeamRole.PRESALES)


def _queries(people, url, who):
    # A fresh user per request, as in real use (access caches the scope on the user).
    user = User.objects.get(pk=getattr(people, who).pk)
    url = url.format(rep_a=people.rep_a.pk)
    if url.startswith("/api/"):
        client = APIClient()
        client.force_authenticate(user)
    else:
        from django.test import Client

        client = Client()
        client.force_login(user)
    client.get(url)  # warm: caches filled once per process in real use (stage categories)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("who", ["manager_a", "presales_a", "admin"])
def test_the_same_queries_for_5_or_50_opportunities(people, page, who):
    rng = random.Random(7)
    _grow(people, 5, rng)
    small, first = _queries(people, PAGES[page], who)
    _grow(people, 45, rng)
    large, second = _queries(people, PAGES[page], who)
    assert large == small, f"{page}: {small} queries for 5 opportunities, {large} for 50"
    assert large <= MAX_QUERIES, f"{page}: {large} queries"
    assert first.content != second.content  # the pages did show the new rows


def test_the_board_counts_every_visible_deal_once(people):
    """Totals add the parts of the visibility rule: a deal of the team that also has a team
    member on it counts once; a deal outside the team counts through its team member."""
    mine = OpportunityFactory(account=AccountFactory(owner=people.rep_a), stage="2",
                              amount=Decimal("100"), amount_base=Decimal("100"))
    OpportunityTeamMember.objects.create(opportunity=mine, user=people.presales_a,
                                         role=TeamRole.PRESALES)
    theirs = OpportunityFactory(account=AccountFactory(owner=people.rep_b), stage="2",
                                amount=Decimal("40"), amount_base=Decimal("40"))
    OpportunityTeamMember.objects.create(opportunity=theirs, user=people.presales_a,
                                         role=TeamRole.PRESALES)
    OpportunityFactory(account=AccountFactory(owner=people.rep_b), stage="2",
                       amount=Decimal("7"), amount_base=Decimal("7"))  # not visible
    from opportunities.selectors import pipeline_board

    columns = {c["stage"]: c for c in pipeline_board(user=people.manager_a)}
    assert (columns["2"]["n"], columns["2"]["total"]) == (2, Decimal("140"))
    assert [c.pk for c in columns["2"]["cards"]] == [mine.pk, theirs.pk]
    everything = {c["stage"]: c for c in pipeline_board(user=people.admin)}
    assert (everything["2"]["n"], everything["2"]["total"]) == (3, Decimal("147"))
    one_owner = {c["stage"]: c for c in pipeline_board(user=people.manager_a,
                                                        owner_id=people.rep_b.pk)}
    assert [c.pk for c in one_owner["2"]["cards"]] == [theirs.pk]


def _names(html):
    import re

    return re.findall(r'<td><a href="/opportunities/\d+/">([^<]+)</a></td>', html)


@pytest.mark.parametrize("found_first", [1, 2, 5000])  # below, at and above the matches
def test_a_search_pages_through_exactly_the_visible_matches(people, browser, monkeypatch,
                                                           found_first):
    from osp import pages

    monkeypatch.setattr(pages, "SEARCH_FIRST", found_first)
    mine = AccountFactory(name="Harbour Bank", owner=people.rep_a)
    OpportunityFactory(name="Core banking", account=AccountFactory(owner=people.rep_a))
    OpportunityFactory(name="Payments", account=mine)  # found through its account's name
    OpportunityFactory(name="Loans", account=AccountFactory(owner=people.rep_a))
    OpportunityFactory(name="Their bank deal", account=AccountFactory(owner=people.rep_b))
    client = browser(people.manager_a)
    html = client.get("/opportunities/", {"q": "bank", "sort": "name"}).content.decode()
    assert _names(html) == ["Core banking", "Payments"]
    assert "2 records" in html
    assert _names(client.get("/opportunities/", {"q": "nothing"}).content.decode()) == []
    # Only through the account's name, and only the deals this manager may see.
    AccountFactory(name="Harbour Lights", owner=people.rep_b)
    assert _names(client.get("/opportunities/", {"q": "HARBOUR"}).content.decode()) == [
        "Payments"]


def test_the_owner_filter_lists_the_people_in_scope_by_name(people, browser):
    import re

    from django.utils.html import escape

    html = browser(people.manager_a).get("/opportunities/",
                                         {"owner": people.rep_a.pk}).content.decode()
    select = re.search(r'<select name="owner".*?</select>', html, re.S).group(0)
    assert f'<option value="{people.rep_a.pk}" selected>{escape(people.rep_a)}</option>' in select
    assert f'<option value="{people.manager_a.pk}">' in select
    assert f'value="{people.rep_b.pk}"' not in select  # another manager's rep


def test_the_capped_count_reads_the_deals_alone(people, browser):
    """The count ("more than 1,000") joins neither the account nor the owner that the rows
    show: those joins cost the count a third of its time on a manager's 47,000 deals."""
    OpportunityFactory(account=AccountFactory(owner=people.rep_a))
    client = browser(people.manager_a)
    client.get("/opportunities/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/opportunities/", {"sort": "account"}).content.decode()
    counts = [q["sql"] for q in captured.captured_queries
              if q["sql"].startswith("SELECT COUNT(*) FROM (SELECT")]
    assert len(counts) == 1
    assert "account" not in counts[0].split("WHERE")[0].lower().replace(
        "opportunities_opportunity", "")
    assert "osp_user" not in counts[0]
    assert "1 record" in html


def test_the_owner_choices_come_with_the_scope_in_name_order(people, browser):
    people.rep_a2.first_name, people.rep_a2.last_name = "Aaron", "Zhou"
    people.rep_a2.save()
    client = browser(people.manager_a)
    client.get("/opportunities/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/opportunities/").content.decode()
    select = html[html.index('<select name="owner"'):]
    select = select[:select.index("</select>")]
    shown = [int(pk) for pk in __import__("re").findall(r'value="(\d+)"', select)]
    in_scope = User.objects.filter(pk__in=[people.manager_a.pk, people.rep_a.pk,
                                           people.rep_a2.pk, people.presales_a.pk])
    assert shown == [u.pk for u in in_scope.order_by("first_name", "last_name", "username")]
    assert shown[0] == people.rep_a2.pk
    people_queries = [q["sql"] for q in captured.captured_queries
                      if 'FROM "osp_user" WHERE' in q["sql"]
                      and "osp_notification" not in q["sql"]]  # the navigation's badges
    assert len(people_queries) == 1 and "password" in people_queries[0]  # the session's user
