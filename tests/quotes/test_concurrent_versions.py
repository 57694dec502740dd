"""Two people revising the same quote at the same moment from the same version: one
version is written, the other is refused as stale, never two versions with one number.
Real threads, real transactions, on PostgreSQL."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from opportunities.models import ExchangeRate, OpportunityPartner, Product, QuoteVersion
from opportunities.quotes import quote_version_create
from osp.concurrency import StaleRecord
from tests.conftest import make_people
from tests.factories import AccountFactory, OpportunityFactory, PartnerFactory
from tests.quotes.conftest import in_days
from tests.threads import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_revisions_from_one_version_write_one(db):
    people = make_people()
    ExchangeRate.objects.create(currency="CNY", rate_to_base=Decimal("0.14"))
    product = Product.objects.create(code="CORE", name_en="Core", list_price=Decimal("100"),
                                     currency="USD")
    opp = OpportunityFactory(account=AccountFactory(owner=people.rep_a))
    OpportunityPartner.objects.create(opportunity=opp, role="reseller",
                                      partner=PartnerFactory(owner=people.admin))

    def revise(user, quantity, expected):
        def run():
            try:
                return quote_version_create(
                    opportunity=opp, user=user, valid_until=in_days(10),
                    lines=[{"product": product, "quantity": quantity}],
                    expected_version=expected).number
            except (StaleRecord, ValidationError) as e:
                return type(e).__name__
        return run

    for expected in range(5):
        answers = run_in_threads(revise(people.rep_a, 1, expected),
                                 revise(people.manager_a, 2, expected))
        assert sorted(answers, key=str) == sorted([expected + 1, "StaleRecord"], key=str)
    numbers = QuoteVersion.objects.order_by("number").values_list("number", flat=True)
    assert list(numbers) == [1, 2, 3, 4, 5]
