"""Where builds live in the coordination store: the key layout shared by scheduler, watcher, api.

Under the configured prefix (default ``/aftomato/``):

=================================================  ==============================================
``locks/<branch key>``                              the running build's id; on a lock lease
``running/<build id>``                              a :class:`RunningBuild`; on a lock lease
``slots/<n>``                                       a build id; one per running build under a limit
``queues/<branch key>/<requested ns>-<build id>``   a waiting ``build.requested`` (JSON), FIFO
``builds/<build id>``                               a :class:`BuildEntry`: what the scheduler knows
``newest-started/<branch key>``                      the newest ``build.requested`` started on the
                                                    branch (``supersede``, ``cancel-previous``)
``queue-closed``                                    present while the queue is closed
=================================================  ==============================================

When the build ends, its lock, running entry and slot are deleted in one transaction
(:mod:`.release`). They hang on a lock lease that covers the build's timeout plus a grace period,
shared by the builds a scheduler replica promotes within a minute (so promoting costs no lease
grant of its own): its expiry frees them if every scheduler and watcher is gone. A finished
build's ``builds/`` entry and the ``newest-started/`` keys hang on a retention lease (the
scheduler's ``AFTOMATO_FINISHED_BUILDS_KEPT_DAYS``).
A branch key is ``quote(project)/quote(branch)``, so it holds exactly one ``/`` whatever the
project key and branch hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict


def branch_key(project_key: str, branch: str) -> str:
    return f"{quote(project_key, safe='')}/{quote(branch, safe='')}"


def split_branch_key(key: str) -> tuple[str, str]:
    project, _, branch = key.partition("/")
    return unquote(project), unquote(branch)


@dataclass(frozen=True)
class BuildKeys:
    prefix: str = "/aftomato/"

    def lock(self, branch: str) -> str:
        return f"{self.prefix}locks/{branch}"

    @property
    def locks(self) -> str:
        return f"{self.prefix}locks/"

    def running(self, build_id: str) -> str:
        return f"{self.prefix}running/{build_id}"

    @property
    def all_running(self) -> str:
        return f"{self.prefix}running/"

    def slot(self, number: int) -> str:
        return f"{self.prefix}slots/{number}"

    @property
    def slots(self) -> str:
        return f"{self.prefix}slots/"

    def queue(self, branch: str) -> str:
        return f"{self.prefix}queues/{branch}/"

    @property
    def queues(self) -> str:
        return f"{self.prefix}queues/"

    def queue_item(self, branch: str, requested_at: datetime, build_id: str) -> str:
        nanoseconds = int(requested_at.timestamp() * 1_000_000) * 1000
        return f"{self.queue(branch)}{nanoseconds:020d}-{build_id}"

    def build(self, build_id: str) -> str:
        return f"{self.prefix}builds/{build_id}"

    @property
    def builds(self) -> str:
        return f"{self.prefix}builds/"

    def newest_started(self, branch: str) -> str:
        """The newest request started on ``branch`` under a newest-wins policy (its JSON)."""
        return f"{self.prefix}newest-started/{branch}"

    @property
    def queue_closed(self) -> str:
        return f"{self.prefix}queue-closed"

    def branch_of_queue_item(self, key: str) -> str:
        return key.removeprefix(self.queues).rsplit("/", 1)[0]


class Phase(StrEnum):
    WAITING = "waiting"
    SCHEDULED = "scheduled"
    DONE = "done"


class BuildEntry(BaseModel):
    """The scheduler's memory of one build, so a redelivered request never builds twice."""

    model_config = ConfigDict(frozen=True)

    phase: Phase
    branch: str
    queue_item: str | None = None
    outcome: str | None = None


class RunningBuild(BaseModel):
    """A build holding its branch's lock: enough to (re)create its pod after a crash."""

    model_config = ConfigDict(frozen=True)

    request: str
    """The ``build.requested`` JSON."""
    branch: str
    lease: int
    """The lock lease its keys hang on (shared with other builds: never revoke it)."""
    slot: int | None = None
    pod_created: bool = False
    promoted_at: float | None = None
    """When its lock was taken (seconds since the epoch): a pod not created for a while after is
    created again by a sweep, while one being created now is left to its launcher."""
