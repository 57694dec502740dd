"""Issue #7: every role against every kind of record and every route, browser and API.

Nobody reads or changes what is not theirs: a hidden record is a 404 (never a 403 that
would confirm it exists), a record seen but not changeable is a 403 on every route that
changes it, and nothing is written. The expectations come from osp/access.py, which
test_access_py_agrees_with_the_table holds to the hand-written table in
permission_matrix.py; the routes come from the URL resolver, so a new route that names a
record fails test_every_route_is_in_the_matrix until it is added there.

The records are built once for the module (rep_a's deal walked to stage 9 takes a
while); every test runs in a savepoint inside that transaction and is rolled back.
"""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import resolve
from rest_framework.test import APIClient

from tests.osp import permission_matrix as m

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.core.cache import cache

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media,
                                                       PASSWORD_HASHERS=FAST_HASHER):
        cache.clear()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = m.build_world()
            w.cells = _cells(w)
            w.sessions = _sign_in(w)
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def db(world):
    """pytest-django's `db`, overridden for this module: each test runs in a savepoint of
    the module's transaction and is undone after it. (Lighter than a TestCase per test,
    which matters at two thousand tests; named `db` so that pytest-django still creates
    the test database when only this module runs.)"""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def _cells(w) -> dict[str, dict[str, str]]:
    """The matrix's expectation per row and persona: osp/access.py's answer where it
    decides the row, the table's where a service's own rule does."""
    cells = {}
    for row, expected in m.EXPECT.items():
        ask = m.ACCESS_ANSWERS.get(row)
        if ask is None:
            cells[row] = dict(expected)
            continue
        answer = ask(w)
        cells[row] = {}
        for persona in m.PERSONAS:
            visible, changeable = answer(getattr(w.p, persona))
            if changeable is None:
                changeable = expected[persona] == "C"
            cells[row][persona] = m.cell(visible, changeable)
    return cells


def _sign_in(w) -> dict[str, str]:
    """A session per persona, made once: signing in for each of the matrix's requests
    would cost more than the requests."""
    sessions = {}
    for persona in m.PERSONAS:
        client = Client()
        client.force_login(getattr(w.p, persona))
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def _user(w, persona):
    if persona == m.ANONYMOUS:
        return None
    return getattr(w.p, m.TOKEN_PERSONAS.get(persona, persona))


def _client(w, persona, *, api: bool):
    client = APIClient() if api else Client()
    if persona in m.TOKEN_PERSONAS:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {w.tokens[persona]}")
    elif persona != m.ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[persona]
    return client


def _send(client, method: str, url: str, data, *, api: bool):
    if method == "GET":
        response = client.get(url)
    elif api:
        response = getattr(client, method.lower())(url, data, format="json") \
            if data is not None else getattr(client, method.lower())(url)
    else:
        response = client.post(url, data or {})
    if response.streaming:
        # Read to the end, as the test client wants it: response.close() would send
        # request_finished, and with it close the database connection of the test.
        b"".join(response.streaming_content)
    return response


def _personas(api: bool) -> list[str]:
    return [*m.PERSONAS, m.ANONYMOUS, *(m.TOKEN_PERSONAS if api else ())]


def _assert_signed_out(response, *, api: bool):
    if api:
        assert response.status_code == 401, response.status_code
    else:
        assert response.status_code == 302 and "/login/" in response["Location"]


# --- The routes -----------------------------------------------------------------------

def test_every_route_is_in_the_matrix():
    in_matrix = {c.route for c in m.CASES}
    pages = {p.route for p in m.PAGES}
    routes = m.all_routes()
    missing = []
    for route in routes:
        if m.exempt_reason(route):
            continue
        if route in in_matrix or (route in pages and not m.has_object_id(route)):
            continue
        missing.append(f"route {route} is not covered by the permission matrix")
    assert not missing, "\n".join(missing)
    stale = sorted((in_matrix | pages) - set(routes))
    assert not stale, f"the matrix names routes that no longer exist: {stale}"
    unused = [p for p in m.EXEMPT if not any(m.exempt_reason(r) == m.EXEMPT[p] for r in routes)]
    assert not unused, f"exemptions for routes that no longer exist: {unused}"


def test_the_route_names_are_what_the_resolver_says(world, db):
    for case in m.CASES:
        url = case.url(world, case.ref(world)).partition("?")[0]
        assert m.normalise(resolve(url).route) == case.route, case.id


# --- What osp/access.py answers --------------------------------------------------------

@pytest.mark.parametrize("row", sorted(m.ACCESS_ANSWERS))
def test_access_py_agrees_with_the_table(world, db, row):
    answer = m.ACCESS_ANSWERS[row](world)
    got, want = {}, {}
    for persona in m.PERSONAS:
        visible, changeable = answer(getattr(world.p, persona))
        expected = m.EXPECT[row][persona]
        if changeable is None:  # access.py says who sees it, a service who changes it
            got[persona], want[persona] = visible, expected != "-"
        else:
            got[persona], want[persona] = m.cell(visible, changeable), expected
    assert got == want


