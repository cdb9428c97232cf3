"""Ship artifacts to S3: one object per file under the build id, then the manifest, last.

Large files go up in parts (``MULTIPART_BYTES``); boto3 retries what can be retried. The first
failure stops the upload and no manifest is written, so a manifest always means a complete set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import boto3
import boto3.exceptions
import botocore.config
import botocore.exceptions
from boto3.s3.transfer import TransferConfig

from aftomato.entrypoint.artifacts import MANIFEST_NAME, Artifact, manifest

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

MULTIPART_BYTES = 8 * 1024 * 1024
_FAILURES = (
    boto3.exceptions.Boto3Error,
    botocore.exceptions.BotoCoreError,
    botocore.exceptions.ClientError,
    OSError,
)


class UploadFailed(Exception):
    """An artifact or the manifest did not reach S3; the message names which and why."""


def s3_client(endpoint_url: str | None) -> S3Client:
    """An S3 client from the standard ``AWS_*`` variables (or the pod's role)."""
    config = botocore.config.Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=10,
        read_timeout=60,
    )
    try:
        return boto3.client("s3", endpoint_url=endpoint_url, config=config)
    except (ValueError, botocore.exceptions.BotoCoreError) as error:  # a malformed endpoint URL
        raise UploadFailed(f"no S3 client: {error}") from error


def object_key(build_id: str, path: str) -> str:
    return f"{build_id}/{path}"


def upload_artifacts(
    client: S3Client, bucket: str, build_id: str, artifacts: Sequence[Artifact]
) -> None:
    """Upload every artifact, then the manifest; :class:`UploadFailed` at the first failure."""
    transfer = TransferConfig(
        multipart_threshold=MULTIPART_BYTES, multipart_chunksize=MULTIPART_BYTES
    )
    for artifact in artifacts:
        try:
            client.upload_file(
                str(artifact.source),
                bucket,
                object_key(build_id, artifact.path),
                ExtraArgs={"ContentType": artifact.content_type},
                Config=transfer,
            )
        except _FAILURES as error:
            raise UploadFailed(f"{artifact.path}: {error}") from error
    try:
        client.put_object(
            Bucket=bucket,
            Key=object_key(build_id, MANIFEST_NAME),
            Body=manifest(build_id, artifacts),
            ContentType="application/json",
        )
    except _FAILURES as error:
        raise UploadFailed(f"{MANIFEST_NAME}: {error}") from error
