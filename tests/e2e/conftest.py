"""End-to-end tests: Debian's Chromium, driven by Playwright, against pytest-django's
live server. One browser for the session; one context (cookies, language) per person.

Each test module marks its tests `e2e` and `django_db(transaction=True,
serialized_rollback=True)`: the live server reads committed rows only, and the rollback
brings back what the migrations load (assessment questions, step guides, stage
categories) after the flush that ends every transactional test."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API runs an event loop in this thread, so Django refuses ORM calls
# from the test body unless told that nothing here is really async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 10_000  # a step that takes longer on a local server is a failure, not a wait
ASSETS = {"script", "stylesheet", "image", "font"}
PASSWORD = "pw"  # tests.factories.UserFactory's


def pytest_collection_modifyitems(config, items):
    # Without the browser the e2e tests skip, unless OSP_REQUIRE_BROWSER is set (CI): there
    # they must run, never skip.
    e2e = [item for item in items if "e2e" in item.keywords]
    if not e2e or CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if os.environ.get("OSP_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"OSP_REQUIRE_BROWSER is set but {reason}")
    for item in e2e:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def chromium():
    """The one browser of the session: Debian's, never one Playwright downloads."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


class Person:
    """Someone at their own browser: a context (cookies, language) and a page. Every
    JavaScript exception, every content-security-policy violation and every missing
    script, stylesheet or image is kept, and fails the test."""

    def __init__(self, user, context, base_url):
        self.user = user
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", self._check_console)
        self.page.on("response", self._check_asset)

    def _check_asset(self, response):
        # A refused move answers 422 on purpose; a missing script or stylesheet never does.
        if response.status >= 400 and response.request.resource_type in ASSETS:
            self.errors.append(f"{response.url}: HTTP {response.status}")

    def _check_console(self, message):
        # Chromium reports what the content security policy blocked on the console.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"{self.page.url}: {message.text}")

    def goto(self, path):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, (
            f"{path}: HTTP {response.status if response else 'no response'}")
        return self.page


@pytest.fixture
def person(chromium, live_server):
    """`person(user)` opens a new context signed in as `user` with a session cookie from
    Django's test client (fast); `person(user, via_form=True)` signs in on the login page
    like a user would; `person(None)` is someone not signed in."""
    opened = []

    def open_as(user, *, via_form=False):
        context = chromium.new_context(base_url=live_server.url, locale="en-GB",
                                       viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        if user is not None and not via_form:
            client = Client()
            client.force_login(user)
            context.add_cookies([{
                "name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        someone = Person(user, context, live_server.url)
        opened.append(someone)
        if via_form:
            page = someone.goto("/login/")
            page.get_by_label("Username").fill(user.username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(live_server.url + "/")
        return someone

    yield open_as
    errors = [f"{someone.user}: {e}" for someone in opened for e in someone.errors]
    for someone in opened:
        someone.context.close()
    assert not errors, "Errors in the pages:\n" + "\n".join(errors)
