"""``aftomato aws bootstrap`` on moto: DESIGN section 8 exactly; a second run is a no-op."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from aftomato.cli.aws import main
from aftomato.cli.aws.buckets import LOG_RULE_ID
from aftomato.cli.aws.plan import line
from tests.support.servers.moto import AwsNames

pytestmark = pytest.mark.integration


def bootstrap(endpoint: str, names: AwsNames, *extra: str) -> list[str]:
    return [
        "bootstrap",
        "--endpoint-url",
        endpoint,
        "--table",
        names.table,
        "--logs-bucket",
        names.logs_bucket,
        "--artifacts-bucket",
        names.artifacts_bucket,
        *extra,
    ]


def key_schema(elements: list[Any]) -> list[tuple[str, str]]:
    return [(element["AttributeName"], element["KeyType"]) for element in elements]


def table_shape(endpoint: str, table: str) -> dict[str, Any]:
    described = boto3.client("dynamodb", endpoint_url=endpoint).describe_table(TableName=table)
    found = described["Table"]
    return {
        "key": key_schema(found["KeySchema"]),
        "attributes": {
            a["AttributeName"]: a["AttributeType"] for a in found["AttributeDefinitions"]
        },
        "billing": found["BillingModeSummary"]["BillingMode"],
        "indexes": {
            index["IndexName"]: (key_schema(index["KeySchema"]), index["Projection"])
            for index in found["GlobalSecondaryIndexes"]
        },
    }


def bucket_shape(endpoint: str, bucket: str) -> dict[str, Any]:
    s3 = boto3.client("s3", endpoint_url=endpoint)
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    shape: dict[str, Any] = {
        "encryption": [
            rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
            for rule in encryption["Rules"]
        ],
        "public": s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
    }
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except s3.exceptions.ClientError:
        rules = []
    shape["lifecycle"] = [
        (
            rule["ID"],
            rule["Status"],
            rule["Expiration"]["Days"],
            rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
        )
        for rule in rules
    ]
    return shape


BLOCKED = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def test_bootstrap_creates_the_section_8_schema_and_a_second_run_changes_nothing(
    aws_endpoint: str, aws_names: AwsNames, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(bootstrap(aws_endpoint, aws_names, "--log-retention-days", "90")) == 0
    first = capsys.readouterr().out
    assert line("created", f"DynamoDB table {aws_names.table}") in first
    assert line("created", f"S3 bucket {aws_names.logs_bucket}") in first
    assert line("set", f"  public access blocked on {aws_names.artifacts_bucket}") in first

    assert table_shape(aws_endpoint, aws_names.table) == {
        "key": [("buildID", "HASH")],
        "attributes": {"buildID": "S", "projectKey": "S", "buildTime": "N", "isBuilding": "N"},
        "billing": "PAY_PER_REQUEST",
        "indexes": {
            "projectKey-buildTime-index": (
                [("projectKey", "HASH"), ("buildTime", "RANGE")],
                {"ProjectionType": "ALL"},
            ),
            "isBuilding-index": ([("isBuilding", "HASH")], {"ProjectionType": "ALL"}),
        },
    }
    logs = bucket_shape(aws_endpoint, aws_names.logs_bucket)
    artifacts = bucket_shape(aws_endpoint, aws_names.artifacts_bucket)
    assert logs == {
        "encryption": ["AES256"],
        "public": BLOCKED,
        "lifecycle": [(LOG_RULE_ID, "Enabled", 90, 7)],
    }
    assert artifacts == {"encryption": ["AES256"], "public": BLOCKED, "lifecycle": []}

    assert main(bootstrap(aws_endpoint, aws_names, "--log-retention-days", "90")) == 0
    second = capsys.readouterr().out
    assert "Nothing to change: everything was already in place." in second
    assert "created" not in second
    assert second.count(line("in place", "")) == 8  # every step, and none was applied
    assert bucket_shape(aws_endpoint, aws_names.logs_bucket) == logs
    assert bucket_shape(aws_endpoint, aws_names.artifacts_bucket) == artifacts


def test_a_dry_run_prints_the_plan_and_creates_nothing(
    aws_endpoint: str, aws_names: AwsNames, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(bootstrap(aws_endpoint, aws_names, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert line("would create", f"DynamoDB table {aws_names.table}") in out
    encryption = f"  encryption at rest (SSE-S3) on {aws_names.artifacts_bucket}"
    assert line("would set", encryption) in out
    assert "Dry run: 8 step(s) would change something; nothing was changed." in out
    tables = boto3.client("dynamodb", endpoint_url=aws_endpoint).list_tables()["TableNames"]
    buckets = boto3.client("s3", endpoint_url=aws_endpoint).list_buckets()["Buckets"]
    assert aws_names.table not in tables
    assert aws_names.logs_bucket not in {bucket["Name"] for bucket in buckets}


def test_only_what_is_missing_is_put_in_place(
    aws_endpoint: str, aws_names: AwsNames, capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.client("s3", endpoint_url=aws_endpoint).create_bucket(Bucket=aws_names.logs_bucket)
    assert main(bootstrap(aws_endpoint, aws_names, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert line("in place", f"S3 bucket {aws_names.logs_bucket}") in out
    assert line("would create", f"S3 bucket {aws_names.artifacts_bucket}") in out
    assert "7 step(s) would change" in out
    assert main(bootstrap(aws_endpoint, aws_names, "--log-retention-days", "30")) == 0
    assert main(bootstrap(aws_endpoint, aws_names, "--log-retention-days", "60")) == 0
    out = capsys.readouterr().out
    lifecycle = f"  lifecycle: logs expire after 60 days on {aws_names.logs_bucket}"
    assert line("set", lifecycle) in out
    assert "Done: 1 step(s) changed something." in out
    assert bucket_shape(aws_endpoint, aws_names.logs_bucket)["lifecycle"] == [
        (LOG_RULE_ID, "Enabled", 60, 7)
    ]


def test_a_table_of_another_shape_is_named_and_left_alone(
    aws_endpoint: str, aws_names: AwsNames, capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.client("dynamodb", endpoint_url=aws_endpoint).create_table(
        TableName=aws_names.table,
        KeySchema=[{"AttributeName": "buildID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "buildID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert main(bootstrap(aws_endpoint, aws_names)) == 1
    err = capsys.readouterr().err
    assert f"DynamoDB table {aws_names.table} exists but differs" in err
    assert "index projectKey-buildTime-index is missing" in err
    assert "index isBuilding-index is missing" in err


def test_an_unreachable_endpoint_is_a_clear_error(
    aws_endpoint: str, aws_names: AwsNames, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.servers.ports import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    assert main(bootstrap(dead, aws_names, "--dry-run")) == 1
    assert "AWS refused or could not be reached" in capsys.readouterr().err
