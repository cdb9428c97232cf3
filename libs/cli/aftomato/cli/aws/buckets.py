"""The steps that put the two S3 buckets in place: the bucket, encryption at rest, public access
blocked, and on the console-logs bucket a lifecycle rule that expires old logs.

Each check reads the bucket's current configuration and is satisfied by an equivalent one: a bucket
already encrypted with a KMS key of the owner's choosing is left as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from aftomato.cli.aws.plan import Step
from aftomato.common.blobs.s3_bucket import bucket_exists, create_bucket

if TYPE_CHECKING:
    from types_aiobotocore_s3.client import S3Client
    from types_aiobotocore_s3.type_defs import (
        LifecycleRuleOutputTypeDef,
        LifecycleRuleTypeDef,
        PublicAccessBlockConfigurationTypeDef,
    )

LOG_RULE_ID = "aftomato-expire-old-console-logs"
ABORT_UPLOADS_AFTER_DAYS = 7
ENCRYPTIONS = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})
_NOT_CONFIGURED = frozenset(
    {
        "NoSuchBucket",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchPublicAccessBlockConfiguration",
        "NoSuchLifecycleConfiguration",
    }
)
_BLOCK_ALL: PublicAccessBlockConfigurationTypeDef = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def bucket_steps(client: S3Client, name: str, *, expire_after_days: int | None) -> list[Step]:
    """The steps for bucket ``name``; ``expire_after_days`` adds the lifecycle rule for old logs."""

    async def missing() -> bool:
        return not await bucket_exists(client, name)

    async def create() -> None:
        await create_bucket(client, name)

    steps = [
        Step(f"S3 bucket {name}", missing, create),
        Step(
            f"  encryption at rest (SSE-S3) on {name}",
            lambda: _unencrypted(client, name),
            lambda: _encrypt(client, name),
            verb="set",
        ),
        Step(
            f"  public access blocked on {name}",
            lambda: _public(client, name),
            lambda: _block_public(client, name),
            verb="set",
        ),
    ]
    if expire_after_days is not None:
        days = expire_after_days
        steps.append(
            Step(
                f"  lifecycle: logs expire after {days} days on {name}",
                lambda: _lifecycle_differs(client, name, days),
                lambda: _put_lifecycle(client, name, days),
                verb="set",
            )
        )
    return steps


async def _read(call: Any) -> Any:
    """``await call``, or ``None`` where the bucket has no such configuration (yet)."""
    try:
        return await call
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _NOT_CONFIGURED:
            return None
        raise


async def _unencrypted(client: S3Client, name: str) -> bool:
    found = await _read(client.get_bucket_encryption(Bucket=name))
    rules = found["ServerSideEncryptionConfiguration"]["Rules"] if found else []
    algorithms = {
        rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules
    }
    return not algorithms & ENCRYPTIONS


async def _encrypt(client: S3Client, name: str) -> None:
    await client.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


async def _public(client: S3Client, name: str) -> bool:
    found = await _read(client.get_public_access_block(Bucket=name))
    current = found["PublicAccessBlockConfiguration"] if found else {}
    return any(current.get(setting) is not True for setting in _BLOCK_ALL)


async def _block_public(client: S3Client, name: str) -> None:
    await client.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=_BLOCK_ALL)


def log_rule(days: int) -> LifecycleRuleTypeDef:
    return {
        "ID": LOG_RULE_ID,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "Expiration": {"Days": days},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_UPLOADS_AFTER_DAYS},
    }


async def _rules(client: S3Client, name: str) -> list[LifecycleRuleOutputTypeDef]:
    found = await _read(client.get_bucket_lifecycle_configuration(Bucket=name))
    return list(found["Rules"]) if found else []


async def _lifecycle_differs(client: S3Client, name: str, days: int) -> bool:
    ours = [rule for rule in await _rules(client, name) if rule.get("ID") == LOG_RULE_ID]
    if len(ours) != 1:
        return True
    rule = ours[0]
    return (
        rule.get("Status") != "Enabled"
        or rule.get("Expiration", {}).get("Days") != days
        or rule.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation")
        != ABORT_UPLOADS_AFTER_DAYS
    )


async def _put_lifecycle(client: S3Client, name: str, days: int) -> None:
    """Our rule replaces its older self; the owner's other rules stay."""
    others: list[Any] = [
        rule for rule in await _rules(client, name) if rule.get("ID") != LOG_RULE_ID
    ]
    await client.put_bucket_lifecycle_configuration(
        Bucket=name, LifecycleConfiguration={"Rules": [*others, log_rule(days)]}
    )
