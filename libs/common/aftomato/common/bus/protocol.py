"""The bus as services see it: publish a fact, subscribe a handler. Two implementations:
:mod:`.rabbitmq` for the distributed services and :mod:`.memory` for ``aftomato up`` and tests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aftomato.common.messages import Message


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery of a message to a handler. The same message may be delivered again."""

    message: Message
    routing_key: str
    delivery_count: int
    """1 on the first delivery, counting up on each redelivery."""

    @property
    def redelivered(self) -> bool:
        return self.delivery_count > 1


Handler = Callable[[Delivery], Awaitable[None]]
"""Returns when the message's effect is durable; raises ``Retry`` or ``Reject`` to steer it."""


class Subscription(Protocol):
    async def cancel(self, drain_timeout: float = 30.0) -> None:
        """Stop taking messages; let handlers in flight finish (up to the timeout), then stop."""


class Bus(Protocol):
    @property
    def connected(self) -> bool:
        """Whether the broker is reachable now (what ``/readyz`` reports)."""

    async def publish(self, message: Message) -> None:
        """Return once the broker holds the message durably; raise ``PublishError`` otherwise."""

    async def subscribe(
        self,
        queue: str,
        routing_keys: Sequence[str],
        handler: Handler,
        *,
        prefetch: int | None = None,
    ) -> Subscription:
        """Declare ``queue`` bound to ``routing_keys`` (topic patterns); feed it to ``handler``."""

    async def listen(self, routing_keys: Sequence[str], handler: Handler) -> Subscription:
        """A queue of this connection alone, bound to ``routing_keys``, fed to ``handler``.

        For live views (one per api replica): it sees only what is published while it exists,
        and it disappears when cancelled or when its connection closes. Nothing waits for it.
        """

    async def close(self) -> None:
        """Drop the connection. Messages not yet acknowledged go back to their queue."""
