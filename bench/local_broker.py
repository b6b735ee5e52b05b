"""The broker a benchmark runs against: the one named by --bootstrap, else a local one of its own."""
from __future__ import annotations

from pathlib import Path

from monitor.broker import start_broker, stop_broker
from tests.helpers import REPO, free_port


def start_bench_broker(bootstrap: str | None, workdir: Path) -> tuple[str, Path | None]:
    """(bootstrap, data dir of the broker started here or None when ``bootstrap`` was given)."""
    if bootstrap is not None:
        return bootstrap, None
    data_dir, port = workdir / "kafka", free_port()
    start_broker(port=port, controller_port=free_port(), data_dir=data_dir, cache_dir=REPO / ".cache" / "kafka")
    return f"127.0.0.1:{port}", data_dir


def stop_bench_broker(data_dir: Path | None) -> None:
    if data_dir is not None:
        stop_broker(data_dir)
