"""``aftomato aws``: set up the DynamoDB table and S3 buckets; say which IAM policies to grant."""

from aftomato.cli.aws.command import main

__all__ = ["main"]
