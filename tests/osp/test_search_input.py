"""A list's search box takes what a form field takes: text with a NUL character in it
(which PostgreSQL refuses) is a 400 with the message on the page, never a 500."""

import pytest

from tests.factories import AccountFactory, OpportunityFactory

LISTS = ["/opportunities/", "/accounts/", "/contacts/", "/partners/", "/territories/",
         "/plans/"]


@pytest.fixture
def signed_in(people, browser):
    account = AccountFactory(name="Alpha Bank", owner=people.rep_a)
    OpportunityFactory(name="Alpha core banking", account=account)
    return browser(people.rep_a)


@pytest.mark.parametrize("url", LISTS)
def test_a_nul_in_the_search_is_a_400_with_the_message(signed_in, url):
    response = signed_in.get(url, {"q": "a\x00b"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.parametrize("url", LISTS)
def test_the_htmx_search_answers_the_same(signed_in, url):
    response = signed_in.get(url, {"q": "a\x00b"}, headers={"hx-request": "true"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def test_a_plain_search_still_finds(signed_in):
    response = signed_in.get("/opportunities/", {"q": "alpha"})
    assert response.status_code == 200
    assert "Alpha core banking" in response.content.decode()


def test_the_plan_subject_search_refuses_a_nul_too(signed_in):
    response = signed_in.get("/plans/subjects/", {"kind": "account", "subject_q": "a\x00"})
    assert response.status_code == 400
    assert "Alpha Bank" not in response.content.decode()
