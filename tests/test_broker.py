"""The local Kafka broker: its configuration, its errors, its CLI, and a real round trip."""
from __future__ import annotations

import asyncio
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.broker import KAFKA_VERSION, broker_status, fetch_kafka, server_properties, start_broker, stop_broker
from monitor.errors import BrokerError
from tests.conftest import _free_ports

NO_BOOTSTRAP_ENV = {"KAFKA_BOOTSTRAP": None, "NEWSMON_BOOTSTRAP": None}


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_server_properties_single_node_kraft(tmp_path):
    props = _props(server_properties(port=19092, controller_port=19093, data_dir=tmp_path))
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["log.dirs"].startswith(str(tmp_path.resolve()))
    for key, value in props.items():
        if key.endswith((".replication.factor", ".min.isr", "min.insync.replicas")):
            assert value == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_missing_java_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BrokerError, match=r"`java` is not on PATH.*apt-get install openjdk-17"):
        fetch_kafka(tmp_path / "cache")


def test_missing_mvn_is_a_clear_error(tmp_path, monkeypatch):
    java = shutil.which("java")
    if java is None:
        pytest.skip("no java here")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(java)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(BrokerError, match=r"`mvn` is not on PATH.*maven"):
        fetch_kafka(tmp_path / "cache")


def test_mvn_failure_shows_its_output(tmp_path, monkeypatch):
    java = shutil.which("java")
    if java is None:
        pytest.skip("no java here")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(java)
    (bin_dir / "mvn").write_text("#!/bin/sh\necho '[ERROR] Could not resolve dependencies'\nexit 1\n")
    (bin_dir / "mvn").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(BrokerError, match=r"(?s)mvn failed.*exit 1.*Could not resolve dependencies"):
        fetch_kafka(tmp_path / "cache")
    assert not (tmp_path / "cache" / KAFKA_VERSION / ".complete").exists()


def test_a_taken_port_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (controller_port,) = _free_ports(1)
        with pytest.raises(BrokerError, match=f"port {port} .* in use"):
            start_broker(port=port, controller_port=controller_port, data_dir=tmp_path / "kafka",
                         cache_dir=tmp_path / "cache")


def test_status_and_stop_when_nothing_runs(tmp_path):
    (port,) = _free_ports(1)
    status = broker_status(tmp_path, port)
    assert status["pid"] is None and status["answering"] is False
    assert status["bootstrap"] == f"127.0.0.1:{port}"
    assert stop_broker(tmp_path) is False


def test_cli_status_exits_non_zero_when_nothing_runs(tmp_path):
    from monitor.cli import main

    (port,) = _free_ports(1)
    result = CliRunner().invoke(main, ["broker", "status", "--data-dir", str(tmp_path),
                                       "--port", str(port)], env=NO_BOOTSTRAP_ENV)
    assert result.exit_code == 1
    assert f"not running: no broker runs from {tmp_path.resolve()}" in result.output


def test_cli_leaves_an_existing_cluster_alone(tmp_path):
    from monitor.cli import main

    (port,) = _free_ports(1)
    external = f"127.0.0.1:{port}"  # nothing listens there
    runner = CliRunner()
    result = runner.invoke(main, ["--bootstrap", external, "broker", "start",
                                  "--data-dir", str(tmp_path)], env=NO_BOOTSTRAP_ENV)
    assert result.exit_code == 0
    assert "existing cluster" in result.output
    assert not (tmp_path / "server.properties").exists()
    result = runner.invoke(main, ["--bootstrap", external, "broker", "status"], env=NO_BOOTSTRAP_ENV)
    assert result.exit_code == 1
    assert f"the cluster at {external} does not answer" in result.output


@pytest.mark.kafka
def test_real_broker_round_trip(kafka_bootstrap, unique_name):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    topic = f"broker-test-{unique_name}"

    async def round_trip() -> bytes:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        finally:
            await admin.close()
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"hello", key=b"k")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap,
                                    group_id=f"broker-test-{unique_name}",
                                    auto_offset_reset="earliest")
        await consumer.start()
        try:
            msg = await asyncio.wait_for(consumer.getone(), timeout=60)
        finally:
            await consumer.stop()
        return msg.value

    assert asyncio.run(round_trip()) == b"hello"


@pytest.mark.kafka
def test_start_again_returns_the_running_broker(local_broker):
    if local_broker is None:
        pytest.skip("KAFKA_BOOTSTRAP names an existing cluster")
    port = int(local_broker.bootstrap.rsplit(":", 1)[1])
    status = broker_status(local_broker.data_dir, port)
    assert status["pid"] == local_broker.pid and status["answering"]
    # No second broker, no fetch: the cache dir is not even looked at.
    again = start_broker(port=port, controller_port=port + 1, data_dir=local_broker.data_dir,
                         cache_dir=Path("/nonexistent"))
    assert again.started is False and again.pid == local_broker.pid
