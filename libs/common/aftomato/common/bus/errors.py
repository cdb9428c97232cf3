"""What handlers raise to steer a delivery, and what publishers may be told."""

from __future__ import annotations


class Retry(Exception):
    """Not now: put the message back for another delivery (after ``delay`` seconds).

    Counted against the queue's delivery limit, past which the message is dead-lettered.
    """

    def __init__(self, reason: str, *, delay: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class Reject(Exception):
    """Never: this message cannot be handled; send it to ``aftomato.dead-letters`` at once."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PublishError(Exception):
    """The message is not known to be in the broker; the caller still owns it."""


class BusUnavailable(PublishError):
    """The broker is unreachable or did not confirm in time: answer 503, let the sender retry."""


class Unroutable(PublishError):
    """No queue is bound for the routing key: publishing it would lose it."""
