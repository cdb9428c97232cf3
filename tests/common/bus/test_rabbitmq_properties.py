"""The bus builds a message's AMQP properties and body itself: the same bytes as the usual way."""

from __future__ import annotations

from datetime import UTC, datetime

import aio_pika
import pytest
from pamqp.header import ContentHeader

from aftomato.common.bus.rabbitmq import message_body, message_properties
from aftomato.common.messages import BuildFinished, BuildRequested, Message, ScriptsUpdated, Source
from aftomato.common.states import BuildState

AT = datetime(2026, 11, 25, 8, 40, 7, 123456, tzinfo=UTC)

MESSAGES = [
    BuildRequested(
        build_id="b1", project_key="o/r", branch="main", source=Source.GITHUB, delivery_id="d1"
    ),
    BuildFinished(
        build_id="b2",
        project_key="team/app",
        branch="feature/ü",
        state=BuildState.FAILED,
        exit_code=2,
        occurred_at=AT,
    ),
    ScriptsUpdated(event_id="e" * 128, occurred_at=AT),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda message: message.routing_key)
def test_properties_are_those_of_an_aio_pika_message(message: Message) -> None:
    body = message.model_dump_json().encode()
    expected = aio_pika.Message(
        body,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.event_id,
        type=message.routing_key,
        timestamp=message.occurred_at,
    ).properties
    ours = message_properties(message)
    assert ours == expected
    assert ContentHeader(0, len(body), ours).marshal() == (
        ContentHeader(0, len(body), expected).marshal()
    )


@pytest.mark.parametrize("message", MESSAGES, ids=lambda message: message.routing_key)
def test_the_body_is_the_models_json(message: Message) -> None:
    assert message_body(message) == message.model_dump_json().encode()
