"""The IAM policies each service needs, least privilege, for the configured table and buckets.

ingest and the scheduler touch no AWS resource. Build pods upload artifacts with the credentials
of the ``aftomato-aws-credentials`` Secret (or their service account's role).
"""

from __future__ import annotations

from typing import Any

Policy = dict[str, Any]


def _table_arns(table: str) -> list[str]:
    return [f"arn:aws:dynamodb:*:*:table/{table}", f"arn:aws:dynamodb:*:*:table/{table}/index/*"]


def _objects(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}/*"


def _policy(*statements: tuple[str, list[str], list[str]]) -> Policy:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
            for sid, actions, resources in statements
        ],
    }


def service_policies(table: str, logs_bucket: str, artifacts_bucket: str) -> dict[str, Policy]:
    """One policy per principal that needs AWS access, keyed by its name."""
    return {
        "watcher": _policy(
            (
                "BuildRecords",
                ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                _table_arns(table),
            ),
            (
                "ConsoleLogs",
                ["s3:PutObject", "s3:AbortMultipartUpload"],
                [_objects(logs_bucket)],
            ),
        ),
        "api": _policy(
            ("BuildRecords", ["dynamodb:GetItem", "dynamodb:Query"], _table_arns(table)),
            (
                "ReadLogsAndArtifacts",
                ["s3:GetObject"],
                [_objects(logs_bucket), _objects(artifacts_bucket)],
            ),
            ("ListArtifacts", ["s3:ListBucket"], [f"arn:aws:s3:::{artifacts_bucket}"]),
        ),
        "build-pods": _policy(
            (
                "UploadArtifacts",
                ["s3:PutObject", "s3:AbortMultipartUpload"],
                [_objects(artifacts_bucket)],
            ),
        ),
    }


NO_AWS = ("ingest", "scheduler")
"""Services that need no AWS access at all."""
