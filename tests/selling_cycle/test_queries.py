"""A transition costs a bounded number of queries, however long the history."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from opportunities import selling_cycle as cycle


def _count_back_and_forth(walker, people):
    with CaptureQueriesContext(connection) as ctx:
        walker.move("4", reason="re-evaluating")
    back = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        walker.move("5")
    return back, len(ctx.captured_queries)


def test_transition_queries_do_not_grow_with_history(walker, people):
    walker.to_stage("5")
    short = _count_back_and_forth(walker, people)
    for _ in range(15):  # a long history: 30 more moves, 30 more confirmations
        walker.move("4", reason="again")
        cycle.criterion_withdraw(opportunity=walker.opp, user=people.rep_a,
                                 code="5.shortlisted", note="x")
        walker.attest("5.shortlisted")
        walker.move("5")
    long = _count_back_and_forth(walker, people)
    assert long == short, (short, long)
    # Incl. the synced-writes lock (the move's, and the save's again: re-entrant, one
    # round trip), the feed's number and its entry.
    assert max(long) <= 21
