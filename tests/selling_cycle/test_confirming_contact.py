"""A confirmation records who confirmed it as "name (title)"; a contact whose name and
title are long together still confirms (the title is shortened), on every route."""

import pytest

from opportunities import selling_cycle as cycle
from opportunities.models import Attestation
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory

CODE = "2.project_initiated"


@pytest.fixture
def long_named(people):
    account = AccountFactory(owner=people.rep_a)
    contact = ContactFactory(account=account, first_name="F" * 80, last_name="L" * 80,
                             title="Senior Vice President " + "T" * 98)
    return OpportunityFactory(account=account), contact


def test_the_longest_name_and_title_confirm_with_the_title_shortened(people, long_named):
    opp, contact = long_named
    attestation = cycle.criterion_attest(opportunity=opp, user=people.rep_a, code=CODE,
                                         note="Kick-off minutes", contact=contact)
    label = Attestation.objects.get(pk=attestation.pk).contact_name
    assert len(label) == 200
    assert label.startswith(f"{contact.name} (Senior Vice President T")
    assert label.endswith("…)")
    assert attestation.contact == contact


def test_a_short_title_is_kept_whole(people, long_named):
    opp, contact = long_named
    contact.title = "CIO"
    contact.save()
    attestation = cycle.criterion_attest(opportunity=opp, user=people.rep_a, code=CODE,
                                         note="Kick-off minutes", contact=contact)
    assert attestation.contact_name == f"{contact.name} (CIO)"


def test_the_api_and_the_browser_confirm_with_such_a_contact(people, api, browser,
                                                             long_named):
    opp, contact = long_named
    response = api(people.rep_a).post(f"/api/v1/opportunities/{opp.pk}/attest/", {
        "criterion": CODE, "note": "Kick-off minutes", "contact": contact.pk}, format="json")
    assert response.status_code == 201, response.content
    browser(people.rep_a).post(f"/opportunities/{opp.pk}/withdraw/", {
        "criterion": CODE, "note": "Wrong meeting"})
    browser(people.rep_a).post(f"/opportunities/{opp.pk}/attest/", {
        "criterion": CODE, "note": "The right minutes", "contact": contact.pk})
    assert list(Attestation.objects.values_list("action", flat=True)) == [
        "attest", "withdraw", "attest"]
