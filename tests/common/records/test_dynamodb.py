"""What only the DynamoDB store promises: the original item shape, the indexes, the retries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import TYPE_CHECKING

import aioboto3
import botocore.config
import pytest

from aftomato.common.records import BuildRecord, BuildStore, StoreUnavailable
from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.records.dynamodb_table import ACTIVE_INDEX, HISTORY_INDEX, create_table
from aftomato.common.settings import AwsSettings
from aftomato.common.states import BuildState
from tests.common.records.backends import T0, DynamoDbBackend, requested, update
from tests.support.servers.moto import AwsNames
from tests.support.servers.ports import free_port

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(aws_endpoint: str) -> AsyncIterator[DynamoDBClient]:
    async with aioboto3.Session().client("dynamodb", endpoint_url=aws_endpoint) as dynamodb:
        yield dynamodb


@pytest.fixture
async def backend(aws_endpoint: str, aws_names: AwsNames) -> AsyncIterator[DynamoDbBackend]:
    async with AsyncExitStack() as stack:
        backend = DynamoDbBackend(stack, aws_endpoint, aws_names)
        await backend.create()
        yield backend


async def raw_item(client: DynamoDBClient, table: str, build_id: str) -> dict[str, object]:
    response = await client.get_item(TableName=table, Key={"buildID": {"S": build_id}})
    return {name: value.get("S", value.get("N")) for name, value in response["Item"].items()}


async def test_items_keep_the_original_attribute_names(
    backend: DynamoDbBackend, client: DynamoDBClient
) -> None:
    store = await backend.open()
    table = backend.settings.table
    await store.apply(requested("b1", commit="abc1234", source="github"))
    item = await raw_item(client, table, "b1")
    assert item == {
        "buildID": "b1",
        "projectKey": "owner/repo",
        "branch": "main",
        "buildTime": str(int(T0.timestamp())),
        "isBuilding": "1",
        "buildState": "requested",
        "buildStateRank": "0",
        "commit": "abc1234",
        "triggerSource": "github",
        "requestedAt": "2030-01-01T00:00:00.000000+00:00",
        "version": "1",
        "schemaVersion": "1",
    }
    finished = T0 + timedelta(seconds=9.5)
    await store.apply(update("b1", BuildState.RUNNING, started_at=T0))
    await store.apply(update("b1", BuildState.FAILED, exit_code=2, finished_at=finished))
    final = await raw_item(client, table, "b1")
    assert "isBuilding" not in final
    assert (final["buildResult"], final["buildElapsedTime"]) == ("2", "9.5")
    assert (final["buildState"], final["buildStateRank"], final["version"]) == ("failed", "4", "3")
    assert final["startedAt"] == "2030-01-01T00:00:00.000000+00:00"
    assert final["finishedAt"] == "2030-01-01T00:00:09.500000+00:00"


async def test_create_table_makes_both_indexes_and_may_run_again(
    client: DynamoDBClient, aws_names: AwsNames
) -> None:
    await create_table(client, aws_names.table)
    await create_table(client, aws_names.table)
    table = (await client.describe_table(TableName=aws_names.table))["Table"]
    assert table["TableStatus"] == "ACTIVE"
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {HISTORY_INDEX, ACTIVE_INDEX}
    assert [k["AttributeName"] for k in indexes[HISTORY_INDEX]["KeySchema"]] == [
        "projectKey",
        "buildTime",
    ]
    assert indexes[ACTIVE_INDEX]["Projection"] == {"ProjectionType": "ALL"}


async def test_a_write_that_loses_a_race_merges_again(
    backend: DynamoDbBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, other = await backend.open(), await backend.open()
    await other.apply(update("b1", BuildState.RUNNING, pod_name="p"))
    assert isinstance(store, DynamoDbStore)
    read = store._read
    reads = 0

    async def read_then_race(build_id: str) -> tuple[BuildRecord | None, int | None]:
        nonlocal reads
        reads += 1
        seen = await read(build_id)
        if reads == 1:  # another writer gets in between this read and this write
            await other.apply(update("b1", BuildState.SUCCEEDED, log_location="log"))
        return seen

    monkeypatch.setattr(store, "_read", read_then_race)
    result = await store.apply(update("b1", BuildState.SUCCEEDED, artifacts_location="art"))
    assert reads == 2
    assert (result.log_location, result.artifacts_location) == ("log", "art")
    assert await other.get("b1") == result


def counting_reads(store: BuildStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The build ids ``store`` reads from now on, in order."""
    assert isinstance(store, DynamoDbStore)
    read, reads = store._read, []

    async def counted(build_id: str) -> tuple[BuildRecord | None, int | None]:
        reads.append(build_id)
        return await read(build_id)

    monkeypatch.setattr(store, "_read", counted)
    return reads


