"""The one place where a handler's outcome becomes ack, requeue or dead-letter.

Handlers never touch the channel: they return (ack), raise ``Retry`` (requeue, counted against
the delivery limit) or ``Reject`` (dead-letter now). Any other exception is logged and treated as
``Retry``, so a passing fault heals and a poison message ends in the dead-letter queue.
"""

from __future__ import annotations

import asyncio
from enum import Enum

from pydantic import ValidationError

from aftomato.common.bus.errors import Reject, Retry
from aftomato.common.bus.protocol import Delivery, Handler
from aftomato.common.logging import bind_ids, get_logger
from aftomato.common.messages import Message, UnknownMessageType, parse_message

log = get_logger(__name__)


class Outcome(Enum):
    ACK = "ack"
    REQUEUE = "requeue"
    DEAD_LETTER = "dead-letter"


def decode(routing_key: str, body: bytes) -> Message | None:
    """The message, or ``None`` for a body no model accepts (a poison message)."""
    try:
        return parse_message(routing_key, body)
    except (UnknownMessageType, ValidationError, ValueError) as error:
        log.error("undecodable message", routing_key=routing_key, error=str(error)[:500])
        return None


async def run_handler(handler: Handler, delivery: Delivery) -> Outcome:
    """Run ``handler`` with the message's ids bound to every log line, and say what to do next."""
    message = delivery.message
    with bind_ids(event_id=message.event_id, build_id=getattr(message, "build_id", None)):
        try:
            await handler(delivery)
        except Retry as retry:
            log.info("handler asked for a retry", reason=retry.reason, delay=retry.delay)
            if retry.delay > 0:
                await asyncio.sleep(retry.delay)
            return Outcome.REQUEUE
        except Reject as reject:
            log.warning("handler rejected the message", reason=reject.reason)
            return Outcome.DEAD_LETTER
        except Exception:
            log.exception(
                "handler failed; the message will be redelivered",
                routing_key=delivery.routing_key,
                delivery_count=delivery.delivery_count,
            )
            return Outcome.REQUEUE
        return Outcome.ACK
