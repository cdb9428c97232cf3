"""Private, real services for the test suite: RabbitMQ, etcd and moto as local child processes.

Each server runs on random loopback ports with its data and logs in a folder of its own, and
offers ``start()``, ``stop()``, ``restart()`` (same ports, same data) and ``close()``. A server
that does not come up raises :class:`ServerStartError` with the tail of its logs, after a bounded
wait. The pytest fixtures that use these live in ``tests/support/fixtures.py``.

No Docker engine answers on the machines this runs on, so there is no testcontainers path: to use
services running elsewhere (containers included), set ``AFTOMATO_TEST_AMQP_URL``,
``AFTOMATO_TEST_ETCD_URL`` or ``AFTOMATO_TEST_AWS_ENDPOINT`` and the fixtures use those instead.
"""

from tests.support.servers.etcd import EtcdServer
from tests.support.servers.moto import AwsNames, MotoServer
from tests.support.servers.process import ServerStartError
from tests.support.servers.rabbitmq import RabbitMQServer

__all__ = ["AwsNames", "EtcdServer", "MotoServer", "RabbitMQServer", "ServerStartError"]
