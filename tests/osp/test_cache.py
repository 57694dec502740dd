"""The Redis cache (django-redis, config/settings.py) against a real Redis: the test run's
own server (a database the default cache does not use, since this backend is cleared at
the end). One redis-py client serves every call: building one costs more than a GET."""

import threading

import pytest
from django_redis.cache import RedisCache


@pytest.fixture
def cache(test_redis):
    if test_redis is None:
        pytest.skip("needs redis-server on PATH")
    backend = RedisCache(test_redis.url_for(1), {"KEY_PREFIX": "osp-test-cache"})
    yield backend
    backend.clear()


def test_every_call_shares_one_client(cache):
    cache.set("a", {"stage": "5"}, 60)
    assert cache.get("a") == {"stage": "5"}
    client = cache.client.get_client()
    assert cache.client.get_client(write=False) is client
    assert cache.get_many(["a", "missing"]) == {"a": {"stage": "5"}}
    cache.delete("a")
    assert cache.get("a") is None
    assert cache.client.get_client() is client


def test_counters_count(cache):
    assert cache.add("hits", 0, 60)
    assert not cache.add("hits", 5, 60)
    assert cache.incr("hits") == 1
    assert cache.get("hits") == 1


def test_threads_share_the_client_without_mixing_answers(cache):
    errors = []

    def work(i):
        for j in range(50):
            cache.set(f"k{i}", j, 60)
            if cache.get(f"k{i}") != j:
                errors.append((i, j))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cache.get_many([f"k{i}" for i in range(8)]) == {f"k{i}": 49 for i in range(8)}
