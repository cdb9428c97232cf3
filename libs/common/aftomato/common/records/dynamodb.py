"""The build store on DynamoDB (aioboto3): the table of DESIGN section 8.

The item shape, the attribute names and the indexes are in
:mod:`aftomato.common.records.dynamodb_table`. Writes are read-merge-conditional-put: read the
item (strongly consistent), merge with :func:`~aftomato.common.records.model.advance`, put the
whole item on condition that its ``version`` is still the one read (or that it does not exist),
and start again on ``ConditionalCheckFailed``. Two writers therefore never lose each other's
fields, and the final put, which has no ``isBuilding``, takes the build out of the active index.
The store remembers the item it last read or wrote for each build in progress, and merges the
next update into that one instead of reading first; a build's first fact, ``requested``, is
merged into no item (it creates the record). If another writer moved the item meanwhile, or
made it, the conditional put fails and the loop reads: a build's writes cost one request each.
Writes of one build through one store take turns, so that each starts from the one before.

History and active builds are read from the global secondary indexes, which DynamoDB updates
asynchronously: a write shows there a moment after ``apply`` returns (``get`` reads strongly
consistently). Network failures, throttling and a missing table raise :class:`StoreUnavailable`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aioboto3
import botocore.config
import botocore.exceptions
from botocore.exceptions import ClientError

from aftomato.common.records.cursor import HistoryQuery, Position, decode_cursor, encode_cursor
from aftomato.common.records.dynamodb_table import (
    ACTIVE_INDEX,
    HISTORY_INDEX,
    from_item,
    item_version,
    to_item,
)
from aftomato.common.records.model import BuildRecord, RecordUpdate, advance
from aftomato.common.records.store import HistoryPage, StoreUnavailable, check_limit
from aftomato.common.settings import AwsSettings
from aftomato.common.states import BuildState

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import QueryInputTypeDef

CURSOR_KIND = "dynamodb"
MAX_ATTEMPTS = 20
"""Conflicting writes in a row before :meth:`DynamoDbStore.apply` gives up (and is retried)."""
KNOWN_ITEMS = 1_000
"""Builds in progress whose item (and version) :meth:`DynamoDbStore.apply` remembers."""
_ABSENT: tuple[BuildRecord | None, int | None] = (None, None)

_UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "InternalServerError",
        "ServiceUnavailable",
        "ResourceNotFoundException",
    }
)
_CONFIG = botocore.config.Config(
    retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=10
)

_NETWORK_ERRORS = (botocore.exceptions.HTTPClientError, botocore.exceptions.ConnectionError)
"""Connection refused or reset, timeouts: botocore's own retries are spent."""


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextlib.contextmanager
def unavailable_on_failure(what: str) -> Iterator[None]:
    """Turn failures to reach AWS (network, throttling, missing table) into StoreUnavailable."""
    try:
        yield
    except _NETWORK_ERRORS as error:
        raise StoreUnavailable(f"{what}: {error}") from error
    except ClientError as error:
        if _code(error) in _UNAVAILABLE_CODES:
            raise StoreUnavailable(f"{what}: {error}") from error
        raise