async def test_a_build_in_progress_is_written_without_reading_it_again(
    backend: DynamoDbBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await backend.open()
    reads = counting_reads(store, monkeypatch)
    await store.apply(requested("b1"))
    await store.apply(update("b1", BuildState.SCHEDULED, pod_name="p"))
    await store.apply(update("b1", BuildState.RUNNING, started_at=T0))
    final = await store.apply(update("b1", BuildState.SUCCEEDED, exit_code=0, finished_at=T0))
    assert reads == []  # requested made the record; each write then starts from the last
    assert await store.get("b1") == final
    assert (final.pod_name, final.started_at, final.exit_code) == ("p", T0, 0)


async def test_writes_of_one_build_at_once_take_turns_and_read_nothing(
    backend: DynamoDbBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await backend.open()
    reads = counting_reads(store, monkeypatch)
    await store.apply(requested("b1"))
    await asyncio.gather(
        store.apply(update("b1", BuildState.SCHEDULED, pod_name="p", scheduled_at=T0)),
        store.apply(update("b1", BuildState.SCHEDULED, artifacts_location="s3://a/b1/")),
        store.apply(update("b1", BuildState.RUNNING, started_at=T0)),
    )
    assert reads == []
    record = await store.get("b1")
    assert record is not None
    assert (record.state, record.pod_name, record.started_at) == (BuildState.RUNNING, "p", T0)
    assert isinstance(store, DynamoDbStore)
    assert not store._turns  # none kept once the writes are done


async def test_a_request_for_a_record_another_writer_made_reads_it(
    backend: DynamoDbBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, other = await backend.open(), await backend.open()
    await other.apply(update("b1", BuildState.SCHEDULED, pod_name="p"))
    reads = counting_reads(store, monkeypatch)
    merged = await store.apply(requested("b1", commit="abc1234"))
    assert reads == ["b1"]  # its put on no item failed: it read the one made meanwhile
    assert (merged.state, merged.pod_name) == (BuildState.SCHEDULED, "p")
    assert await other.get("b1") == merged


async def test_an_item_another_writer_moved_is_read_again(
    backend: DynamoDbBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, other = await backend.open(), await backend.open()
    await store.apply(update("b1", BuildState.RUNNING, pod_name="p"))
    await store.apply(update("b2", BuildState.RUNNING, pod_name="p"))
    for build in ("b1", "b2"):
        await other.apply(update(build, BuildState.FAILED, exit_code=1, log_location="log"))
    reads = counting_reads(store, monkeypatch)
    # a change to what the store remembers, though not to the item: its put fails, it reads
    moved = await store.apply(update("b1", BuildState.RUNNING, pod_name="p", commit="abc1234"))
    # no change to what it remembers: it reads, to answer with the item as stored
    same = await store.apply(update("b2", BuildState.RUNNING, pod_name="p"))
    assert reads == ["b1", "b2"]
    for build, record in (("b1", moved), ("b2", same)):
        assert await other.get(build) == record
        assert (record.state, record.log_location) == (BuildState.FAILED, "log")
        assert record.commit is None


async def test_a_missing_table_is_unavailable(aws_endpoint: str, aws_names: AwsNames) -> None:
    store = await DynamoDbStore.connect(AwsSettings(endpoint_url=aws_endpoint, table="absent"))
    try:
        with pytest.raises(StoreUnavailable, match="ResourceNotFoundException"):
            await store.get("b1")
    finally:
        await store.close()


@pytest.mark.usefixtures("aws_endpoint")  # for its test credentials
async def test_an_unreachable_endpoint_is_unavailable() -> None:
    settings = AwsSettings(endpoint_url=f"http://127.0.0.1:{free_port()}")
    config = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1)
    store = await DynamoDbStore.connect(settings, config=config)
    try:
        with pytest.raises(StoreUnavailable, match="reading build b1"):
            await store.get("b1")
        with pytest.raises(StoreUnavailable, match="history of owner/repo"):
            await store.history("owner/repo")
    finally:
        await store.close()
