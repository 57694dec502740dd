"""The opportunity list and API page by cursor (issue #7): every visible row once, in
order, however many share a value; back and forth; no page numbers, no full count."""

import datetime
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory

from opportunities.models import Opportunity
from osp.keyset import encode_cursor
from osp.pages import Column, ListPage
from tests.factories import AccountFactory, OpportunityFactory

DAY = datetime.date(2027, 3, 1)


@pytest.fixture
def book(people):
    """60 deals of rep_a on three close dates and four amounts (many ties), 5 of rep_b."""
    account = AccountFactory(owner=people.rep_a, name="Alpha Bank")
    deals = [OpportunityFactory(account=account, name=f"Deal {i:02d}",
                                expected_close_date=DAY + datetime.timedelta(days=i % 3),
                                amount=Decimal(1000 * (i % 4 + 1)),
                                amount_base=Decimal(1000 * (i % 4 + 1)))
             for i in range(60)]
    other = AccountFactory(owner=people.rep_b)
    for i in range(5):
        OpportunityFactory(account=other, name=f"Hidden {i}")
    return deals


def _browse(client, url):
    """Follow the Next links from `url`; the names on each page, and the pages' HTML."""
    pages = []
    while url:
        html = client.get(url).content.decode()
        names = re.findall(r">(Deal \d\d)</a>", html)
        pages.append((names, html))
        found = re.search(r'<a href="\?([^"]*)"[^>]*>Next', html)
        url = "/opportunities/?" + found.group(1).replace("&amp;", "&") if found else None
    return pages


def test_next_links_show_every_row_once_in_order(book, browser, people):
    client = browser(people.manager_a)
    pages = _browse(client, "/opportunities/")
    names = [n for page, _html in pages for n in page]
    expected = [o.name for o in sorted(book, key=lambda o: (o.expected_close_date, o.pk))]
    assert names == expected
    assert [len(page) for page, _html in pages] == [25, 25, 10]
    assert "60 records" in pages[0][1] and "Page 1" not in pages[0][1]
    assert "Previous" not in pages[0][1] and "Previous" in pages[1][1]


def test_sorted_descending_with_ties_and_back_again(book, browser, people):
    client = browser(people.manager_a)
    pages = _browse(client, "/opportunities/?sort=-amount")
    names = [n for page, _html in pages for n in page]
    expected = [o.name for o in sorted(book, key=lambda o: (o.amount_base, o.pk), reverse=True)]
    assert names == expected
    back = re.search(r'<a href="\?([^"]*)"[^>]*>‹ Previous', pages[2][1]).group(1)
    html = client.get("/opportunities/?" + back.replace("&amp;", "&")).content.decode()
    assert re.findall(r">(Deal \d\d)</a>", html) == pages[1][0]


def test_a_cursor_of_another_sort_starts_again(book, browser, people):
    client = browser(people.manager_a)
    qs = Opportunity.objects.order_by("name", "pk")
    stale = encode_cursor(["name", "pk"], qs[10], before=False)
    html = client.get(f"/opportunities/?sort=close&cursor={stale}").content.decode()
    first = sorted(book, key=lambda o: (o.expected_close_date, o.pk))[0]
    assert re.findall(r">(Deal \d\d)</a>", html)[0] == first.name
    assert client.get("/opportunities/?cursor=not-a-cursor").status_code == 200


def test_the_total_is_counted_up_to_a_cap(book, people):
    request = RequestFactory().get("/opportunities/")
    request.user = people.manager_a
    page = ListPage(request, Opportunity.objects.all(), columns=[Column("name", "Name", "name")],
                    keyset=True, count_cap=50, per_page=10)
    pager = page.context()["pager"]
    assert pager["more"] and pager["total"] == 50
    page.count_cap = 100
    assert page.context()["pager"]["total"] == 65


def _walk_api(client, url):
    rows, pages = [], []
    while url:
        body = client.get(url).json()
        pages.append(body)
        rows += [r["name"] for r in body["results"]]
        url = body["next"]
    return rows, pages


def test_the_api_pages_by_cursor(book, api, people):
    client = api(people.manager_a)
    rows, pages = _walk_api(client, "/api/v1/opportunities/?page_size=7")
    assert rows == [o.name for o in sorted(book, key=lambda o: o.pk)]
    assert "count" not in pages[0] and pages[0]["previous"] is None
    assert pages[1]["previous"] is not None
    rows, pages = _walk_api(client, "/api/v1/opportunities/?ordering=-amount_base,name"
                                    "&page_size=9")
    assert rows == [o.name for o in sorted(sorted(book, key=lambda o: o.name),
                                           key=lambda o: o.amount_base, reverse=True)]
    back = client.get(pages[2]["previous"]).json()
    assert back["results"] == pages[1]["results"]
    cursor = parse_qs(urlsplit(pages[1]["next"]).query)["cursor"][0]
    assert "page_size=9" in pages[1]["next"] and "ordering=" in pages[1]["next"]
    assert client.get(f"/api/v1/opportunities/?cursor={cursor}").status_code == 404


def test_the_api_refuses_page_numbers_and_bad_cursors(book, api, people):
    client = api(people.manager_a)
    response = client.get("/api/v1/opportunities/?page=2")
    assert response.status_code == 400 and "page" in response.json()
    assert client.get("/api/v1/opportunities/?cursor=%%%").status_code == 404
