"""Starting a plan: the subjects on offer are what the user's team owns without a plan,
shown up to SUBJECTS_SHOWN and narrowed by a search (a director owns tens of thousands of
accounts)."""

from plans import views
from tests.factories import AccountFactory, TerritoryFactory


def test_the_list_offers_the_first_subjects_and_says_there_are_more(people, browser,
                                                                    monkeypatch):
    monkeypatch.setattr(views, "SUBJECTS_SHOWN", 3)
    for name in ["Delta", "Alpha", "Echo", "Bravo", "Charlie"]:
        AccountFactory(name=name, owner=people.rep_a)
    AccountFactory(name="Zulu of another team", owner=people.rep_b)
    html = browser(people.manager_a).get("/plans/").content.decode()
    accounts = html.split('data-kind="account"')[1].split("</select>")[0]
    assert [n for n in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] if n in accounts] == [
        "Alpha", "Bravo", "Charlie"]
    assert "The first 3: find others by name" in accounts
    assert "Zulu" not in html


def test_a_search_narrows_the_subjects_of_the_chosen_kind(people, browser):
    AccountFactory(name="Alpha Bank", owner=people.rep_a)
    AccountFactory(name="Beta Telecom", owner=people.rep_a)
    TerritoryFactory(name="North", owner=people.manager_a)
    client = browser(people.manager_a)
    html = client.get("/plans/subjects/", {"kind": "account", "subject_q": "beta"},
                      HTTP_HX_REQUEST="true").content.decode()
    accounts = html.split('data-kind="account"')[1].split("</select>")[0]
    territories = html.split('data-kind="territory"')[1].split("</select>")[0]
    assert "Beta Telecom" in accounts and "Alpha Bank" not in accounts
    assert " hidden disabled" not in accounts and " hidden disabled" in territories
    assert "Nothing without a plan matches this name" in territories


def test_a_subject_with_a_plan_is_not_offered_again(people, browser):
    from plans.services import plan_create

    planned = AccountFactory(name="Alpha Bank", owner=people.rep_a)
    plan_create(user=people.rep_a, kind="account", subject=planned)
    html = browser(people.rep_a).get("/plans/subjects/", {"kind": "account"}).content.decode()
    assert "Alpha Bank" not in html and "All your accounts have a plan" in html
