"""``aftomato aws bootstrap`` and ``aftomato aws policies``.

``bootstrap`` puts the DynamoDB table (both indexes) and the two S3 buckets in place, then prints
the IAM policies the services need. Every step checks before it acts, so a second run changes
nothing and says so; ``--dry-run`` only checks and prints the plan. ``policies`` prints the
policies without touching AWS. Names come from the same variables the services read
(``AFTOMATO_DYNAMODB_TABLE``, ...); flags override them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

import aioboto3
import botocore.config
from botocore.exceptions import BotoCoreError, ClientError

from aftomato.cli.aws.buckets import bucket_steps
from aftomato.cli.aws.plan import carry_out, summary
from aftomato.cli.aws.policies import NO_AWS, service_policies
from aftomato.cli.aws.table import TableDiffers, table_step
from aftomato.common.settings import AwsSettings, SettingsError, load

DEFAULT_LOG_RETENTION_DAYS = 365
DESCRIPTION = (
    "Set up AWS for Aftomato: 'bootstrap' creates the DynamoDB table and the S3 buckets where "
    "missing (a second run changes nothing), 'policies' prints the IAM policies the services need."
)
# A person waits for this command: a wrong endpoint should fail within seconds, not a minute.
CLIENT_CONFIG = botocore.config.Config(
    connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 3}
)


def say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - the command line speaks to its user


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aftomato aws", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    bootstrap = commands.add_parser("bootstrap", help="create the table and buckets, idempotently")
    policies = commands.add_parser("policies", help="print the IAM policies the services need")
    for sub in (bootstrap, policies):
        sub.add_argument("--table", help="DynamoDB table (default: AFTOMATO_DYNAMODB_TABLE)")
        sub.add_argument("--logs-bucket", help="console-logs bucket (AFTOMATO_LOGS_BUCKET)")
        sub.add_argument("--artifacts-bucket", help="artifacts bucket (AFTOMATO_ARTIFACTS_BUCKET)")
    bootstrap.add_argument(
        "--endpoint-url", help="S3/DynamoDB stand-in, e.g. moto (AFTOMATO_AWS_ENDPOINT_URL)"
    )
    bootstrap.add_argument("--region", help="AWS region (default: AWS_DEFAULT_REGION)")
    bootstrap.add_argument(
        "--log-retention-days",
        type=int,
        default=DEFAULT_LOG_RETENTION_DAYS,
        help=f"console logs expire after this many days (default {DEFAULT_LOG_RETENTION_DAYS})",
    )
    bootstrap.add_argument(
        "--dry-run", action="store_true", help="check and print the plan; change nothing"
    )
    return parser


def _settings(args: argparse.Namespace) -> AwsSettings:
    overrides = {
        "table": args.table,
        "logs_bucket": args.logs_bucket,
        "artifacts_bucket": args.artifacts_bucket,
        "endpoint_url": getattr(args, "endpoint_url", None),
        "region": getattr(args, "region", None),
    }
    settings = load(AwsSettings)
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except SettingsError as error:
        print(f"aftomato aws: {error}", file=sys.stderr)  # noqa: T201
        return 2
    if args.command == "policies":
        print_policies(settings)
        return 0
    if args.log_retention_days < 1:
        print("aftomato aws: --log-retention-days must be at least 1", file=sys.stderr)  # noqa: T201
        return 2
    try:
        asyncio.run(bootstrap(settings, args.log_retention_days, dry_run=args.dry_run))
    except TableDiffers as error:
        print(f"aftomato aws: {error}", file=sys.stderr)  # noqa: T201
        return 1
    except (ClientError, BotoCoreError) as error:
        print(f"aftomato aws: AWS refused or could not be reached: {error}", file=sys.stderr)  # noqa: T201
        return 1
    print_policies(settings)
    return 0


async def bootstrap(settings: AwsSettings, log_retention_days: int, *, dry_run: bool) -> int:
    """Carry out (or with ``dry_run`` only check) every step; the number that were needed."""
    where = settings.endpoint_url or f"AWS region {settings.region}"
    say(f"{'Plan' if dry_run else 'Bootstrap'} against {where}:")
    session = aioboto3.Session(region_name=settings.region)
    endpoint = settings.endpoint_url
    async with (
        session.client("dynamodb", endpoint_url=endpoint, config=CLIENT_CONFIG) as dynamodb,
        session.client("s3", endpoint_url=endpoint, config=CLIENT_CONFIG) as s3,
    ):
        steps = [
            table_step(dynamodb, settings.table),
            *bucket_steps(s3, settings.logs_bucket, expire_after_days=log_retention_days),
            *bucket_steps(s3, settings.artifacts_bucket, expire_after_days=None),
        ]
        needed = await carry_out(steps, dry_run=dry_run, say=say)
    say(summary(needed, dry_run=dry_run))
    return needed


def print_policies(settings: AwsSettings) -> None:
    policies = service_policies(settings.table, settings.logs_bucket, settings.artifacts_bucket)
    say("")
    say(f"IAM policies (least privilege). {' and '.join(NO_AWS)} need no AWS access.")
    for principal, policy in policies.items():
        say(f"\n# {principal}")
        say(json.dumps(policy, indent=2))
