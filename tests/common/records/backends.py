"""The two build stores behind one test-facing shape, and the updates the tests apply."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import aioboto3

from aftomato.common.records import BuildStore, RecordUpdate
from aftomato.common.records.dynamodb import DynamoDbStore
from aftomato.common.records.dynamodb_table import create_table
from aftomato.common.records.sqlite import SqliteStore
from aftomato.common.settings import AwsSettings
from aftomato.common.states import BuildState
from tests.support.servers.moto import AwsNames

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

T0 = datetime(2030, 1, 1, tzinfo=UTC)
PROJECT = "owner/repo"


def update(build_id: str, state: BuildState, **facts: Any) -> RecordUpdate:
    """An update of ``build_id`` of ``owner/repo`` on ``main`` (unless ``facts`` say otherwise)."""
    facts.setdefault("project_key", PROJECT)
    facts.setdefault("branch", "main")
    facts.setdefault("occurred_at", T0)
    return RecordUpdate(build_id=build_id, state=state, **facts)


def requested(build_id: str, minutes: float = 0, **facts: Any) -> RecordUpdate:
    """``build.requested`` of a build asked for ``minutes`` after T0."""
    return update(
        build_id, BuildState.REQUESTED, requested_at=T0 + timedelta(minutes=minutes), **facts
    )


class Backend(Protocol):
    async def open(self) -> BuildStore:
        """A new store instance on the same records (closed at the end of the test)."""


class SqliteBackend:
    def __init__(self, stack: AsyncExitStack, path: Path) -> None:
        self._stack = stack
        self.path = path

    async def open(self) -> BuildStore:
        store = await SqliteStore.open(self.path)
        self._stack.push_async_callback(store.close)
        return store


class AtomicPuts:
    """A DynamoDB client whose conditional puts are atomic, as on DynamoDB, also on moto.

    moto checks a put's condition and then stores the item, without a lock between the two, so
    two puts racing on its threaded server can both pass their conditions (seen about once in 25
    runs of the race tests). DynamoDB does both atomically. Taking turns on the puts of the
    test's clients restores that; reads and merges still interleave freely, which is the race
    the store must survive.
    """

    def __init__(self, client: DynamoDBClient, turn: asyncio.Lock) -> None:
        self._client = client
        self._turn = turn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    async def put_item(self, **arguments: Any) -> Any:
        async with self._turn:
            return await self._client.put_item(**arguments)


class DynamoDbBackend:
    def __init__(self, stack: AsyncExitStack, endpoint: str, names: AwsNames) -> None:
        self._stack = stack
        self.settings = AwsSettings(endpoint_url=endpoint, table=names.table)
        self._session = aioboto3.Session(region_name=self.settings.region)
        self._turn = asyncio.Lock()

    async def create(self) -> None:
        async with self._client() as client:
            await create_table(client, self.settings.table)

    async def open(self) -> BuildStore:
        client = await self._stack.enter_async_context(self._client())
        atomic = cast("DynamoDBClient", AtomicPuts(client, self._turn))
        return DynamoDbStore(atomic, self.settings.table)

    def _client(self) -> Any:
        return self._session.client("dynamodb", endpoint_url=self.settings.endpoint_url)
