"""The test rig itself: each fixture gives a real, working, isolated service, and cleans up."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aetcd
import aio_pika
import aioboto3
import pytest

from tests.support.fixtures import AMQP_URL_ENV
from tests.support.servers import AwsNames, EtcdServer, RabbitMQServer, ServerStartError
from tests.support.servers.etcd import delete_prefix
from tests.support.servers.ports import is_listening
from tests.support.servers.process import ServerProcess

local_broker_only = pytest.mark.skipif(
    bool(os.environ.get(AMQP_URL_ENV)), reason=f"{AMQP_URL_ENV} points at another broker"
)

# ---------------------------------------------------------------- RabbitMQ

_vhosts_seen: list[str] = []


@pytest.mark.integration
@local_broker_only
@pytest.mark.parametrize("round_", [1, 2])
async def test_each_test_gets_a_fresh_vhost_that_is_deleted_afterwards(
    round_: int, amqp_url: str, rabbitmq_server: RabbitMQServer
) -> None:
    vhost = unquote(urlsplit(amqp_url).path[1:])
    assert vhost.startswith("aftomato-test-")
    assert vhost not in _vhosts_seen
    assert not set(_vhosts_seen) & set(rabbitmq_server.admin.vhosts())
    _vhosts_seen.append(vhost)

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("probe", exclusive=True)
        await channel.default_exchange.publish(aio_pika.Message(b"hello"), routing_key="probe")
        message = await queue.get(timeout=5)
        assert message.body == b"hello"
        await message.ack()


@pytest.mark.integration
async def test_private_broker_restart_keeps_quorum_queue_and_persistent_message(
    private_rabbitmq: RabbitMQServer,
) -> None:
    url = private_rabbitmq.url()
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.declare_queue("kept", durable=True, arguments={"x-queue-type": "quorum"})
        message = aio_pika.Message(b"survivor", delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        await channel.default_exchange.publish(message, routing_key="kept")

    await asyncio.to_thread(private_rabbitmq.restart)

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("kept", passive=True)
        received = await queue.get(timeout=5)
        assert received.body == b"survivor"
        await received.ack()


@pytest.mark.integration
async def test_a_stopped_broker_leaves_no_process_and_no_port_behind(
    private_rabbitmq: RabbitMQServer,
) -> None:
    process_group = private_rabbitmq.pid
    assert process_group is not None

    await asyncio.to_thread(private_rabbitmq.stop)

    assert _live_processes_in_group(process_group) == []
    for port in (private_rabbitmq.amqp_port, private_rabbitmq.dist_port):
        assert not is_listening(port)
    assert not is_listening(private_rabbitmq.epmd_port)


# ---------------------------------------------------------------- etcd


def _client(endpoint: str) -> aetcd.Client:
    host, port = endpoint.rsplit(":", 1)
    return aetcd.Client(host, int(port))


@pytest.mark.integration
async def test_etcd_stores_under_the_test_prefix(etcd_endpoint: str, etcd_prefix: str) -> None:
    key = f"{etcd_prefix}locks/owner/repo/main".encode()
    async with _client(etcd_endpoint) as client:
        await client.put(key, b"build-1")
        stored = await client.get(key)

    assert stored is not None
    assert stored.value == b"build-1"


@pytest.mark.integration
async def test_delete_prefix_empties_only_that_prefix(etcd_endpoint: str, etcd_prefix: str) -> None:
    inside, outside = f"{etcd_prefix}doomed/a".encode(), f"{etcd_prefix}doomed-not".encode()
    async with _client(etcd_endpoint) as client:
        await client.put(inside, b"x")
        await client.put(outside, b"y")

        delete_prefix(etcd_endpoint, f"{etcd_prefix}doomed/")

        assert await client.get(inside) is None
        assert await client.get(outside) is not None


@pytest.mark.integration
async def test_private_etcd_restart_keeps_keys(private_etcd: EtcdServer) -> None:
    async with _client(private_etcd.endpoint) as client:
        await client.put(b"/aftomato/locks/owner/repo/main", b"build-1")

    await asyncio.to_thread(private_etcd.restart)

    async with _client(private_etcd.endpoint) as client:
        stored = await client.get(b"/aftomato/locks/owner/repo/main")
    assert stored is not None
    assert stored.value == b"build-1"


# ---------------------------------------------------------------- S3 and DynamoDB (moto)


@pytest.mark.integration
async def test_moto_keeps_objects_in_the_test_bucket(
    aws_endpoint: str, aws_names: AwsNames
) -> None:
    session = aioboto3.Session()
    async with session.client("s3", endpoint_url=aws_endpoint) as s3:
        await s3.create_bucket(Bucket=aws_names.logs_bucket)
        await s3.put_object(Bucket=aws_names.logs_bucket, Key="b1/console.log.gz", Body=b"log")
        response = await s3.get_object(Bucket=aws_names.logs_bucket, Key="b1/console.log.gz")
        async with response["Body"] as body:
            assert await body.read() == b"log"


@pytest.mark.integration
async def test_moto_creates_the_test_table(aws_endpoint: str, aws_names: AwsNames) -> None:
    session = aioboto3.Session()
    async with session.client("dynamodb", endpoint_url=aws_endpoint) as dynamodb:
        await dynamodb.create_table(
            TableName=aws_names.table,
            KeySchema=[{"AttributeName": "buildID", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "buildID", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        tables = await dynamodb.list_tables()
    assert aws_names.table in tables["TableNames"]


def test_aws_names_differ_between_calls(aws_names: AwsNames) -> None:
    assert len({aws_names.table, aws_names.logs_bucket, aws_names.artifacts_bucket}) == 3


# ---------------------------------------------------------------- failures are quick and clear


def _process(tmp_path: Path, script: str) -> ServerProcess:
    return ServerProcess(
        "probe",
        ["sh", "-c", script],
        env={"PATH": os.defpath},
        cwd=tmp_path,
        log_path=tmp_path / "probe.log",
    )


def test_a_server_that_exits_fails_with_its_log_tail(tmp_path: Path) -> None:
    process = _process(tmp_path, "echo 'config error: bad listener'; exit 3")
    process.start()

    with pytest.raises(ServerStartError, match="exited with code 3") as failure:
        process.wait_until(lambda: False, timeout=10, what="ready")

    assert "config error: bad listener" in str(failure.value)


def test_a_server_that_never_gets_ready_times_out_and_is_stopped(tmp_path: Path) -> None:
    process = _process(tmp_path, "echo 'still booting'; exec sleep 60")
    process.start()
    try:
        with pytest.raises(ServerStartError, match="not ready after") as failure:
            process.wait_until(lambda: False, timeout=0.5, what="ready")
        assert "still booting" in str(failure.value)
    finally:
        group = process.pid
        process.stop(grace=5)
    assert group is not None
    assert _live_processes_in_group(group) == []


def test_stop_reaches_the_children_of_a_server(tmp_path: Path) -> None:
    process = _process(tmp_path, "trap '' TERM; sleep 60 & echo $! > child.pid; wait")
    process.start()
    child_pid = tmp_path / "child.pid"
    process.wait_until(lambda: child_pid.read_text().strip() != "", timeout=10, what="forked")
    group = process.pid
    assert group is not None

    process.stop(grace=0.5)

    assert _live_processes_in_group(group) == []


def _live_processes_in_group(group: int) -> list[int]:
    """Processes of a process group that still run (zombies waiting for init do not count)."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone while we looked
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state != "Z":
            live.append(int(stat.parent.name))
    return live
