"""What a build pod's status means for its build: a pure function from pod to :class:`Observation`.

No I/O and no clock (the caller passes ``now``); the pod is the API's plain dict, read by
:mod:`.pod_facts`. The first rule that matches decides, in this order:

==  ==================================================  ==========  ===============================
#   when                                                state       reason
==  ==================================================  ==========  ===============================
1   annotation ``aftomato.io/cancelled`` and the pod    cancelled   the annotation's value
    is terminating (``deletionTimestamp``) or ended
2   ``status.reason`` is ``DeadlineExceeded``           timed_out   the build ran past its timeout
                                                                    of 1h30m
3   ``status.reason`` is ``Evicted``                    errored     evicted: <status.message>
4   build container terminated ``OOMKilled``            errored     out of memory (OOMKilled); the
                                                                    memory limit is 2Gi
5   build container terminated ``StartError`` or        errored     the build container could not
    ``ContainerCannotRun``                                          start: <message>
6   init container ``scripts`` exited non-zero          errored     the build scripts could not be
                                                                    checked out: <reason> (exit n)
7   build container killed by a signal (128 + n) while  errored     the build got signal n, as the
    the pod is deleted, or with a ``status.reason``                 pod was deleted outside Aftomato
                                                                    / Kubernetes stopped the pod
8   build container terminated                          see below   see below
9   phase ``Running`` and build container running       running     -
10  a container waiting ``InvalidImageName``,           errored     container <name> cannot start:
    ``ErrImageNeverPull``, ``RunContainerError``,                   <waiting reason>: <message>
    ``CreateContainerError``,
    ``CreateContainerConfigError`` (a missing Secret)
11  a container waiting ``ErrImagePull``,               scheduled,  waiting: <waiting reason> ...;
    ``ImagePullBackOff``, ``RegistryUnavailable``,      errored     then: pending longer than <t>
    ``CrashLoopBackOff`` (a sidecar)                    after t     ...
12  condition ``PodScheduled=False``                    scheduled,  waiting: ...; then: could not
                                                        errored     be scheduled: <message>
                                                        after t
13  phase ``Succeeded``/``Failed`` (node lost, ...)     errored     the pod ended (Failed) without
                                                                    a result: <reason>: <message>
14  anything else                                       scheduled   waiting: <reason> or none
==  ==================================================  ==========  ===============================

``t`` is ``pending_timeout``, counted from ``status.startTime`` (else ``creationTimestamp``);
a pod pending exactly ``t`` still waits. Rule 8 reads the build container's exit code, which is
the entrypoint's (``build-container/aftomato/entrypoint/exitcodes.py``):

==================  =========  ==========================================================
exit code           state      reason
==================  =========  ==========================================================
0                   succeeded  -
120                 errored    the build script was not found or the project key was refused
121                 errored    the build succeeded but uploading its artifacts failed
122                 errored    the build entrypoint failed (its log holds the traceback)
123                 errored    the build's configuration or workspace is unusable
128 + n (a signal)  failed     build.sh was killed by signal 9 (SIGKILL), exit 137
any other           failed     build.sh exited with code N
==================  =========  ==========================================================

A signal's code is read after rules 1, 2 and 7: a cancelled pod ends ``cancelled``, a pod past its
deadline ``timed_out``, a pod deleted or stopped by Kubernetes ``errored``; only a script killed
by other means (a signal of its own) ``failed``. Every observation keeps the build container's
exit code and times when it has them. :func:`vanished` ends a record whose pod is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aftomato.common.states import BuildState
from aftomato.watcher.pod_facts import (
    CANNOT_START,
    ENTRYPOINT_ERRORS,
    MAY_RECOVER,
    START_ERRORS,
    Container,
    PodFacts,
    build_id_of,
    describe,
    duration,
    pod_name_of,
    read_pod,
    signal_name,
)

__all__ = ["Observation", "build_id_of", "exit_meaning", "observe", "pod_name_of", "vanished"]

VANISHED = "the build pod disappeared before the watcher saw it end"


@dataclass(frozen=True)
class Observation:
    """What the watcher records for a pod: a state, why, and what the build container reported."""

    state: BuildState
    reason: str | None = None
    exit_code: int | None = None
    """The build container's exit code (``buildResult``) whenever it terminated."""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    """When the build container terminated; None when it never did (the caller's clock decides)."""

    @property
    def final(self) -> bool:
        return self.state.is_final


@dataclass(frozen=True)
class _Pending:
    timeout: timedelta
    overdue: bool
    """The pod has been pending longer than ``timeout``."""


Rule = Callable[[PodFacts, _Pending], Observation | None]


def observe(pod: Mapping[str, Any], *, now: datetime, pending_timeout: timedelta) -> Observation:
    """The build state ``pod`` shows at ``now`` (see the module's table)."""
    facts = read_pod(pod)
    since = facts.pending_since
    pending = _Pending(pending_timeout, since is not None and now - since > pending_timeout)
    for rule in RULES:
        found = rule(facts, pending)
        if found is not None:
            return found
    return _waiting(facts)


def vanished(state: BuildState, missing_for: timedelta, grace: timedelta) -> Observation | None:
    """The end of a record in ``state`` whose pod has been gone for ``missing_for``.

    Only ``scheduled`` and ``running`` records have a pod to lose; they end ``errored`` once it
    has been gone for ``grace`` (a pod just created may not show in a listing yet).
    """
    if state not in (BuildState.SCHEDULED, BuildState.RUNNING) or missing_for < grace:
        return None
    gone = f"gone for {duration(missing_for)}"
    return Observation(BuildState.ERRORED, f"pod vanished: {VANISHED} ({gone})")


def exit_meaning(code: int) -> tuple[BuildState, str | None]:
    """The state and reason of a build container that exited with ``code`` (rule 8)."""
    if code == 0:
        return BuildState.SUCCEEDED, None
    if code in ENTRYPOINT_ERRORS:
        return BuildState.ERRORED, ENTRYPOINT_ERRORS[code]
    name = signal_name(code)
    if name is not None:
        return BuildState.FAILED, f"build.sh was killed by {name}, exit {code}"
    return BuildState.FAILED, f"build.sh exited with code {code}"


def _observed(pod: PodFacts, state: BuildState, reason: str | None) -> Observation:
    build = pod.build or Container(name="")
    return Observation(state, reason, build.exit_code, build.started_at, build.finished_at)


def _cancelled(pod: PodFacts, _: _Pending) -> Observation | None:
    if pod.cancelled is None or not (pod.deleting or pod.ended):
        return None
    return _observed(pod, BuildState.CANCELLED, pod.cancelled.strip() or "cancelled")


def _deadline(pod: PodFacts, _: _Pending) -> Observation | None:
    if pod.reason != "DeadlineExceeded":
        return None
    seconds = pod.deadline_seconds
    limit = "" if seconds is None else f" of {duration(timedelta(seconds=seconds))}"
    return _observed(pod, BuildState.TIMED_OUT, f"the build ran past its timeout{limit}")


def _evicted(pod: PodFacts, _: _Pending) -> Observation | None:
    if pod.reason != "Evicted":
        return None
    return _observed(pod, BuildState.ERRORED, f"evicted: {pod.message or 'no message given'}")


def _out_of_memory(pod: PodFacts, _: _Pending) -> Observation | None:
    if pod.build is None or pod.build.ended != "OOMKilled":
        return None
    limit = pod.memory_limit
    detail = f"the memory limit is {limit}" if limit else "the build container has no memory limit"
    return _observed(pod, BuildState.ERRORED, f"out of memory (OOMKilled); {detail}")


def _start_error(pod: PodFacts, _: _Pending) -> Observation | None:
    if pod.build is None or pod.build.ended not in START_ERRORS:
        return None
    detail = describe(pod.build.ended, pod.build.message)
    return _observed(pod, BuildState.ERRORED, f"the build container could not start: {detail}")


def _checkout_failed(pod: PodFacts, _: _Pending) -> Observation | None:
    scripts = pod.scripts
    if scripts is None or not scripts.exit_code:
        return None
    detail = f"{describe(scripts.ended, scripts.message)} (exit code {scripts.exit_code})"
    reason = f"the build scripts could not be checked out: {detail}"
    return _observed(pod, BuildState.ERRORED, reason)


def _stopped(pod: PodFacts, _: _Pending) -> Observation | None:
    code = None if pod.build is None else pod.build.exit_code
    name = None if code is None else signal_name(code)
    if name is None or not (pod.deleting or pod.reason):
        return None
    if pod.reason:
        cause = f"Kubernetes stopped the pod: {describe(pod.reason, pod.message)}"
    else:
        cause = "the pod was deleted outside Aftomato"
    return _observed(pod, BuildState.ERRORED, f"the build got {name}, exit {code}, as {cause}")


def _exited(pod: PodFacts, _: _Pending) -> Observation | None:
    if pod.build is None or pod.build.exit_code is None:
        return None
    return _observed(pod, *exit_meaning(pod.build.exit_code))


def _running(pod: PodFacts, _: _Pending) -> Observation | None:
    if pod.phase != "Running" or pod.build is None or pod.build.running_since is None:
        return None
    return _observed(pod, BuildState.RUNNING, None)


def _cannot_start(pod: PodFacts, _: _Pending) -> Observation | None:
    container = pod.waiting_in(CANNOT_START)
    if container is None:
        return None
    detail = describe(container.waiting, container.message)
    return _observed(pod, BuildState.ERRORED, f"container {container.name} cannot start: {detail}")


def _stuck(pod: PodFacts, pending: _Pending) -> Observation | None:
    container = pod.waiting_in(MAY_RECOVER)
    if container is None:
        return None
    waiting = f"{describe(container.waiting, container.message)} (container {container.name})"
    if not pending.overdue:
        return _observed(pod, BuildState.SCHEDULED, f"waiting: {waiting}")
    reason = f"the pod was pending longer than {duration(pending.timeout)}: {waiting}"
    return _observed(pod, BuildState.ERRORED, reason)


def _unschedulable(pod: PodFacts, pending: _Pending) -> Observation | None:
    if pod.unschedulable is None:
        return None
    if not pending.overdue:
        return _observed(pod, BuildState.SCHEDULED, f"waiting: Unschedulable: {pod.unschedulable}")
    late = f"(pending longer than {duration(pending.timeout)})"
    return _observed(pod, BuildState.ERRORED, f"could not be scheduled: {pod.unschedulable} {late}")


def _ended_without_result(pod: PodFacts, _: _Pending) -> Observation | None:
    if not pod.ended:
        return None
    detail = describe(pod.reason, pod.message)
    reason = f"the pod ended ({pod.phase}) without a result from the build container: {detail}"
    return _observed(pod, BuildState.ERRORED, reason)


def _waiting(pod: PodFacts) -> Observation:
    container = next((c for c in pod.containers if c.waiting), None)
    reason: str | None = None
    if container is not None:
        reason = f"waiting: {container.waiting} (container {container.name})"
    elif pod.phase not in (None, "Pending", "Running"):
        reason = f"pod phase {pod.phase}"
    return _observed(pod, BuildState.SCHEDULED, reason)


RULES: tuple[Rule, ...] = (
    _cancelled,
    _deadline,
    _evicted,
    _out_of_memory,
    _start_error,
    _checkout_failed,
    _stopped,
    _exited,
    _running,
    _cannot_start,
    _stuck,
    _unschedulable,
    _ended_without_result,
)
"""Rules 1-13 of the module's table, in order; the first observation wins, else :func:`_waiting`."""
