"""Artifacts through the entrypoint into a real S3 stand-in (moto), and what a failure does."""

import hashlib
import json
import signal
import time
from typing import TYPE_CHECKING

import boto3
import pytest

from tests.entrypoint.sandbox import EXAMPLE_SCRIPTS, Sandbox, finish, read_until
from tests.support.fixtures import TEST_AWS_ENVIRONMENT
from tests.support.servers.moto import AwsNames

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

pytestmark = pytest.mark.integration

NINE_MEGABYTES = 9 * 1024 * 1024


@pytest.fixture
def s3(aws_endpoint: str) -> "S3Client":
    return boto3.client("s3", endpoint_url=aws_endpoint)


@pytest.fixture
def bucket(sandbox: Sandbox, s3: "S3Client", aws_endpoint: str, aws_names: AwsNames) -> str:
    """A bucket of this test's own, where the sandbox's builds upload their artifacts."""
    s3.create_bucket(Bucket=aws_names.artifacts_bucket)
    sandbox.upload_to(aws_endpoint, aws_names.artifacts_bucket, TEST_AWS_ENVIRONMENT)
    return aws_names.artifacts_bucket


def objects(s3: "S3Client", bucket: str) -> dict[str, bytes]:
    listing = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listing
    }


def test_the_artifacts_example_lands_in_s3_with_types_and_manifest(
    sandbox: Sandbox, s3: "S3Client", bucket: str
) -> None:

    finished = sandbox.run(
        AFTOMATO_BUILD_SCRIPTS_DIR=str(EXAMPLE_SCRIPTS),
        PROJECT_KEY="examples/artifacts",
        BRANCH_TO_BUILD='feature/"quoted"',
    )

    assert finished.exit_code == 0, finished.text
    stored = objects(s3, bucket)
    assert sorted(stored) == [
        "build-1/build-info.json",
        "build-1/dist/app.tar.gz",
        "build-1/manifest.json",
        "build-1/report.html",
    ]
    assert json.loads(stored["build-1/build-info.json"])["BRANCH_TO_BUILD"] == 'feature/"quoted"'
    expected_types = {
        "build-info.json": "application/json",
        "dist/app.tar.gz": "application/gzip",
        "report.html": "text/html",
    }
    _assert_manifest_matches(s3, bucket, stored, expected_types)
    assert f"and manifest.json to s3://{bucket}/build-1/" in finished.marked()[-2]


def _assert_manifest_matches(
    s3: "S3Client", bucket: str, stored: dict[str, bytes], expected_types: dict[str, str]
) -> None:
    manifest = json.loads(stored["build-1/manifest.json"])
    assert manifest["schema_version"] == 1
    assert manifest["build_id"] == "build-1"
    assert [entry["path"] for entry in manifest["files"]] == sorted(expected_types)
    for entry in manifest["files"]:
        body = stored[f"build-1/{entry['path']}"]
        assert entry["size"] == len(body)
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        assert entry["content_type"] == expected_types[entry["path"]]
        head = s3.head_object(Bucket=bucket, Key=f"build-1/{entry['path']}")
        assert head["ContentType"] == entry["content_type"]
    head = s3.head_object(Bucket=bucket, Key="build-1/manifest.json")
    assert head["ContentType"] == "application/json"


def test_a_large_artifact_goes_up_in_parts(sandbox: Sandbox, s3: "S3Client", bucket: str) -> None:
    script = (
        'mkdir "$ARTIFACTS_DIR/out"\nhead -c 9437184 /dev/urandom > "$ARTIFACTS_DIR/out/big.bin"\n'
    )
    sandbox.write_script("demo/project", script)

    finished = sandbox.run()

    assert finished.exit_code == 0, finished.text
    head = s3.head_object(Bucket=bucket, Key="build-1/out/big.bin")
    assert head["ETag"].strip('"').endswith("-2")  # two 8 MiB parts
    assert head["ContentLength"] == NINE_MEGABYTES
    stored = objects(s3, bucket)
    _assert_manifest_matches(s3, bucket, stored, {"out/big.bin": "application/octet-stream"})


@pytest.mark.parametrize(("script_code", "expected"), [(0, 121), (3, 3)])
def test_an_upload_failure_is_logged_and_never_hides_the_scripts_result(
    sandbox: Sandbox, aws_endpoint: str, aws_names: AwsNames, script_code: int, expected: int
) -> None:
    sandbox.upload_to(aws_endpoint, aws_names.artifacts_bucket, TEST_AWS_ENVIRONMENT)
    sandbox.write_script(
        "demo/project", f'echo kept > "$ARTIFACTS_DIR/file.txt"\nexit {script_code}\n'
    )

    finished = sandbox.run()  # the bucket was never created

    assert finished.exit_code == expected, finished.text
    failure = [line for line in finished.marked() if line.startswith("ARTIFACT UPLOAD FAILED")]
    assert len(failure) == 1
    assert f"s3://{aws_names.artifacts_bucket}/build-1/: file.txt:" in failure[0]
    assert "NoSuchBucket" in failure[0]


def test_without_artifacts_the_manifest_still_says_the_upload_is_complete(
    sandbox: Sandbox, s3: "S3Client", bucket: str
) -> None:
    sandbox.write_script("demo/project", "echo nothing to keep\n")

    finished = sandbox.run()

    assert finished.exit_code == 0, finished.text
    manifest = json.loads(objects(s3, bucket)["build-1/manifest.json"])
    assert manifest["files"] == []


def test_a_stopped_build_uploads_nothing(sandbox: Sandbox, s3: "S3Client", bucket: str) -> None:
    sandbox.write_script(
        "demo/project", 'echo partial > "$ARTIFACTS_DIR/file.txt"\necho ready\nsleep 60\n'
    )

    with sandbox.start() as process:
        seen = read_until(process, b"ready\n")
        process.send_signal(signal.SIGTERM)
        finished = finish(process, seen, time.monotonic())

    assert finished.exit_code == 143, finished.text
    assert objects(s3, bucket) == {}
