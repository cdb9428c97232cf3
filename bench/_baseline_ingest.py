"""The baseline of ``bench.ingest``: a bare aiohttp handler that publishes the body, nothing else.

No signature check, no parsing, no deduplication, no logging, no metrics: it reads the body,
publishes it to the ``aftomato`` exchange as ``build.requested`` (persistent, mandatory, with a
publisher confirm) and answers ``202``. Whatever ingest does beyond that is what the ratio costs.

``bench.ingest_floor`` also runs it with the least any receiver that trusts only signed
deliveries must add: ``--verify`` checks ``X-Hub-Signature-256`` (HMAC-SHA256 of the body, 401 if
it does not match) and ``--parse`` decodes the ref and commit from the JSON body (400 if it is
not a JSON object with both strings), each as cheaply as the standard library and msgspec allow.

    python -m bench._baseline_ingest AMQP_URL PORT [--verify SECRET] [--parse]
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import signal

import aio_pika
import msgspec
from aio_pika.abc import AbstractExchange
from aiohttp import web

from aftomato.common.bus.topology import EXCHANGE

ROUTING_KEY = "build.requested"
SIGNATURE_HEADER = "X-Hub-Signature-256"


class Push(msgspec.Struct):
    """The two fields a push build needs at the least; msgspec skips the rest of the body."""

    ref: str
    after: str


_push = msgspec.json.Decoder(Push)


def signed(body: bytes, signature: str | None, secret: bytes) -> bool:
    """True if ``signature`` is ``sha256=`` and the hex HMAC-SHA256 of ``body`` under ``secret``."""
    expected = b"sha256=" + hmac.digest(secret, body, "sha256").hex().encode()
    return signature is not None and hmac.compare_digest(signature.encode(), expected)


def create_app(
    exchange: AbstractExchange, *, secret: bytes | None = None, parse: bool = False
) -> web.Application:
    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        if secret is not None and not signed(body, request.headers.get(SIGNATURE_HEADER), secret):
            return web.Response(status=401)
        if parse:
            try:
                _push.decode(body)
            except msgspec.DecodeError:
                return web.Response(status=400)
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


async def serve(url: str, port: int, *, secret: bytes | None, parse: bool) -> None:
    connection = await aio_pika.connect_robust(url)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    app = create_app(exchange, secret=secret, parse=parse)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    try:
        await stopping.wait()
    finally:
        await runner.cleanup()
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._baseline_ingest")
    parser.add_argument("amqp_url")
    parser.add_argument("port", type=int)
    parser.add_argument("--verify", metavar="SECRET", help="check X-Hub-Signature-256 with it")
    parser.add_argument("--parse", action="store_true", help="decode the ref and the commit")
    args = parser.parse_args()
    secret = args.verify.encode() if args.verify is not None else None
    asyncio.run(serve(args.amqp_url, args.port, secret=secret, parse=args.parse))


if __name__ == "__main__":
    main()
