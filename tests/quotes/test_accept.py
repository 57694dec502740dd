"""The customer accepts a version: the deal's amount follows it, as any edit of the deal
does (a new deal version, a change in the sync feed, the gates rechecked)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opportunities.models import Opportunity, Quote
from opportunities.quotes import quote_version_accept
from sync.models import FeedChange
from tests.quotes.conftest import in_days, write


def test_accepting_moves_the_deals_amount_to_the_quote(people, deal):
    version = write(deal, people.rep_a)
    before = Opportunity.objects.get(pk=deal.opp.pk).version
    opp = quote_version_accept(version=version, user=people.rep_a)
    assert opp.amount == Decimal("32400.00") and opp.amount_base == Decimal("32400.00")
    assert opp.version == before + 1
    quote = Quote.objects.get()
    assert quote.accepted == version and quote.accepted_by == people.rep_a
    change = FeedChange.objects.filter(type="opportunities", object_id=opp.pk).latest("seq")
    assert change.version == opp.version and change.data["amount"] == "32400.00"


def test_a_deal_in_another_currency_keeps_its_base_amount_in_step(people, deal):
    Opportunity.objects.filter(pk=deal.opp.pk).update(currency="CNY")
    version = write(deal, people.rep_a, lines=[{"product": deal.appliance, "quantity": 2}])
    opp = quote_version_accept(version=version, user=people.rep_a)
    assert (opp.amount, opp.amount_base) == (Decimal("760000.00"), Decimal("106400.00"))


def test_only_the_current_version_can_be_accepted(people, deal):
    first = write(deal, people.rep_a)
    write(deal, people.rep_a, expected_version=1)
    with pytest.raises(ValidationError) as e:
        quote_version_accept(version=first, user=people.rep_a)
    assert "no longer the current one" in e.value.messages[0]
    assert Opportunity.objects.get(pk=deal.opp.pk).amount == Decimal("100000")


def test_an_expired_version_cannot_be_accepted(people, deal):
    version = write(deal, people.rep_a, valid_until=in_days(0))
    version.valid_until = in_days(-1)  # as it is tomorrow (the row itself is append-only)
    with pytest.raises(ValidationError):
        quote_version_accept(version=version, user=people.rep_a)
    assert Quote.objects.get().accepted is None


@pytest.mark.parametrize("who", ["rep_b", "finance"])
def test_only_those_who_may_change_the_deal_record_the_acceptance(people, deal, who):
    version = write(deal, people.rep_a)
    with pytest.raises(PermissionDenied):
        quote_version_accept(version=version, user=getattr(people, who))
    assert Quote.objects.get().accepted is None


def test_accepting_twice_changes_nothing_more(people, deal):
    version = write(deal, people.rep_a)
    first = quote_version_accept(version=version, user=people.rep_a)
    again = quote_version_accept(version=version, user=people.manager_a)
    assert again.version == first.version
    assert Quote.objects.get().accepted_by == people.rep_a
