"""The DynamoDB table of build records (DESIGN section 8): its items, its indexes, its creation.

One item per build, keyed by ``buildID`` (S). The original attribute names stay as they were:

=====================  ===  =================================================================
``buildID``            S    the build id (hash key)
``projectKey``         S    project key; hash key of ``projectKey-buildTime-index``
``branch``             S    branch or tag, exactly as pushed
``buildTime``          N    when the build was requested, whole epoch seconds; range key
``buildElapsedTime``   N    seconds from start (or scheduling) to finish, once final
``buildResult``        N    the build script's exit code, where there was one
``isBuilding``         N    ``1`` while the build is not final; *removed* by the final write,
                            so ``isBuilding-index`` holds only active builds (a sparse index)
=====================  ===  =================================================================

and beside them: ``buildState`` (S, a :class:`~aftomato.common.states.BuildState` value),
``buildStateRank`` (N, its rank in ``STATE_ORDER``), ``reason``, ``commit``, ``refType``
(``branch``/``tag``), ``pullRequest`` (N), ``triggerSource`` (S, what asked for the build:
``github``, ``api``...), ``actor``, ``requestedAt``, ``queuedAt``, ``scheduledAt``,
``startedAt``, ``finishedAt`` (S, ISO 8601 in UTC, with microseconds), ``podName``,
``logLocation``, ``artifactsLocation`` (S, URLs), ``version`` (N, incremented by every write:
the optimistic-concurrency check) and ``schemaVersion`` (N, the record shape, now 1).
An attribute whose value is unknown is absent, never null.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import ClientError

from aftomato.common.records.model import RECORD_SCHEMA_VERSION, BuildRecord
from aftomato.common.states import STATE_ORDER

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_dynamodb.literals import ScalarAttributeTypeType
    from types_aiobotocore_dynamodb.type_defs import (
        AttributeValueTypeDef,
        CreateTableInputTypeDef,
        KeySchemaElementTypeDef,
        TableDescriptionTypeDef,
    )

    Item = dict[str, AttributeValueTypeDef]

HISTORY_INDEX = "projectKey-buildTime-index"
ACTIVE_INDEX = "isBuilding-index"

_Kind = Literal["S", "N", "T"]
_ATTRIBUTES: tuple[tuple[str, str, _Kind], ...] = (
    ("build_id", "buildID", "S"),
    ("project_key", "projectKey", "S"),
    ("branch", "branch", "S"),
    ("state", "buildState", "S"),
    ("reason", "reason", "S"),
    ("commit", "commit", "S"),
    ("ref_type", "refType", "S"),
    ("pull_request", "pullRequest", "N"),
    ("source", "triggerSource", "S"),
    ("actor", "actor", "S"),
    ("requested_at", "requestedAt", "T"),
    ("queued_at", "queuedAt", "T"),
    ("scheduled_at", "scheduledAt", "T"),
    ("started_at", "startedAt", "T"),
    ("finished_at", "finishedAt", "T"),
    ("exit_code", "buildResult", "N"),
    ("elapsed_seconds", "buildElapsedTime", "N"),
    ("pod_name", "podName", "S"),
    ("log_location", "logLocation", "S"),
    ("artifacts_location", "artifactsLocation", "S"),
)


def _number(value: object) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _encode(value: object, kind: _Kind) -> AttributeValueTypeDef:
    if kind == "N":
        return {"N": _number(value)}
    if isinstance(value, datetime):
        return {"S": value.isoformat(timespec="microseconds")}
    return {"S": str(value)}


def to_item(record: BuildRecord, version: int) -> Item:
    """The item for ``record`` at optimistic-concurrency ``version``."""
    item: Item = {
        attribute: _encode(value, kind)
        for field, attribute, kind in _ATTRIBUTES
        if (value := getattr(record, field)) is not None
    }
    item["buildTime"] = {"N": str(record.build_time)}
    item["buildStateRank"] = {"N": str(STATE_ORDER[record.state])}
    item["version"] = {"N": str(version)}
    item["schemaVersion"] = {"N": str(RECORD_SCHEMA_VERSION)}
    if record.is_building:
        item["isBuilding"] = {"N": "1"}
    return item


def from_item(item: Item) -> BuildRecord:
    values = {
        field: item[attribute].get("S", item[attribute].get("N"))
        for field, attribute, _ in _ATTRIBUTES
        if attribute in item
    }
    return BuildRecord.model_validate(values)


def item_version(item: Item) -> int:
    return int(item["version"]["N"])


def _definition(name: str) -> CreateTableInputTypeDef:
    def keys(hash_key: str, range_key: str | None = None) -> list[KeySchemaElementTypeDef]:
        schema: list[KeySchemaElementTypeDef] = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        if range_key is not None:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        return schema

    kinds: dict[str, ScalarAttributeTypeType] = {
        "buildID": "S",
        "projectKey": "S",
        "buildTime": "N",
        "isBuilding": "N",
    }
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": keys("buildID"),
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": kind} for attribute, kind in kinds.items()
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": HISTORY_INDEX,
                "KeySchema": keys("projectKey", "buildTime"),
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": ACTIVE_INDEX,
                "KeySchema": keys("isBuilding"),
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
    }


async def table_exists(client: DynamoDBClient, name: str) -> bool:
    try:
        await client.describe_table(TableName=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    return True


async def create_table(client: DynamoDBClient, name: str, *, wait_seconds: int = 120) -> bool:
    """Create the table and both indexes (on-demand billing) unless it exists; wait until active.

    Used by the tests and by ``aftomato aws bootstrap``; running it again is harmless. Returns
    whether this call created the table.
    """
    created = True
    try:
        await client.create_table(**_definition(name))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise
        created = False
    waiter = client.get_waiter("table_exists")
    await waiter.wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": wait_seconds})
    return created


def schema_differences(table: TableDescriptionTypeDef) -> list[str]:
    """How an existing table's keys and indexes differ from section 8 (empty: they match)."""
    wanted = _definition(table.get("TableName", ""))
    problems: list[str] = []
    if _key_names(table.get("KeySchema", [])) != _key_names(wanted["KeySchema"]):
        problems.append(f"its key is {_key_names(table.get('KeySchema', []))}, not buildID")
    found = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
    for index in wanted.get("GlobalSecondaryIndexes", []):
        name = index["IndexName"]
        if name not in found:
            problems.append(f"index {name} is missing")
            continue
        keys = _key_names(found[name].get("KeySchema", []))
        projection = found[name].get("Projection", {})
        if keys != _key_names(index["KeySchema"]):
            problems.append(f"index {name} has keys {keys}")
        if projection.get("ProjectionType") != "ALL":
            problems.append(f"index {name} does not project ALL attributes")
    return problems


def _key_names(schema: Sequence[KeySchemaElementTypeDef]) -> list[str]:
    return [element["AttributeName"] for element in schema]
