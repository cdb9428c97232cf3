"""What the soak left behind, judged: every record in the table (one scan at the end), every pod
the fake API saw created, against every build a 202 named. Pure but for :func:`all_records`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import aioboto3

from aftomato.common.records.dynamodb_table import from_item
from aftomato.common.records.model import BuildRecord
from aftomato.common.settings import AwsSettings
from aftomato.common.states import BuildState


async def all_records(aws: AwsSettings) -> dict[str, BuildRecord]:
    """Every record of the table, by build id."""
    session = aioboto3.Session(region_name=aws.region)
    records: dict[str, BuildRecord] = {}
    async with session.client("dynamodb", endpoint_url=aws.endpoint_url) as client:
        paginator = client.get_paginator("scan")
        async for page in paginator.paginate(TableName=aws.table):
            for item in page["Items"]:
                record = from_item(item)
                records[record.build_id] = record
    return records


@dataclass(frozen=True)
class Verdict:
    built: int
    """Measured builds whose record is final and succeeded."""
    lost: list[str]
    """Accepted builds with no record, or one not final."""
    not_succeeded: Counter[str]
    """Accepted builds that ended other than succeeded, by final state."""
    extra_pods: int
    """Pods beyond the first for one build."""
    unaccepted_records: int
    """Records of builds no 202 named."""

    def duplicates(self, deliveries_with_many_builds: int) -> int:
        return self.extra_pods + self.unaccepted_records + deliveries_with_many_builds


def judge(
    accepted: set[str],
    measured: set[str],
    records: dict[str, BuildRecord],
    pods_per_build: Counter[str],
) -> Verdict:
    """``accepted``: every build a 202 named; ``measured``: those of them ``built`` counts."""
    lost = sorted(b for b in accepted if b not in records or not records[b].state.is_final)
    ended = [records[b].state for b in accepted if b in records and records[b].state.is_final]
    return Verdict(
        built=sum(records[b].state is BuildState.SUCCEEDED for b in measured & records.keys()),
        lost=lost,
        not_succeeded=Counter(str(s) for s in ended if s is not BuildState.SUCCEEDED),
        extra_pods=sum(max(0, count - 1) for count in pods_per_build.values()),
        unaccepted_records=len(records.keys() - accepted),
    )
