import pytest
from django.core.exceptions import ValidationError

from accounts.models import Contact
from accounts.services import contact_create, contact_update, territory_update
from tests.factories import ContactFactory, TerritoryFactory


def test_a_rep_builds_the_org_chart_of_their_account(people, deals, api):
    client = api(people.rep_a)
    cio = client.post("/api/v1/contacts/", {"account": deals.account_a.pk, "last_name": "Wang",
                                            "title": "CIO", "buying_role": "business_lead"},
                      format="json")
    assert cio.status_code == 201, cio.json()
    lead = client.post("/api/v1/contacts/", {
        "account": deals.account_a.pk, "last_name": "Li", "title": "IT Director",
        "buying_role": "technical_lead", "reports_to": cio.json()["id"],
        "influence": "high", "attitude": "supporter"}, format="json")
    assert lead.status_code == 201, lead.json()


def test_the_org_chart_cannot_loop(people, deals):
    boss = ContactFactory(account=deals.account_a)
    report = ContactFactory(account=deals.account_a, reports_to=boss)
    with pytest.raises(ValidationError) as e:
        contact_update(contact=boss, user=people.rep_a, reports_to=report)
    assert "reports_to" in e.value.message_dict


def test_a_contact_reports_only_within_their_organisation(people, deals):
    other = ContactFactory(account=deals.account_b)
    with pytest.raises(ValidationError) as e:
        contact_create(user=people.admin, account=deals.account_a, last_name="X",
                       reports_to=other)
    assert "reports_to" in e.value.message_dict


def test_a_contact_belongs_to_exactly_one_organisation(people, api):
    response = api(people.admin).post("/api/v1/contacts/", {"last_name": "Nobody"},
                                      format="json")
    assert response.status_code == 400
    assert not Contact.objects.filter(last_name="Nobody").exists()


def test_a_territory_cannot_sit_inside_itself(people):
    root = TerritoryFactory(owner=people.director)
    child = TerritoryFactory(parent=root, owner=people.manager_a)
    with pytest.raises(ValidationError):
        territory_update(territory=root, user=people.admin, parent=child)


def test_the_account_page_draws_the_org_chart(people, deals, browser):
    cio = ContactFactory(account=deals.account_a, first_name="Hong", last_name="Wang",
                         title="CIO")
    ContactFactory(account=deals.account_a, first_name="Lei", last_name="Li",
                   title="IT Director", reports_to=cio)
    html = browser(people.rep_a).get(deals.account_a.get_absolute_url()).content.decode()
    chart = html[html.index('class="orgchart"'):]
    # The IT director is drawn nested under the CIO.
    assert chart.index("Hong Wang") < chart.index("<ul>") < chart.index("Lei Li")


def test_deleting_an_account_asks_first_and_refuses_while_deals_exist(people, deals, browser):
    client = browser(people.rep_a)
    confirm = client.get(f"/accounts/{deals.account_a.pk}/delete/")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    response = client.post(f"/accounts/{deals.account_a.pk}/delete/", follow=True)
    assert "still has opportunities" in response.content.decode()
    deals.account_a.refresh_from_db()


def test_api_delete_with_dependants_is_a_400(people, deals, api):
    response = api(people.rep_a).delete(f"/api/v1/accounts/{deals.account_a.pk}/")
    assert response.status_code == 400
    assert "still has opportunities" in str(response.json())


@pytest.mark.parametrize("url", ["/accounts/new/", "/territories/new/", "/partners/new/"])
def test_a_new_record_is_owned_by_its_creator_unless_they_choose(people, browser, url):
    html = browser(people.rep_a).get(url).content.decode()
    import re

    selected = re.search(r'<select name="owner"[^>]*>.*?</select>', html, re.S).group(0)
    assert f'<option value="{people.rep_a.pk}" selected>' in selected
