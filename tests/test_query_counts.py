"""List pages and API lists cost the same number of queries for 3 rows or 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from opportunities.models import Competitor, OpportunityPartner, OpportunityTeamMember, TeamRole
from osp.models import User
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, PartnerFactory


def _grow(people, n):
    competitor, _ = Competitor.objects.get_or_create(name="Oracle")
    partner = PartnerFactory(owner=people.admin)
    for _ in range(n):
        account = AccountFactory(owner=people.rep_a)
        ContactFactory(account=account)
        opp = OpportunityFactory(account=account)
        opp.competitors.add(competitor)
        OpportunityTeamMember.objects.create(opportunity=opp, user=people.presales_a,
                                             role=TeamRole.PRESALES)
        OpportunityPartner.objects.create(opportunity=opp, partner=partner, role="reseller")


def _count(fetch):
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries)


URLS = ["/opportunities/", "/accounts/", "/contacts/", "/partners/", "/territories/", "/",
        "/api/v1/opportunities/", "/api/v1/accounts/", "/api/v1/contacts/",
        "/api/v1/partners/", "/api/v1/territories/", "/api/v1/users/"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("who", ["manager_a", "admin"])
def test_queries_do_not_grow_with_rows(people, client, url, who):
    def fetch():
        # A fresh user object per request, as in real use (access caches on it).
        user = User.objects.get(username=who)
        if url.startswith("/api/"):
            api = APIClient()
            api.force_authenticate(user)
            return api.get(url)
        return client.get(url)  # the session loads a fresh user each request

    client.force_login(getattr(people, who))
    _grow(people, 3)
    small = _count(fetch)
    _grow(people, 27)
    large = _count(fetch)
    assert large == small, f"{url}: {small} queries for 3 rows, {large} for 30"
    assert large <= 12
