"""The step that puts the build-records table in place, and the check that an existing table has
the keys and indexes of DESIGN section 8 (a table that differs cannot be fixed in place)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aftomato.cli.aws.plan import Step
from aftomato.common.records.dynamodb_table import (
    ACTIVE_INDEX,
    HISTORY_INDEX,
    create_table,
    schema_differences,
    table_exists,
)

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient


class TableDiffers(Exception):
    """The table exists with other keys or indexes; it is left alone and the user told."""


def table_step(client: DynamoDBClient, name: str) -> Step:
    async def needed() -> bool:
        if not await table_exists(client, name):
            return True
        described = (await client.describe_table(TableName=name))["Table"]
        problems = schema_differences(described)
        if problems:
            raise TableDiffers(
                f"DynamoDB table {name} exists but differs from what Aftomato needs: "
                + "; ".join(problems)
                + ". Use another name (AFTOMATO_DYNAMODB_TABLE) or recreate it."
            )
        return False

    async def apply() -> None:
        await create_table(client, name)

    return Step(f"DynamoDB table {name} (indexes {HISTORY_INDEX}, {ACTIVE_INDEX})", needed, apply)