# --- The matrix -----------------------------------------------------------------------

MATRIX = [pytest.param(case, persona, id=f"{case.id} {persona}")
          for case in m.CASES for persona in _personas(case.api)]


@pytest.mark.parametrize(("case", "persona"), MATRIX)
def test_matrix(world, db, case, persona):
    w = world
    ref = case.ref(w)
    url = case.url(w, ref)
    user = _user(w, persona)
    data = case.data(w, user, ref) if case.data else None
    client = _client(w, persona, api=case.api)
    if persona == m.ANONYMOUS:
        _assert_signed_out(_send(client, case.method, url, data, api=case.api), api=case.api)
        return

    letter = w.cells[case.row][m.TOKEN_PERSONAS.get(persona, persona)]
    permitted = letter == "C" or (letter == "R" and case.action == m.READ)
    with m.writes(connection) as written:
        response = _send(client, case.method, url, data, api=case.api)
        status = response.status_code
        if letter == "-" and case.hidden is None:
            missing = case.url(w, m.MISSING)
            missing_data = case.data(w, user, m.MISSING) if case.data else None
            like = _send(client, case.method, missing, missing_data, api=case.api)

    if letter == "-":
        if case.hidden is None:
            assert status == like.status_code and status in (400, 404), (
                f"hidden: {status}, an id that does not exist: {like.status_code}")
            if case.api:  # word for word, but for the id
                assert (response.content.decode().replace(str(ref), "<id>")
                        == like.content.decode().replace(str(m.MISSING), "<id>"))
        else:
            assert status == case.hidden, f"{status}: hidden records must look absent"
    elif not permitted:
        assert status == case.refused, f"{status}, expected {case.refused}: seen, not theirs"
    elif case.method == "GET":
        assert status == 200, status
    else:
        assert status in case.ok, f"{status}, expected one of {sorted(case.ok)}"
        assert case.done is None or case.done(w), f"{status}, and nothing was done"
    if not permitted:
        assert not written, f"a refused request wrote to {sorted(written)}"


# --- Pages and lists without a record of their own -------------------------------------

def _hidden_names(w, persona) -> list[str]:
    rows = {"Gamma claims platform": "opportunity", "Gamma lost deal": "lost_opportunity:reopen",
            "Gamma Insurance": "account"}
    return [name for name, row in rows.items() if w.cells[row][persona] == "-"]


# Tokens are the matrix's business; here the session and no session.
PAGES = [pytest.param(page, persona, id=f"{page.id} {persona}")
         for page in m.PAGES for persona in [*m.PERSONAS, m.ANONYMOUS]]


@pytest.mark.parametrize(("page", "persona"), PAGES)
def test_pages(world, db, page, persona):
    api = page.route.startswith("api/")
    client = _client(world, persona, api=api)
    data = page.data if page.method != "GET" else None
    with m.writes(connection) as written:
        response = _send(client, page.method, page.href, data, api=api)
    if persona == m.ANONYMOUS:
        _assert_signed_out(response, api=api)
        return
    expected = page.ok if persona in page.allowed else 403
    assert response.status_code == expected
    assert expected != 403 or not written, f"a refused request wrote to {sorted(written)}"
    if page.lists and expected == 200:
        text = response.content.decode()
        leaked = [name for name in _hidden_names(world, persona) if name in text]
        assert not leaked, f"{persona} reads {leaked} here"


# --- Around the matrix ------------------------------------------------------------------

@pytest.mark.parametrize("persona", m.PERSONAS)
def test_the_admin_is_closed_to_everyone_not_staff(world, db, persona):
    response = _client(world, persona, api=False).get(
        f"/admin/opportunities/opportunity/{world.opp.pk}/change/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("persona", m.PERSONAS)
def test_a_sync_batch_row_changes_only_what_its_user_may(world, db, persona):
    response = _client(world, persona, api=True).post(
        "/api/v1/sync/accounts/batch/",
        {"records": [{"source": "siebel-test", "external_id": "A-ACC", "goals": "Grow"}]},
        format="json")
    assert response.status_code == 200
    [row] = response.json()["results"]
    if world.cells["account"][persona] == "C":
        assert row["status"] == "updated", row
    else:
        assert [e["code"] for e in row["errors"]] == ["NOT_FOUND_OR_NO_ACCESS"], row


@pytest.mark.parametrize("node", ["territory", "partner"])
@pytest.mark.parametrize("persona", m.PERSONAS)
def test_a_shared_records_forecast_counts_only_the_deals_its_reader_sees(world, db, node,
                                                                        persona):
    """Territories and partners are everybody's; the deals under them are not."""
    pk = world.territory.pk if node == "territory" else world.link.partner_id
    response = _client(world, persona, api=True).get(
        f"/api/v1/forecast/?node={node}:{pk}&period={world.period}")
    assert response.status_code == 200
    counted = sum(cell["count"] for cell in response.json()["categories"].values())
    assert counted == (0 if world.cells["opportunity"][persona] == "-" else 1)
