"""Starting and stopping the monitor's own processes (a worker) from the CLI, tests and benchmarks."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from monitor.config import Settings

# The settings a worker process takes from its environment.
WORKER_SETTINGS = ("app_id", "topic_raw", "topic_enriched", "topic_alerts", "topic_deadletter",
                   "topic_partitions", "web_host", "web_port", "metrics_host", "metrics_port",
                   "datadir", "max_message_bytes", "topic_claim_events", "watchlist_file",
                   "subscribers_file", "claim_window_seconds", "claim_min_sources",
                   "dedup_retention_seconds", "expiry_interval_seconds",
                   "delivery_concurrency", "session_timeout_seconds", "request_timeout_seconds",
                   "kafka_security_protocol", "kafka_sasl_mechanism", "kafka_sasl_username",
                   "kafka_sasl_password", "kafka_sasl_password_file", "kafka_ssl_cafile")


def worker_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    for name in WORKER_SETTINGS:
        env["NEWSMON_" + name.upper()] = str(getattr(settings, name))
    env["KAFKA_BOOTSTRAP"] = settings.bootstrap
    return env


def start_worker(settings: Settings, log_path: Path, *, app: str | None = None) -> subprocess.Popen:
    """Start ``news-monitor worker`` (or another Faust app module) in its own process group."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if app is None:
        argv = [sys.executable, "-m", "monitor", "worker"]
    else:
        argv = [sys.executable, "-m", "faust", "-A", app, "worker", "-l", "info"]
    with open(log_path, "ab") as log:
        return subprocess.Popen(argv, env=worker_env(settings), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop_process(proc: subprocess.Popen, timeout: float = 30.0) -> int:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
