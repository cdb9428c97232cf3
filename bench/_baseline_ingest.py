"""The baseline of ``bench.ingest``: a bare aiohttp handler that publishes the body, nothing else.

No signature check, no parsing, no deduplication, no logging, no metrics: it reads the body,
publishes it to the ``aftomato`` exchange as ``build.requested`` (persistent, mandatory, with a
publisher confirm) and answers ``202``. Whatever ingest does beyond that is what the ratio costs.

    python -m bench._baseline_ingest AMQP_URL PORT
"""

from __future__ import annotations

import asyncio
import signal
import sys

import aio_pika
from aio_pika.abc import AbstractExchange
from aiohttp import web

from aftomato.common.bus.topology import EXCHANGE

ROUTING_KEY = "build.requested"


def create_app(exchange: AbstractExchange) -> web.Application:
    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        await exchange.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            ROUTING_KEY,
            mandatory=True,
        )
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/hooks/{provider}", hook)
    return app


async def serve(url: str, port: int) -> None:
    connection = await aio_pika.connect_robust(url)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    runner = web.AppRunner(create_app(exchange), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    try:
        await stopping.wait()
    finally:
        await runner.cleanup()
        await connection.close()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