@dataclass
class _Turn:
    """The writes of one build, one at a time; ``users``: those writing or waiting."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class DynamoDbStore:
    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        close: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self._client = client
        self._table = table
        self._close = close
        self._known: OrderedDict[str, tuple[BuildRecord, int]] = OrderedDict()
        self._turns: dict[str, _Turn] = {}

    @classmethod
    async def connect(
        cls, settings: AwsSettings, *, config: botocore.config.Config | None = None
    ) -> DynamoDbStore:
        """A store on ``settings.table`` with a client of its own (:meth:`close` it)."""
        stack = contextlib.AsyncExitStack()
        session = aioboto3.Session(region_name=settings.region)
        client = session.client(
            "dynamodb", endpoint_url=settings.endpoint_url, config=config or _CONFIG
        )
        return cls(await stack.enter_async_context(client), settings.table, stack.aclose)

    async def close(self) -> None:
        if self._close is not None:
            await self._close()

    async def apply(self, update: RecordUpdate) -> BuildRecord:
        async with self._turn(update.build_id):
            return await self._apply(update)

    @contextlib.asynccontextmanager
    async def _turn(self, build_id: str) -> AsyncIterator[None]:
        turn = self._turns.get(build_id) or _Turn()
        self._turns[build_id] = turn
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[build_id]

    async def _apply(self, update: RecordUpdate) -> BuildRecord:
        known: tuple[BuildRecord | None, int | None] | None = self._known.pop(update.build_id, None)
        if known is None and update.state is BuildState.REQUESTED:
            known = _ABSENT
        for _ in range(MAX_ATTEMPTS):
            current, version = known or await self._read(update.build_id)
            merged = advance(current, update)
            if merged is current and current is not None:
                if known is not None:  # the item may have moved on: answer with it as stored
                    known = None
                    continue
                self._remember(current, version)
                return current
            written = await self._put(merged, version)
            if written is not None:
                self._remember(merged, written)
                return merged
            known = None
        raise StoreUnavailable(f"build {update.build_id}: {MAX_ATTEMPTS} conflicting writes")

    async def get(self, build_id: str) -> BuildRecord | None:
        record, _ = await self._read(build_id)
        return record

    async def history(
        self,
        project_key: str,
        *,
        branch: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> HistoryPage:
        query = HistoryQuery(project_key, branch, since)
        params = self._history_params(query, check_limit(limit))
        if cursor is not None:
            position = decode_cursor(CURSOR_KIND, query, cursor)
            params["ExclusiveStartKey"] = {
                "buildID": {"S": position.build_id},
                "projectKey": {"S": project_key},
                "buildTime": {"N": str(position.build_time)},
            }
        with unavailable_on_failure(f"history of {project_key}"):
            response = await self._client.query(**params)
        last = response.get("LastEvaluatedKey")
        next_cursor = None
        if last is not None:
            position = Position(int(last["buildTime"]["N"]), last["buildID"]["S"])
            next_cursor = encode_cursor(CURSOR_KIND, query, position)
        return HistoryPage(tuple(from_item(item) for item in response["Items"]), next_cursor)

    async def active(self) -> list[BuildRecord]:
        params: QueryInputTypeDef = {
            "TableName": self._table,
            "IndexName": ACTIVE_INDEX,
            "KeyConditionExpression": "isBuilding = :building",
            "ExpressionAttributeValues": {":building": {"N": "1"}},
        }
        records: list[BuildRecord] = []
        while True:
            with unavailable_on_failure("active builds"):
                response = await self._client.query(**params)
            records.extend(from_item(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return sorted(records, key=lambda r: (r.requested_at, r.build_id))
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    async def _read(self, build_id: str) -> tuple[BuildRecord | None, int | None]:
        with unavailable_on_failure(f"reading build {build_id}"):
            response = await self._client.get_item(
                TableName=self._table, Key={"buildID": {"S": build_id}}, ConsistentRead=True
            )
        item = response.get("Item")
        return (None, None) if item is None else (from_item(item), item_version(item))

    def _remember(self, record: BuildRecord, version: int | None) -> None:
        """Keep the item of a build in progress for its next write (a final one is not written
        again but for a late fact, which may read first)."""
        if version is None or record.state.is_final:
            return
        self._known[record.build_id] = (record, version)
        self._known.move_to_end(record.build_id)
        while len(self._known) > KNOWN_ITEMS:
            self._known.popitem(last=False)

    async def _put(self, record: BuildRecord, version: int | None) -> int | None:
        """Write ``record`` if the item is still at ``version`` (None: absent); its new
        version, or None if the item was not at ``version``."""
        condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(buildID)"}
        if version is not None:
            condition = {
                "ConditionExpression": "#version = :version",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":version": {"N": str(version)}},
            }
        written = 1 if version is None else version + 1
        item = to_item(record, written)
        with unavailable_on_failure(f"writing build {record.build_id}"):
            try:
                await self._client.put_item(TableName=self._table, Item=item, **condition)
            except ClientError as error:
                if _code(error) == "ConditionalCheckFailedException":
                    return None
                raise
        return written

    def _history_params(self, query: HistoryQuery, limit: int) -> QueryInputTypeDef:
        params: QueryInputTypeDef = {
            "TableName": self._table,
            "IndexName": HISTORY_INDEX,
            "KeyConditionExpression": "projectKey = :project",
            "ExpressionAttributeValues": {":project": {"S": query.project_key}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        values = dict(params["ExpressionAttributeValues"])
        if query.since_time is not None:
            params["KeyConditionExpression"] += " AND buildTime >= :since"
            values[":since"] = {"N": str(query.since_time)}
        if query.branch is not None:
            params["FilterExpression"] = "#branch = :branch"
            params["ExpressionAttributeNames"] = {"#branch": "branch"}
            values[":branch"] = {"S": query.branch}
        params["ExpressionAttributeValues"] = values
        return params
