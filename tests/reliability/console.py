"""Whether each build's stored console log is whole: it holds the last line its script prints."""

from __future__ import annotations

from aftomato.common.records.model import BuildRecord
from tests.e2e.cluster import Cluster
from tests.e2e.outcomes import console_log
from tests.e2e.scripts_repo import SLOW
from tests.reliability.deliveries import QUICK


def last_line(record: BuildRecord) -> str:
    """The last line the build's script prints (the suite's quick and slow projects)."""
    if record.project_key == SLOW:
        return f"slow build {record.build_id} ends"
    assert record.project_key == QUICK, record.project_key
    return f"Building branch {record.branch}"


async def incomplete_logs(cluster: Cluster, records: dict[str, BuildRecord]) -> dict[str, str]:
    """The builds whose stored log lacks its script's last line, with the log's end."""
    missing = {}
    for build_id, record in records.items():
        log = await console_log(cluster, build_id)
        if last_line(record) not in log:
            missing[build_id] = log[-300:]
    return missing
