"""The build record, the update that moves it, and the one rule by which updates merge.

:func:`advance` is the whole rule, pure and shared by every store:

- no record yet: the update creates one (``requested_at`` is the update's, or when the update
  happened if the first event seen is a later one);
- the update's state ranks higher (:func:`~aftomato.common.states.is_forward`): the record moves
  to it, takes every field the update carries, and its ``reason`` becomes the update's (a reason
  explains the current state, so a move without one clears it);
- the update has the record's own state (a redelivery, or a second writer adding what it knows):
  it only fills fields that are still empty;
- anything else (a lower rank, or another final state): nothing changes. A record never moves
  backwards and a finished build never changes its outcome.

A field an update leaves ``None`` is one it does not carry. ``build_id``, ``project_key``,
``branch`` and ``requested_at`` are fixed when the record is created. Once a record is final and
knows when it finished, ``elapsed_seconds`` defaults to the time since it started (or was
scheduled).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from aftomato.common.messages import Branch, BuildId, ProjectKey, RefType, Source
from aftomato.common.states import BuildState, is_forward

RECORD_SCHEMA_VERSION = 1
"""The version of the record's shape that stores write today."""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(lambda moment: moment.astimezone(UTC))]
"""A time with its zone, kept in UTC (a naive time is refused)."""


def _now() -> datetime:
    return datetime.now(UTC)


class _BuildFacts(BaseModel):
    """What a record knows beyond its identity and state; each fact arrives with some event."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    build_id: BuildId
    project_key: ProjectKey
    branch: Branch
    state: BuildState
    reason: str | None = Field(default=None, max_length=4096)
    commit: str | None = Field(default=None, max_length=64)
    ref_type: RefType | None = None
    pull_request: int | None = Field(default=None, ge=1)
    source: Source | None = None
    actor: str | None = Field(default=None, max_length=256)
    queued_at: UtcDatetime | None = None
    scheduled_at: UtcDatetime | None = None
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    exit_code: int | None = None
    elapsed_seconds: float | None = Field(default=None, ge=0)
    pod_name: str | None = Field(default=None, max_length=253)
    log_location: str | None = Field(default=None, max_length=2048)
    """Where the console log is kept: ``s3://bucket/key`` or a ``file://`` URL."""
    artifacts_location: str | None = Field(default=None, max_length=2048)
    """Where the build's artifacts are kept: a prefix URL (``s3://bucket/build-id/``)."""


_IDENTITY = frozenset({"build_id", "project_key", "branch", "state", "reason"})
FACTS: tuple[str, ...] = tuple(name for name in _BuildFacts.model_fields if name not in _IDENTITY)
"""The fields an update may fill in (``reason`` follows its own rule, see the module)."""


class BuildRecord(_BuildFacts):
    """One build as the stores keep it and the API shows it."""

    requested_at: UtcDatetime

    @property
    def is_building(self) -> bool:
        """Not final yet: the build waits, or its pod is being made or runs."""
        return not self.state.is_final

    @property
    def build_time(self) -> int:
        """When the build was requested, in whole epoch seconds: the order of history."""
        return int(self.requested_at.timestamp())


class RecordUpdate(_BuildFacts):
    """What one event says about a build: its state, and the facts it carries (``None``: not)."""

    requested_at: UtcDatetime | None = None
    occurred_at: UtcDatetime = Field(default_factory=_now)
    """When the event happened: the record's ``requested_at`` if it creates the record."""


def advance(record: BuildRecord | None, update: RecordUpdate) -> BuildRecord:
    """``record`` with ``update`` merged in by the rule of this module (the same object if not)."""
    if record is None:
        return _create(update)
    if is_forward(record.state, update.state):
        changes = {**_carried(update), "state": update.state, "reason": update.reason}
        return _with_elapsed(record.model_copy(update=changes))
    if update.state is record.state:
        return _fill(record, update)
    return record


def _carried(update: RecordUpdate) -> dict[str, Any]:
    return {name: value for name in FACTS if (value := getattr(update, name)) is not None}


def _create(update: RecordUpdate) -> BuildRecord:
    record = BuildRecord(
        build_id=update.build_id,
        project_key=update.project_key,
        branch=update.branch,
        state=update.state,
        reason=update.reason,
        requested_at=update.requested_at or update.occurred_at,
        **_carried(update),
    )
    return _with_elapsed(record)


def _fill(record: BuildRecord, update: RecordUpdate) -> BuildRecord:
    carried = {**_carried(update), "reason": update.reason}
    changes = {
        name: value
        for name, value in carried.items()
        if value is not None and getattr(record, name) is None
    }
    return _with_elapsed(record.model_copy(update=changes)) if changes else record


def _with_elapsed(record: BuildRecord) -> BuildRecord:
    start = record.started_at or record.scheduled_at
    if record.is_building or record.elapsed_seconds is not None or not record.finished_at:
        return record
    if start is None:
        return record
    elapsed = max(0.0, (record.finished_at - start).total_seconds())
    return record.model_copy(update={"elapsed_seconds": elapsed})
