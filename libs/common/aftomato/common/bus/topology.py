"""Names and queue arguments of the topology every service declares (idempotently) on start.

``aftomato`` (topic) carries every message; rejected messages and those past the delivery limit
go through ``aftomato.dlx`` to the ``aftomato.dead-letters`` queue, where an operator looks at them.
Every service must use the same delivery limit: the queues' arguments must agree to be declared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

EXCHANGE = "aftomato"
DEAD_LETTER_EXCHANGE = "aftomato.dlx"
DEAD_LETTER_QUEUE = "aftomato.dead-letters"

SERVICE_QUEUES: dict[str, tuple[str, ...]] = {
    "aftomato.scheduler": ("build.requested", "build.cancel", "build.finished", "scripts.updated"),
    "aftomato.watcher": ("build.#",),
    "aftomato.reporting": ("build.#", "scripts.updated"),
}
"""The durable work queues and their bindings. Every service declares them all when it connects,
so a message published before its consumer ever ran waits for it instead of being unroutable:
a webhook accepted while the scheduler is still starting is not lost."""


def queue_arguments(delivery_limit: int) -> dict[str, Any]:
    """Arguments of a service's work queue: quorum, dead-lettered past ``delivery_limit``.

    RabbitMQ's ``x-delivery-limit`` counts *re*deliveries, so a message may be delivered
    ``delivery_limit`` times in all when the argument is one less.
    """
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": delivery_limit - 1,
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
    }


DEAD_LETTER_QUEUE_ARGUMENTS: dict[str, Any] = {"x-queue-type": "quorum"}


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more words."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: Sequence[str], words: Sequence[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[skip:]) for skip in range(len(words) + 1))
    if not words:
        return False
    return head in ("*", words[0]) and _match(rest, words[1:])
