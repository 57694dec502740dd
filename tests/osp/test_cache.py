"""The Redis cache keeps one redis-py client per connection pool (osp/cache.py), against
the real Redis of this machine and CI (127.0.0.1:6379)."""

import threading

import pytest

from osp.cache import SharedClientRedisCache


@pytest.fixture
def cache():
    backend = SharedClientRedisCache("redis://127.0.0.1:6379/13",
                                     {"KEY_PREFIX": "osp-test-cache"})
    try:
        backend.get("ping")
    except Exception:  # noqa: BLE001 (no Redis here: nothing to test against)
        pytest.skip("needs Redis on 127.0.0.1:6379")
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
