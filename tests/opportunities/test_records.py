"""Creating and changing opportunities: validation, currencies, nothing half-saved,
and the stage that only transitions may write."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from opportunities.models import ExchangeRate, Opportunity
from opportunities.services import opportunity_create


def test_it_creates_a_lead_with_team_partners_and_competitors(people, deals, api):
    from tests.factories import PartnerFactory

    reseller = PartnerFactory(owner=people.admin)
    response = api(people.rep_a).post("/api/v1/opportunities/", {
        "name": "Alpha payments", "account": deals.account_a.pk, "amount": "250000",
        "expected_close_date": "2027-03-31", "lead_source": "event",
        "team": [{"user": people.presales_a.pk, "role": "presales"}],
        "partners": [{"partner": reseller.pk, "role": "reseller"}],
        "competitor_names": ["Oracle", "IBM"],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == "lead"
    assert body["owner"] == people.rep_a.pk
    assert body["team"] == [{"user": people.presales_a.pk, "role": "presales"}]
    assert body["partners"][0]["partner_name"] == reseller.name
    assert sorted(body["competitors"]) == ["IBM", "Oracle"]


def test_amounts_are_kept_in_the_base_currency(people, deals):
    ExchangeRate.objects.create(currency="CNY", rate_to_base=Decimal("0.14"))
    opp = opportunity_create(user=people.rep_a, account=deals.account_a, name="CNY deal",
                             amount=Decimal("1000000"), currency="cny",
                             expected_close_date="2027-01-01")
    assert opp.currency == "CNY"
    assert opp.amount_base == Decimal("140000.00")


def test_a_currency_without_a_rate_is_a_clear_field_error(people, deals, api):
    response = api(people.rep_a).post("/api/v1/opportunities/", {
        "name": "Yen deal", "account": deals.account_a.pk, "amount": "5000000",
        "currency": "JPY", "expected_close_date": "2027-01-01"}, format="json")
    assert response.status_code == 400
    assert "exchange rate for JPY" in response.json()["currency"][0]
    assert not Opportunity.objects.filter(name="Yen deal").exists()


def test_bad_input_gets_field_messages(people, deals, api):
    response = api(people.rep_a).post("/api/v1/opportunities/", {
        "name": "", "account": deals.account_a.pk, "amount": "-5",
        "expected_close_date": "not a date"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"name", "amount", "expected_close_date"}


def test_unknown_fields_are_refused(people, deals, api):
    response = api(people.rep_a).patch(f"/api/v1/opportunities/{deals.opp_a.pk}/",
                                       {"probability": 90}, format="json")
    assert response.status_code == 400
    assert response.json()["probability"] == ["Unknown field."]


def test_nothing_is_half_saved_when_a_related_row_is_bad(people, deals, api):
    # The opportunity itself is valid; a duplicate team member is not: no opportunity.
    response = api(people.rep_a).post("/api/v1/opportunities/", {
        "name": "Half", "account": deals.account_a.pk, "amount": "1000",
        "expected_close_date": "2027-01-01",
        "team": [{"user": people.presales_a.pk, "role": "presales"},
                 {"user": people.presales_a.pk, "role": "channel"}],
    }, format="json")
    assert response.status_code == 400
    assert "team" in response.json()
    assert not Opportunity.objects.filter(name="Half").exists()


def test_stage_cannot_be_written_through_crud(people, deals, api):
    response = api(people.rep_a).patch(f"/api/v1/opportunities/{deals.opp_a.pk}/",
                                       {"stage": "5"}, format="json")
    assert response.status_code == 400
    assert "/transition/" in response.json()["stage"][0]
    deals.opp_a.refresh_from_db()
    assert deals.opp_a.stage == "lead"
    response = api(people.rep_a).post("/api/v1/opportunities/", {
        "name": "Imported", "account": deals.account_a.pk, "amount": "1",
        "expected_close_date": "2027-01-01", "stage": "6"}, format="json")
    assert response.status_code == 400 and "stage" in response.json()


def test_the_stage_field_itself_refuses_assignment(deals):
    with pytest.raises(AttributeError):
        deals.opp_a.stage = "5"


def test_the_service_refuses_a_stage(people, deals):
    with pytest.raises(ValidationError):
        opportunity_create(user=people.rep_a, account=deals.account_a, name="x",
                           amount=Decimal(1), expected_close_date="2027-01-01", stage="6")


def test_admin_shows_the_stage_read_only(people, deals, client):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    page = client.get(f"/admin/opportunities/opportunity/{deals.opp_a.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="stage"' not in html
    assert 'name="name"' in html


def test_the_browser_form_has_no_stage_and_saves_through_the_service(people, deals, browser):
    client = browser(people.rep_a)
    form = client.get(f"/opportunities/{deals.opp_a.pk}/edit/").content.decode()
    assert 'name="stage"' not in form
    response = client.post(f"/opportunities/{deals.opp_a.pk}/edit/", {
        "name": "Alpha core banking v2", "account": deals.account_a.pk,
        "owner": people.rep_a.pk, "amount": "120000", "currency": "USD",
        "expected_close_date": "2027-02-01", "lead_source": "web",
        "competitor_names": "SAP, Oracle", "stage": "9",
    })
    assert response.status_code == 302
    deals.opp_a.refresh_from_db()
    assert deals.opp_a.name == "Alpha core banking v2"
    assert deals.opp_a.stage == "lead"
    assert sorted(c.name for c in deals.opp_a.competitors.all()) == ["Oracle", "SAP"]


def test_the_browser_form_shows_errors_and_keeps_input(people, deals, browser):
    response = browser(people.rep_a).post("/opportunities/new/", {
        "name": "Draft deal", "account": deals.account_a.pk, "owner": people.rep_a.pk,
        "amount": "-1", "currency": "USD", "expected_close_date": "", "lead_source": "web",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft deal" in html
    assert "has-error" in html
    assert not Opportunity.objects.filter(name="Draft deal").exists()


def test_in_chinese_the_edit_form_keeps_its_dates(people, deals, browser):
    """<input type="date"> reads only ISO dates: in the Chinese input format (2027/03/31)
    the field showed empty, and saving the form unchanged lost the PO date."""
    deals.opp_a.po_date = datetime.date(2027, 1, 15)
    deals.opp_a.expected_close_date = datetime.date(2027, 3, 31)
    deals.opp_a.save()
    client = browser(people.rep_a)
    client.cookies["django_language"] = "zh-hans"
    form = client.get(f"/opportunities/{deals.opp_a.pk}/edit/",
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in form
    assert 'type="date" name="expected_close_date" value="2027-03-31"' in form
    assert 'type="date" name="po_date" value="2027-01-15"' in form
