"""Fixtures shared by the test suite.

Tests marked ``kafka`` get a real broker through ``kafka_bootstrap``: the cluster named by
``KAFKA_BOOTSTRAP`` if it is set, else one local KRaft broker started for the whole session
(jars cached in ``<repo>/.cache/kafka``, data in a temporary directory) and stopped at its end.
"""
from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from monitor.broker import Broker, start_broker, stop_broker

REPO = Path(__file__).resolve().parent.parent


def _free_ports(n: int) -> list[int]:
    # Hold all sockets open while asking, so the OS hands out n different ports.
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@pytest.fixture(scope="session")
def local_broker(tmp_path_factory) -> Broker | None:
    """The broker this session started, or None when KAFKA_BOOTSTRAP names a cluster."""
    if os.environ.get("KAFKA_BOOTSTRAP"):
        yield None
        return
    port, controller_port = _free_ports(2)
    data_dir = tmp_path_factory.mktemp("kafka")
    broker = start_broker(port=port, controller_port=controller_port, data_dir=data_dir,
                          cache_dir=REPO / ".cache" / "kafka")
    try:
        yield broker
    finally:
        stop_broker(data_dir)


@pytest.fixture(scope="session")
def kafka_bootstrap(local_broker) -> str:
    """Bootstrap servers of a real Kafka cluster for this test session."""
    return local_broker.bootstrap if local_broker else os.environ["KAFKA_BOOTSTRAP"]


@pytest.fixture
def unique_name() -> str:
    """A short suffix of this test's own, for topic and group names."""
    return uuid.uuid4().hex[:8]
