"""The message bus: a two-method Protocol with a RabbitMQ and an in-process implementation."""

from aftomato.common.bus.errors import BusUnavailable, PublishError, Reject, Retry, Unroutable
from aftomato.common.bus.protocol import Bus, Delivery, Handler, Subscription
from aftomato.common.bus.topology import DEAD_LETTER_QUEUE, EXCHANGE

__all__ = [
    "DEAD_LETTER_QUEUE",
    "EXCHANGE",
    "Bus",
    "BusUnavailable",
    "Delivery",
    "Handler",
    "PublishError",
    "Reject",
    "Retry",
    "Subscription",
    "Unroutable",
]
