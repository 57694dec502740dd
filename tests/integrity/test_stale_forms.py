"""A browser edit form carries the version it was opened at: saved after someone else's
change, it comes back saying who changed what, with the user's input kept, and nothing
is written until the user saves again (issue #15, §1)."""

import re

import pytest
from django.db import transaction

from accounts.models import Account
from accounts.services import account_update
from opportunities.models import Opportunity
from opportunities.services import opportunity_update
from sync.models import FeedChange
from tests.factories import AccountFactory, OpportunityFactory
from tests.threads import run_in_threads


def _form_fields(html: str) -> dict:
    """The form's inputs as the browser would post them back (text inputs, hidden
    inputs, textareas and selected options)."""
    data = {}
    for name, value in re.findall(r'<input type="(?:hidden|text|url|email|number|date)" '
                                  r'name="([^"]+)"(?: value="([^"]*)")?', html):
        data[name] = value
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html,
                                  re.S):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'<input type="checkbox" name="([^"]+)"[^>]*checked', html):
        data[name] = "on"
    return {k: v.replace("&quot;", '"').replace("&amp;", "&").replace("&#x27;", "'")
            for k, v in data.items()}


@pytest.fixture
def account(people):
    return AccountFactory(owner=people.rep_a, name="Alpha Bank", goals="")


def test_the_edit_form_carries_the_version_it_was_opened_at(client, people, account):
    client.force_login(people.rep_a)
    fields = _form_fields(client.get(f"/accounts/{account.pk}/edit/").content.decode())
    assert fields["version"] == str(account.version)
    assert "Alpha Bank" in fields["opened_as"]


def test_a_form_saved_after_someone_elses_change_comes_back_keeping_the_input(
        client, people, account):
    client.force_login(people.rep_a)
    fields = _form_fields(client.get(f"/accounts/{account.pk}/edit/").content.decode())
    # Meanwhile the manager changes the goals.
    account_update(account=account, user=people.manager_a, goals="Win the core banking RFP")
    fields["name"] = "Alpha Bank (Shanghai)"
    answer = client.post(f"/accounts/{account.pk}/edit/", fields)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert str(people.manager_a) in page  # who changed it
    # What changed: a field the user left alone takes the new value into the form.
    assert "Updated meanwhile to: Win the core banking RFP (now in the form)" in page
    assert 'value="Alpha Bank (Shanghai)"' in page  # the user's input, kept
    account.refresh_from_db()
    assert (account.name, account.goals) == ("Alpha Bank", "Win the core banking RFP")
    # The re-shown form is at the new version: saving it again applies the user's values.
    again = _form_fields(page)
    assert again["version"] == str(account.version)
    assert client.post(f"/accounts/{account.pk}/edit/", again).status_code == 302
    account.refresh_from_db()
    assert (account.name, account.goals) == ("Alpha Bank (Shanghai)",
                                             "Win the core banking RFP")


def test_a_field_both_people_changed_keeps_the_users_input_beside_the_other_value(
        client, people, account):
    client.force_login(people.rep_a)
    fields = _form_fields(client.get(f"/accounts/{account.pk}/edit/").content.decode())
    account_update(account=account, user=people.manager_a, name="Alpha Bank Group")
    fields["name"] = "Alpha Bank (Shanghai)"
    page = client.post(f"/accounts/{account.pk}/edit/", fields).content.decode()
    assert "Changed meanwhile to: Alpha Bank Group" in page
    assert 'value="Alpha Bank (Shanghai)"' in page
    assert Account.objects.get(pk=account.pk).name == "Alpha Bank Group"


def test_the_same_in_chinese(client, people, account):
    client.force_login(people.rep_a)
    fields = _form_fields(client.get(f"/accounts/{account.pk}/edit/").content.decode())
    account_update(account=account, user=people.manager_a, goals="新目标")
    page = client.post(f"/accounts/{account.pk}/edit/", fields,
                       HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "新目标" in page
    assert "Changed meanwhile" not in page


def test_a_form_opened_before_a_change_by_the_service_race_is_refused_too(people, account):
    """The version is checked again by the service under the row lock: a change committed
    between the form's validation and its save is caught there."""
    from osp.concurrency import StaleRecord

    opened = Account.objects.get(pk=account.pk)
    account_update(account=account, user=people.manager_a, goals="meanwhile")
    with pytest.raises(StaleRecord), transaction.atomic():
        account_update(account=opened, user=people.rep_a, expected_version=opened.version,
                       name="from the old form")
    account.refresh_from_db()
    assert account.name == "Alpha Bank"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_a_stage_move_gets_the_changed_message_not_a_500():
    from django.test import Client

    from opportunities.selling_cycle import opportunity_transition
    from tests.conftest import make_people

    people = make_people()
    deal = OpportunityFactory(account=AccountFactory(owner=people.rep_a))
    browser = Client()
    browser.force_login(people.rep_a)
    outcomes = []
    for i in range(12):
        fields = _form_fields(browser.get(f"/opportunities/{deal.pk}/edit/").content.decode())
        fields["next_step"] = f"step {i}"
        target = "no_go" if i % 2 == 0 else "lead"
        answers = run_in_threads(
            lambda f=fields: browser.post(f"/opportunities/{deal.pk}/edit/", f),
            lambda t=target: opportunity_transition(
                opportunity=Opportunity.objects.get(pk=deal.pk), user=people.manager_a,
                to=t, reason="customer paused", loss_reason="customer paused"))
        page = answers[0]
        assert page.status_code in (200, 302), page.status_code
        outcomes.append(page.status_code)
        if page.status_code == 200:
            assert "after you opened it" in page.content.decode()
    # Each edit either landed (before the move) or was refused with the message.
    assert set(outcomes) <= {200, 302}
    deal.refresh_from_db()
    assert deal.stage == "lead"  # 12 moves, every one made
    versions = list(FeedChange.objects.filter(type="opportunities", object_id=deal.pk)
                    .order_by("seq").values_list("version", flat=True))
    assert versions == list(range(1, deal.version + 1))


def test_an_opportunity_form_refused_as_stale_lists_the_changed_field(client, people):
    deal = OpportunityFactory(account=AccountFactory(owner=people.rep_a), next_step="call")
    client.force_login(people.rep_a)
    fields = _form_fields(client.get(f"/opportunities/{deal.pk}/edit/").content.decode())
    opportunity_update(opportunity=deal, user=people.manager_a, next_step="demo on Friday")
    fields["description"] = "my notes"
    page = client.post(f"/opportunities/{deal.pk}/edit/", fields).content.decode()
    assert "Updated meanwhile to: demo on Friday" in page
    assert "my notes" in page
    deal.refresh_from_db()
    assert (deal.next_step, deal.description) == ("demo on Friday", "")


def test_the_admin_refuses_an_edit_opened_before_another_change(client, people, account):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    url = f"/admin/accounts/account/{account.pk}/change/"
    page = client.get(url).content.decode()
    assert f'name="opened_at_version" value="{account.version}"' in page
    account_update(account=account, user=people.manager_a, goals="meanwhile")
    answer = client.post(url, {"name": "From the admin", "owner": people.rep_a.pk,
                               "industry": account.industry, "size": account.size,
                               "opened_at_version": account.version,  # as opened
                               "contacts-TOTAL_FORMS": 0, "contacts-INITIAL_FORMS": 0})
    assert answer.status_code == 200
    assert str(people.manager_a) in answer.content.decode()
    account.refresh_from_db()
    assert (account.name, account.goals) == ("Alpha Bank", "meanwhile")
