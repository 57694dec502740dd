"""DRF's browsable API pages carry inline styles that the content security policy blocks:
they are served with DEBUG on only; in production a browser gets the API's JSON, and the
Swagger docs (served locally) keep working under the policy."""

import pytest

from tests.osp.test_security import _InlineCode

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = ["/api/v1/", "/api/v1/accounts/", "/api/v1/plans/", "/api/v1/sync/accounts/",
         "/api/v1/forecast/"]


def _inline(response) -> list[str]:
    parser = _InlineCode()
    parser.feed(response.content.decode())
    return parser.problems


@pytest.mark.parametrize("url", PAGES)
def test_in_production_a_browser_gets_json_under_the_policy(people, browser, settings, url):
    settings.DEBUG = False
    response = browser(people.admin).get(url, headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("application/json",
                                                      "application/problem+json")
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert _inline(response) == []


def test_with_debug_on_the_browsable_pages_are_there_for_development(people, browser,
                                                                     settings):
    settings.DEBUG = True
    response = browser(people.admin).get("/api/v1/accounts/",
                                         headers={"accept": BROWSER_ACCEPT})
    assert response["Content-Type"].startswith("text/html")


def test_the_docs_work_under_the_policy(people, browser, settings):
    settings.DEBUG = False
    response = browser(people.admin).get("/api/v1/docs/", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200 and "swagger-ui" in response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert _inline(response) == []
