"""Real parallel writers for the concurrency tests: each function in its own thread, with
its own database connection, all released together."""

import threading

from django.db import connections


def run_in_threads(*functions, timeout: float = 30):
    """Run each function in its own thread (own connection); return their results."""
    results, errors = [None] * len(functions), []
    start = threading.Barrier(len(functions))

    def worker(i, fn):
        try:
            start.wait()
            results[i] = fn()
        except Exception as e:  # surfaced below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not errors, errors
    return results
