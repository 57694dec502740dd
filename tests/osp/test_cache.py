"""The Redis cache keeps one redis-py client per connection pool (osp/cache.py), against
a real Redis: the test run's own server (a database the default cache does not use, since
this backend is cleared at the end)."""

import threading

import pytest

from osp.cache import SharedClientRedisCache


@pytest.fixture
def cache(test_redis):
    if test_redis is None:
        pytest.skip("needs redis-server on PATH")
    backend = SharedClientRedisCache(test_redis.url_for(1), {"KEY_PREFIX": "osp-test-cache"})
    yield backend
    backend.clear()


def test_every_call_shares_one_client(cache):
    cache.set("a", {"stage": "5"}, 60)
    assert cache.get("a") == {"stage": "5"}
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("any key") is client
    assert cache.get_many(["a", "missing"]) == {"a": {"stage": "5"}}
    cache.delete("a")
    assert cache.get("a") is None


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
