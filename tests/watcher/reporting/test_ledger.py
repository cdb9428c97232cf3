"""The ledger's claims, on the in-process store and on a real etcd: one suite for both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from aftomato.common.coordination import CoordinationStore
from aftomato.common.coordination.etcd import EtcdStore
from aftomato.common.coordination.memory import InMemoryStore
from aftomato.common.settings import EtcdSettings
from aftomato.common.states import BuildState
from aftomato.watcher.reporting.ledger import Claim, ReportLedger
from tests.support.clock import ManualClock

BUILD, COMMIT = "b" * 32, "c" * 40


@pytest.fixture(params=["memory", pytest.param("etcd", marks=pytest.mark.integration)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[tuple[CoordinationStore, str]]:
    if request.param == "memory":
        yield InMemoryStore(), "/t/"
        return
    endpoint = request.getfixturevalue("etcd_endpoint")
    prefix = request.getfixturevalue("etcd_prefix")
    etcd = await EtcdStore.connect(EtcdSettings(endpoints=(endpoint,)))
    try:
        yield etcd, prefix
    finally:
        await etcd.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ledger(store: tuple[CoordinationStore, str], clock: ManualClock) -> ReportLedger:
    return ReportLedger(store[0], store[1], clock=clock, claim_seconds=60)


async def test_a_state_is_claimed_once_and_done_after_confirming(ledger: ReportLedger) -> None:
    assert await ledger.claim(BUILD, COMMIT, BuildState.REQUESTED) == (Claim.GRANTED, None)
    await ledger.confirm(BUILD, COMMIT, BuildState.REQUESTED)
    requested = BuildState.REQUESTED
    assert await ledger.claim(BUILD, COMMIT, requested) == (Claim.DONE, requested)
    assert await ledger.claim(BUILD, COMMIT, BuildState.RUNNING) == (Claim.GRANTED, requested)
    await ledger.confirm(BUILD, COMMIT, BuildState.RUNNING)
    assert (await ledger.claim(BUILD, COMMIT, BuildState.QUEUED))[0] is Claim.DONE
    entry = await ledger.entry(BUILD, COMMIT)
    assert (entry.reported, entry.sending) == (BuildState.RUNNING, None)


async def test_a_higher_state_waits_for_a_lower_one_being_sent(ledger: ReportLedger) -> None:
    assert (await ledger.claim(BUILD, COMMIT, BuildState.RUNNING))[0] is Claim.GRANTED
    assert (await ledger.claim(BUILD, COMMIT, BuildState.SUCCEEDED))[0] is Claim.BUSY
    assert (await ledger.claim(BUILD, COMMIT, BuildState.QUEUED))[0] is Claim.DONE
    assert (await ledger.claim(BUILD, COMMIT, BuildState.RUNNING))[0] is Claim.BUSY
    await ledger.release(BUILD, COMMIT, BuildState.RUNNING)
    assert (await ledger.claim(BUILD, COMMIT, BuildState.SUCCEEDED))[0] is Claim.GRANTED
    assert (await ledger.claim(BUILD, COMMIT, BuildState.FAILED))[0] is Claim.BUSY
    await ledger.confirm(BUILD, COMMIT, BuildState.SUCCEEDED)
    assert (await ledger.claim(BUILD, COMMIT, BuildState.FAILED))[0] is Claim.DONE


async def test_a_stale_claim_of_a_dead_reporter_is_taken_over(
    ledger: ReportLedger, clock: ManualClock
) -> None:
    assert (await ledger.claim(BUILD, COMMIT, BuildState.RUNNING))[0] is Claim.GRANTED
    clock.now += 61
    assert (await ledger.claim(BUILD, COMMIT, BuildState.SUCCEEDED))[0] is Claim.GRANTED
    await ledger.confirm(BUILD, COMMIT, BuildState.RUNNING)  # the late one confirms after all
    await ledger.confirm(BUILD, COMMIT, BuildState.SUCCEEDED)
    assert (await ledger.entry(BUILD, COMMIT)).reported is BuildState.SUCCEEDED


async def test_commits_are_apart_and_entries_expire_with_their_lease(
    ledger: ReportLedger, store: tuple[CoordinationStore, str]
) -> None:
    await ledger.claim(BUILD, COMMIT, BuildState.REQUESTED)
    await ledger.mark_notified(BUILD, COMMIT)
    assert (await ledger.claim(BUILD, "d" * 40, BuildState.REQUESTED))[0] is Claim.GRANTED
    assert (await ledger.entry(BUILD, COMMIT)).notified
    assert not (await ledger.entry(BUILD, "d" * 40)).notified
    kv = await store[0].get(ledger.key(BUILD, COMMIT))
    assert kv is not None
    assert kv.lease != 0
    await store[0].revoke_lease(kv.lease)
    assert (await ledger.entry(BUILD, COMMIT)).reported is None


async def test_racing_claims_grant_one_state_at_a_time(ledger: ReportLedger) -> None:
    for _ in range(5):
        build = f"{_:032d}"
        claims = await asyncio.gather(
            ledger.claim(build, COMMIT, BuildState.RUNNING),
            ledger.claim(build, COMMIT, BuildState.SUCCEEDED),
            ledger.claim(build, COMMIT, BuildState.RUNNING),
        )
        outcomes = [claim for claim, _ in claims]
        assert outcomes.count(Claim.GRANTED) == 1, outcomes
        if outcomes[1] is not Claim.GRANTED:  # running won: success waits for it
            assert outcomes[1] is Claim.BUSY
