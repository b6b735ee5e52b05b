"""A real single-node Apache Kafka broker (KRaft mode) for development and tests, without Docker.

The broker's jars come from Maven Central (``monitor/kafka/pom.xml``) into a cache directory
once; after that a start is a ``java`` process launched detached, with its state, config, log
and pid file in one data directory:

    <data_dir>/server.properties   written on every start
    <data_dir>/kafka-logs/         Kafka's log.dirs (topics and the KRaft metadata log)
    <data_dir>/broker.log          stdout and stderr of the JVM
    <data_dir>/broker.pid          pid of the JVM, which leads its own process group

Readiness is a real Metadata request on the broker's port, not a sleep or a log line.
"""
from __future__ import annotations

import base64
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import BrokerError

log = logging.getLogger(__name__)

KAFKA_VERSION = "4.0.2"  # keep in step with monitor/kafka/pom.xml
HOST = "127.0.0.1"
RESOURCES = Path(__file__).resolve().parent / "kafka"
INSTALL_HINT = "install Java 17+ and Maven, e.g. `apt-get install openjdk-17-jre-headless maven`"
# A small heap starts faster on a small machine; the scripts of the distribution use 1 GB.
JVM_OPTS = ["-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"]

# Popen objects of the brokers this process started: kept so that they are reaped (no zombie
# that still looks alive to os.kill(pid, 0)) and so that Python does not warn about them.
_children: dict[int, subprocess.Popen] = {}


@dataclass(frozen=True)
class Broker:
    pid: int
    bootstrap: str
    data_dir: Path
    log_file: Path
    started: bool  # False when a broker already running from data_dir was returned


# --------------------------------------------------------------------------- fetching

def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BrokerError(f"`{tool}` is not on PATH: the local Kafka broker needs it; {INSTALL_HINT}")
    return path


def fetch_kafka(cache_dir: Path) -> Path:
    """Return the directory of the broker's jars, downloading them with Maven the first time.

    ``<cache_dir>/<version>/.complete`` holds the hash of the pom the jars came from, so a
    changed pom refetches. A file lock keeps concurrent test sessions from fetching twice.
    """
    home = Path(cache_dir).resolve() / KAFKA_VERSION
    libs, marker = home / "libs", home / ".complete"
    pom = (RESOURCES / "pom.xml").read_bytes()
    digest = hashlib.sha256(pom).hexdigest()
    if marker.is_file() and marker.read_text().strip() == digest:
        return libs

    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text().strip() == digest:
            return libs  # another process fetched while we waited
        _require("java")
        mvn = _require("mvn")
        (home / "pom.xml").write_bytes(pom)
        shutil.rmtree(libs, ignore_errors=True)
        marker.unlink(missing_ok=True)
        log.info("fetching Kafka %s from Maven Central into %s", KAFKA_VERSION, libs)
        cmd = [mvn, "-B", "-q", "-Dstyle.color=never", "-f", str(home / "pom.xml"),
               "dependency:copy-dependencies", "-DincludeScope=runtime",
               f"-DoutputDirectory={libs}"]
        try:
            res = subprocess.run(cmd, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, timeout=900)
        except subprocess.TimeoutExpired:
            raise BrokerError(f"mvn did not finish fetching Kafka within 900 s: {' '.join(cmd)}") from None
        if res.returncode != 0 or not any(libs.glob(f"kafka_2.13-{KAFKA_VERSION}.jar")):
            raise BrokerError(f"mvn failed to fetch Kafka {KAFKA_VERSION} (exit {res.returncode}):"
                              f"\n{_tail(res.stdout)}")
        marker.write_text(digest + "\n")
    return libs


# --------------------------------------------------------------------------- configuration

