"""Who gives way under a newest-wins policy: a pure function of the requests' times."""

from __future__ import annotations

from aftomato.scheduler.policies import losers
from tests.scheduler.harness import request


def test_the_newest_waiting_request_wins_over_older_ones() -> None:
    old, new = request("team/app", "main", 1), request("team/app", "main", 2)
    found = losers([old, new], None)
    assert found is not None
    assert found.newest == new
    assert found.waiting == (old,)


def test_a_newer_request_started_already_makes_every_waiting_one_stale() -> None:
    """It may have ended already: the requests older than it still lose."""
    waiting = [request("team/app", "main", n) for n in (1, 2)]
    started = request("team/app", "main", 3)
    found = losers(waiting, None, started)
    assert found is not None
    assert found.newest == started
    assert found.waiting == tuple(waiting)
    assert found.running is None


def test_an_older_start_does_not_make_newer_requests_stale() -> None:
    started, new = request("team/app", "main", 1), request("team/app", "main", 2)
    found = losers([new], None, started)
    assert found is not None
    assert found.waiting == ()
