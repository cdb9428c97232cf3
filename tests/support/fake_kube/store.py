"""The pods, by namespace and name, with one monotonic resourceVersion and the change feed.

All changes go through here: each is validated (strict schema plus the server's own pod rules),
committed with the next resourceVersion, recorded in the history and published to watches.
An update that changes nothing is not committed, as on a real server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tests.support.fake_kube import semantics, strategy
from tests.support.fake_kube.errors import Obj, already_exists, conflict, invalid, not_found
from tests.support.fake_kube.history import Cut, Event, Fanout, History, Subscription
from tests.support.fake_kube.logs import ContainerLog
from tests.support.fake_kube.selectors import PodFilter
from tests.support.fake_kube.trees import copy_tree
from tests.support.fake_kube.validation import SchemaCheck

Key = tuple[str, str]  # (namespace, name)
DEFAULT_GRACE_SECONDS = 30  # a pod's terminationGracePeriodSeconds when its spec sets none


class Node(Protocol):
    """A node that runs the pods (``node.py``). Without one, a deleted pod goes at once; with one,
    as on a real cluster, it is marked terminating and goes once the node has stopped it."""

    def pod_created(self, namespace: str, name: str) -> None: ...

    def pod_deleting(self, namespace: str, name: str, grace_seconds: int) -> bool:
        """Stop the pod within ``grace_seconds``; False if nothing runs (remove it at once)."""
        ...


@dataclass
class Counters:
    """What happened since the fake started, for "no duplicate pods"-style assertions."""

    pods_created: int = 0
    pods_deleted: int = 0
    create_conflicts: int = 0
    invalid_objects: int = 0
    watches_opened: int = 0
    watches_expired: int = 0


@dataclass
class PodRecord:
    obj: Obj  # the stored pod; replaced on every change, never mutated
    logs: dict[str, ContainerLog] = field(default_factory=dict)


class PodStore:
    def __init__(self, schema: SchemaCheck, history_limit: int = 1000) -> None:
        self.schema = schema
        self.resource_version = 1
        self.counters = Counters()
        self.history = History(history_limit)
        self.fanout = Fanout()
        self.pods: dict[Key, PodRecord] = {}
        self.changed: Callable[[], None] = lambda: None  # called after every commit
        self.node: Node | None = None

    def record(self, namespace: str, name: str) -> PodRecord:
        try:
            return self.pods[namespace, name]
        except KeyError:
            raise not_found(name) from None

    def matching(self, pod_filter: PodFilter) -> list[Obj]:
        return [r.obj for key, r in sorted(self.pods.items()) if pod_filter.matches(r.obj)]

    def validate(self, pod: Obj) -> None:
        """422 Invalid naming every problem, schema problems first."""
        causes = self.schema.problems(pod) or semantics.pod_problems(pod)
        if causes:
            self.counters.invalid_objects += 1
            meta = pod.get("metadata") or {}
            raise invalid(str(meta.get("name") or meta.get("generateName") or ""), causes)

    def create(self, namespace: str, body: object) -> Obj:
        pod = strategy.received(body, namespace)
        meta = pod["metadata"]
        if not meta.get("name") and not meta.get("generateName"):
            detail = "Required value: name or generateName is required"
            raise invalid("", [("metadata.name", "FieldValueRequired", detail)])
        stored = strategy.for_create(pod, namespace, self.resource_version + 1)
        self.validate({**pod, "metadata": {**meta, "name": stored["metadata"]["name"]}})
        name = stored["metadata"]["name"]
        if (namespace, name) in self.pods:
            self.counters.create_conflicts += 1
            raise already_exists(name)
        self.pods[namespace, name] = PodRecord(stored)
        self.counters.pods_created += 1
        self._commit("ADDED", stored, None)
        if self.node is not None:
            self.node.pod_created(namespace, name)
        return stored

    def update(
        self, namespace: str, name: str, change: Callable[[Obj], Obj], precondition: str | None
    ) -> Obj:
        """Apply ``change`` to the stored pod; 409 Conflict if ``precondition`` is stale."""
        record = self.record(namespace, name)
        old = record.obj
        if precondition is not None and precondition != old["metadata"]["resourceVersion"]:
            raise conflict(name)
        new = change(copy_tree(old))
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        self.validate(new)
        if new == old:
            return old
        new["metadata"]["resourceVersion"] = str(self.resource_version + 1)
        record.obj = new
        self._sync_logs(record)
        self._commit("MODIFIED", new, old)
        return new

    def delete(self, namespace: str, name: str, grace_seconds: int | None = None) -> Obj:
        """Remove the pod, or with a node running it, mark it terminating (the node removes it)."""
        record = self.record(namespace, name)
        if record.obj["metadata"].get("deletionTimestamp"):
            return record.obj
        if grace_seconds is None:
            grace_seconds = record.obj["spec"].get(
                "terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS
            )
        if self.node is not None and self.node.pod_deleting(namespace, name, grace_seconds):
            return self.update(
                namespace, name, lambda old: strategy.terminating(old, grace_seconds), None
            )
        return self.remove(namespace, name)

    def remove(self, namespace: str, name: str) -> Obj:
        """The pod is gone: DELETED to watchers, its logs end."""
        record = self.record(namespace, name)
        del self.pods[namespace, name]
        for log in record.logs.values():
            log.finish()
        gone = copy_tree(record.obj)
        gone["metadata"]["resourceVersion"] = str(self.resource_version + 1)
        self.counters.pods_deleted += 1
        self._commit("DELETED", gone, record.obj)
        return gone

    def _commit(self, kind: str, obj: Obj, prev: Obj | None) -> None:
        self.resource_version += 1
        event = Event(kind, self.resource_version, obj, prev)
        self.history.record(event)
        self.fanout.publish(event)
        self.changed()

    def _sync_logs(self, record: PodRecord) -> None:
        """Containers reported running or terminated have a log; terminated ones are done."""
        status = record.obj.get("status", {})
        for entry in status.get("initContainerStatuses", []) + status.get("containerStatuses", []):
            state = entry.get("state") or {}
            if "running" in state or "terminated" in state:
                log = record.logs.setdefault(entry["name"], ContainerLog())
                if "terminated" in state:
                    log.finish()

    def watch(self, since: int | None) -> tuple[list[Event], Subscription]:
        """The events a new watch starts with, and its live feed (410 if ``since`` is expired).

        Without ``since``, the start is a synthetic ADDED event for every current pod."""
        if since is None:
            start = [
                Event("ADDED", int(r.obj["metadata"]["resourceVersion"]), r.obj, None)
                for _, r in sorted(self.pods.items())
            ]
        else:
            start = self.history.since(since)
        return start, self.fanout.subscribe()

    def bookmark(self) -> None:
        self.fanout.publish(Event("BOOKMARK", self.resource_version, None, None))

    def compact(self) -> None:
        self.history.compact(self.resource_version)

    def cut_watches(self, how: Cut = Cut.CLEAN) -> int:
        return self.fanout.publish(how)

    def close(self) -> None:
        """End every stream: watches and followed logs (the fake is stopping)."""
        self.cut_watches()
        for record in self.pods.values():
            for log in record.logs.values():
                log.finish()
