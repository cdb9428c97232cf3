"""Coordination between replicas: a small transactional key-value store (etcd, or in-process).

Locks, queues and limits are built once, in the services, on top of :class:`CoordinationStore`;
its two implementations keep the same promises (atomic compare-and-swap transactions, revisions,
leases whose expiry deletes their keys), proven by one contract test suite.
"""

from aftomato.common.coordination.store import (
    Compare,
    CoordinationStore,
    CoordinationUnavailable,
    Delete,
    KeyValue,
    LeaseNotFound,
    Operation,
    Outcome,
    Put,
    Snapshot,
)

__all__ = [
    "Compare",
    "CoordinationStore",
    "CoordinationUnavailable",
    "Delete",
    "KeyValue",
    "LeaseNotFound",
    "Operation",
    "Outcome",
    "Put",
    "Snapshot",
]