def server_properties(*, port: int, controller_port: int, data_dir: Path) -> str:
    """The server.properties of a single-node KRaft broker+controller listening on 127.0.0.1."""
    data_dir = Path(data_dir).resolve()
    props = {
        "process.roles": "broker,controller",
        "node.id": 1,
        "controller.quorum.voters": f"1@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": data_dir / "kafka-logs",
        # One node: every internal topic has one replica.
        "offsets.topic.replication.factor": 1,
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        "default.replication.factor": 1,
        "min.insync.replicas": 1,
        # Fast for tests: few partitions for internal topics (default 50 each), no 3 s delay
        # before a new group's first rebalance, short sessions allowed.
        "offsets.topic.num.partitions": 4,
        "transaction.state.log.num.partitions": 4,
        "share.coordinator.state.topic.num.partitions": 1,
        "group.initial.rebalance.delay.ms": 0,
        "group.min.session.timeout.ms": 1000,
        "num.partitions": 4,
        # On a restart the controller keeps the previous registration of the broker until its
        # session times out (default 9 s) and refuses the new one until then: keep it short.
        "broker.heartbeat.interval.ms": 500,
        "broker.session.timeout.ms": 2500,
        "auto.create.topics.enable": "true",
        # The cleaner's dedupe buffer is 128 MB by default: too much of a 512 MB heap.
        "log.cleaner.dedupe.buffer.size": 8 * 1024 * 1024,
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


def _paths(data_dir: Path) -> tuple[Path, Path, Path]:
    d = Path(data_dir).resolve()
    return d / "server.properties", d / "broker.log", d / "broker.pid"


def _props_port(props_file: Path) -> int | None:
    """The PLAINTEXT port written in an existing server.properties."""
    try:
        for line in props_file.read_text().splitlines():
            if line.startswith("advertised.listeners="):
                return int(line.rsplit(":", 1)[1])
    except (OSError, ValueError):
        pass
    return None


# --------------------------------------------------------------------------- processes

def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A dead child of another process may linger as a zombie: it is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _running_pid(data_dir: Path) -> int | None:
    """The pid of the broker started from data_dir, if it is still running."""
    props, _, pid_file = _paths(data_dir)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if not _alive(pid):
        return None
    # Guard against a recycled pid: the process must be the JVM running our server.properties.
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return pid  # no /proc (not Linux): trust the pid file
    return pid if str(props).encode() in cmdline else None


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _log_tail(log_file: Path, lines: int = 30) -> str:
    try:
        return _tail(log_file.read_text(errors="replace"), lines)
    except OSError:
        return "(no log)"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # SO_REUSEADDR, as the JVM sets it: a port in TIME_WAIT is free for the broker too.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------- readiness

def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return buf


def _metadata_brokers(host: str, port: int, timeout: float) -> int:
    """Send a Metadata v1 request for no topics; return how many brokers the cluster reports.

    v1 is plain (non-flexible) and still served by Kafka 4 (valid versions 0-13).
    """
    client_id = b"news-monitor"
    # header: api_key=3 (Metadata), api_version=1, correlation_id, client_id; body: topics=[]
    req = struct.pack(">hhih", 3, 1, 1, len(client_id)) + client_id + struct.pack(">i", 0)
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(struct.pack(">i", len(req)) + req)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        # response: correlation_id, then the brokers array's length
        correlation_id, n_brokers = struct.unpack(">ii", _recv_exact(s, min(size, 8)))
    if correlation_id != 1:
        raise ConnectionError("unexpected response")
    return n_brokers


def broker_answers(bootstrap: str, timeout: float = 2.0) -> bool:
    """True if any server of ``host:port[,host:port...]`` answers a Metadata request with brokers."""
    for server in bootstrap.split(","):
        host, _, port = server.strip().split("://")[-1].rpartition(":")
        try:
            if _metadata_brokers(host.strip("[]") or HOST, int(port), timeout) > 0:
                return True
        except (OSError, ValueError, struct.error):
            continue
    return False


# --------------------------------------------------------------------------- public API

def start_broker(*, port: int, controller_port: int, data_dir: Path, cache_dir: Path,
                 timeout: float = 90.0) -> Broker:
    """Start a broker from data_dir and wait until it answers; reuse one already running there."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    # Two starts on one data dir at once (parallel scripts): the second waits, then reuses.
    with open(data_dir / ".start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _start(port, controller_port, data_dir, cache_dir, timeout)


def _start(port: int, controller_port: int, data_dir: Path, cache_dir: Path,
           timeout: float) -> Broker:
    props_file, log_file, pid_file = _paths(data_dir)
    bootstrap = f"{HOST}:{port}"

    pid = _running_pid(data_dir)
    if pid is not None:
        running_port = _props_port(props_file)
        if running_port != port:
            raise BrokerError(f"a broker from {data_dir} is already running (pid {pid}) on port "
                              f"{running_port}, not {port}: stop it first")
        log.info("broker from %s already running (pid %d)", data_dir, pid)
        _wait_ready(bootstrap, pid, log_file, time.monotonic() + timeout)
        return Broker(pid, bootstrap, data_dir, log_file, started=False)
    pid_file.unlink(missing_ok=True)  # stale

    if port == controller_port:
        raise BrokerError(f"the broker port and the controller port are both {port}")
    for p in (port, controller_port):
        if not _port_free(p):
            raise BrokerError(f"port {p} on {HOST} is in use by another process; stop it or "
                              f"choose other ports (--port / --controller-port)")

    java = _require("java")
    libs = fetch_kafka(cache_dir)
    props_file.write_text(server_properties(port=port, controller_port=controller_port,
                                            data_dir=data_dir))
    classpath = f"{libs}/*"
    log4j = f"-Dlog4j2.configurationFile={RESOURCES / 'log4j2.properties'}"

    started_at = time.monotonic()  # the timeout covers formatting and start-up, not the fetch
    # KRaft refuses an unformatted log dir. Formatting costs a JVM start, so only the first time.
    if not (data_dir / "kafka-logs" / "meta.properties").is_file():
        cmd = [java, "-Xmx256m", log4j, "-cp", classpath, "kafka.tools.StorageTool", "format",
               "-t", _cluster_id(), "-c", str(props_file), "--ignore-formatted"]
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if res.returncode != 0:
            raise BrokerError(f"formatting the Kafka storage in {data_dir} failed:\n"
                              f"{_tail(res.stdout)}")

    cmd = [java, *JVM_OPTS, log4j, "-cp", classpath, "kafka.Kafka", str(props_file)]
    with open(log_file, "ab") as out:
        out.write(f"--- news-monitor: starting Kafka {KAFKA_VERSION} at {time.ctime()}\n".encode())
        out.flush()
        # A session of its own: the broker outlives the CLI, and stop_broker signals its group.
        proc = subprocess.Popen(cmd, cwd=data_dir, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    _children[proc.pid] = proc
    pid_file.write_text(f"{proc.pid}\n")
    log.info("started Kafka %s (pid %d) from %s", KAFKA_VERSION, proc.pid, data_dir)
    try:
        _wait_ready(bootstrap, proc.pid, log_file, started_at + timeout)
    except BrokerError:
        stop_broker(data_dir, timeout=10)
        raise
    log.info("broker ready at %s in %.1f s", bootstrap, time.monotonic() - started_at)
    return Broker(proc.pid, bootstrap, data_dir, log_file, started=True)


def _cluster_id() -> str:
    # Kafka's form: a random UUID in URL-safe base64 without padding; Kafka avoids a leading
    # '-' because the id is passed on command lines.
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


def _wait_ready(bootstrap: str, pid: int, log_file: Path, deadline: float) -> None:
    while not broker_answers(bootstrap, timeout=1.0):
        if not _alive(pid):
            raise BrokerError(f"the Kafka broker (pid {pid}) exited during start-up; "
                              f"end of {log_file}:\n{_log_tail(log_file)}")
        if time.monotonic() > deadline:
            raise BrokerError(f"the Kafka broker (pid {pid}) did not answer on {bootstrap} in "
                              f"time; end of {log_file}:\n{_log_tail(log_file)}")
        time.sleep(0.25)


def stop_broker(data_dir: Path, timeout: float = 30.0) -> bool:
    """Stop the broker started from data_dir: SIGTERM, then SIGKILL after timeout.

    Returns False when no broker was running there.
    """
    _, _, pid_file = _paths(data_dir)
    pid = _running_pid(data_dir)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)  # Kafka shuts down cleanly on SIGTERM
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        log.warning("broker (pid %d) ignored SIGTERM for %.0f s: killing it", pid, timeout)
        _signal_group(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.05)
    child = _children.pop(pid, None)
    if child is not None:
        child.wait()
    pid_file.unlink(missing_ok=True)
    log.info("stopped broker (pid %d) of %s", pid, data_dir)
    return True


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # the broker leads its own process group (start_new_session)
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)


def broker_status(data_dir: Path, port: int) -> dict:
    """What is known of the broker of data_dir: pid (None if not running), whether its port answers."""
    _, log_file, _ = _paths(data_dir)
    bootstrap, pid = f"{HOST}:{port}", _running_pid(data_dir)
    return {
        "running": pid is not None,
        "pid": pid,
        "answering": broker_answers(bootstrap),
        "bootstrap": bootstrap,
        "data_dir": str(Path(data_dir).resolve()),
        "log_file": str(log_file),
    }
