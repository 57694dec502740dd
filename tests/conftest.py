import os
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from osp.models import Role
from tests.factories import AccountFactory, OpportunityFactory, UserFactory
from tests.redis_server import RedisServer, redis_server_on_path


def pytest_collection_modifyitems(config, items):
    # CI sets OSP_REQUIRE_POSTGRES: there the PostgreSQL-only tests must run, never skip.
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    if os.environ.get("OSP_REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError("OSP_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs ~0.3 s per persona; tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def test_redis(tmp_path_factory):
    """A redis-server of this test run's own (None without redis-server on PATH): the
    suite empties its databases, which on the shared server would wipe others' data."""
    if not redis_server_on_path():
        yield None
        return
    server = RedisServer(tmp_path_factory.mktemp("test-redis"))
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="session", autouse=True)
def _private_cache(test_redis):
    # The cache is cleared around every test (FLUSHDB with Redis), so it must never be
    # CACHE_URL's database: that is the shared server's (database 1 of REDIS_URL unless
    # CACHE_URL says otherwise). Production's Redis cache on the run's own server, which
    # subprocesses (workers, manage.py) are pointed at too; without redis-server, this
    # process's memory.
    with pytest.MonkeyPatch.context() as env:
        if test_redis is None:
            caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        else:
            caches = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                                  "LOCATION": test_redis.url, "KEY_PREFIX": "osp"}}
            env.setenv("CACHE_URL", test_redis.url)
        with override_settings(CACHES=caches):
            yield


@pytest.fixture(autouse=True)
def _fresh_cache(_private_cache):
    # Rate-limit counters and cached settings rows must not leak between tests (the
    # database is rolled back after each one; the cache is not).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(db):
    return make_people()


def make_people():
    """The personas: two teams under one director, plus finance and an admin.

    director
      manager_a -> rep_a, rep_a2, presales_a
      manager_b -> rep_b
    finance, admin (no manager)
    """
    director = UserFactory(username="director", roles=[Role.SALES_MANAGER])
    manager_a = UserFactory(username="manager_a", roles=[Role.SALES_MANAGER], manager=director)
    manager_b = UserFactory(username="manager_b", roles=[Role.SALES_MANAGER], manager=director)
    return SimpleNamespace(
        director=director, manager_a=manager_a, manager_b=manager_b,
        rep_a=UserFactory(username="rep_a", manager=manager_a),
        rep_a2=UserFactory(username="rep_a2", manager=manager_a),
        presales_a=UserFactory(username="presales_a", roles=[Role.PRESALES], manager=manager_a),
        rep_b=UserFactory(username="rep_b", manager=manager_b),
        finance=UserFactory(username="finance", roles=[Role.FINANCE]),
        admin=UserFactory(username="admin", roles=[Role.ADMIN]),
    )


@pytest.fixture
def deals(people):
    """One account and opportunity per rep."""
    account_a = AccountFactory(name="Alpha Bank", owner=people.rep_a)
    account_b = AccountFactory(name="Beta Telecom", owner=people.rep_b)
    return SimpleNamespace(
        account_a=account_a, account_b=account_b,
        opp_a=OpportunityFactory(name="Alpha core banking", account=account_a),
        opp_b=OpportunityFactory(name="Beta billing", account=account_b),
    )


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    return client_for


@pytest.fixture
def browser(client):
    def client_for(user):
        client.force_login(user)
        return client
    return client_for


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
