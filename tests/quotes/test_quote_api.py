"""The quote over the API: GET the versions, POST a new one."""

from opportunities.models import QuoteVersion
from tests.quotes.conftest import in_days, write


def _body(deal, **changes):
    body = {"lines": [{"product": deal.licence.pk, "quantity": "3", "discount_percent": "10"},
                      {"product": deal.appliance.pk, "quantity": 1}],
            "payment_terms": "Net 45", "reseller": deal.reseller.pk, "reseller_margin": "12",
            "valid_until": in_days(30).isoformat(), "expected_version": 0}
    body.update(changes)
    return body


def _url(deal):
    return f"/api/v1/opportunities/{deal.opp.pk}/quote-versions/"


def test_a_version_is_created_and_read_back(people, deal, api):
    client = api(people.rep_a)
    response = client.post(_url(deal), _body(deal), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1 and body["total"] == "85600.00"
    assert body["total_base"] == "85600.00" and body["base_currency"] == "USD"
    assert [li["line_total"] for li in body["lines"]] == ["32400.00", "53200.00"]
    assert body["lines"][1]["product_name_zh"] == "数据库一体机"
    assert body["reseller_name"] == "Jade Reseller" and body["net_total"] == "75328.00"
    assert body["accepted"] is False
    write(deal, people.rep_a, expected_version=1)
    listed = api(people.finance).get(_url(deal))
    assert listed.status_code == 200 and [v["number"] for v in listed.json()] == [2, 1]


def test_bad_input_is_a_400_with_messages_by_field(people, deal, api):
    client = api(people.rep_a)
    response = client.post(_url(deal), _body(deal, lines=[
        {"product": deal.licence.pk, "quantity": "0", "discount_percent": "101"}],
        reseller_margin="-1", valid_until="someday"), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"lines", "reseller_margin", "valid_until"}
    assert set(errors["lines"]["0"]) == {"quantity", "discount_percent"}  # by line index
    # Rules only the service knows come back by field too.
    response = client.post(_url(deal), _body(deal, reseller=deal.stranger.pk,
                                             valid_until=in_days(-1).isoformat(),
                                             lines=[{"product": deal.retired.pk,
                                                     "quantity": 1}]), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"lines", "reseller", "valid_until"}
    response = client.post(_url(deal), _body(deal, lines=[], payment_terms="a\x00b"),
                           format="json")
    assert response.status_code == 400 and set(response.json()) == {"lines", "payment_terms"}
    assert not QuoteVersion.objects.exists()


def test_a_stale_expected_version_is_a_412(people, deal, api):
    write(deal, people.manager_a)
    response = api(people.rep_a).post(_url(deal), _body(deal, expected_version=0),
                                      format="json")
    assert response.status_code == 412 and response.json()["current_version"] == 1
    assert QuoteVersion.objects.count() == 1


def test_finance_reads_but_may_not_write_and_others_see_nothing(people, deal, api):
    assert api(people.finance).post(_url(deal), _body(deal), format="json").status_code == 403
    assert api(people.rep_b).get(_url(deal)).status_code == 404
    assert api(people.rep_b).post(_url(deal), _body(deal), format="json").status_code == 404
    assert not QuoteVersion.objects.exists()


def test_the_customers_acceptance_is_recorded_and_the_deal_answered(people, deal, api):
    write(deal, people.rep_a)
    write(deal, people.rep_a, expected_version=1, lines=[
        {"product": deal.licence, "quantity": 1}])
    client = api(people.rep_a)
    url = f"/api/v1/opportunities/{deal.opp.pk}/quote-versions/"
    response = client.post(url + "1/accept/", {}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    assert client.post(url + "9/accept/", {}, format="json").status_code == 404
    assert api(people.finance).post(url + "2/accept/", {}, format="json").status_code == 403
    response = client.post(url + "2/accept/", {}, format="json")
    assert response.status_code == 200 and response.json()["amount"] == "12000.00"
    assert [v["accepted"] for v in client.get(url).json()] == [True, False]
