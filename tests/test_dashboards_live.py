"""The real test of the dashboards: Prometheus scraping a running pipeline that replays real articles.

One real worker replays the seed, real Arabic articles of shared/corpus (the seed alone
where the corpus is absent) and a malformed message; Debian's `prometheus` (installed by
.ci/run) scrapes it every second with prometheus/rules.yml loaded. Then every PromQL
expression of every dashboard panel, and every recording rule, must parse and return at
least one series, with the labels it groups by filled in.

What cannot return data here is said, expression by expression, with the reason:
EXCLUDED (components this test does not run).
"""
from __future__ import annotations

import gzip
import itertools
import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import orjson
import pytest
import yaml
from aiokafka import AIOKafkaProducer
from click.testing import CliRunner

from monitor.kafka_io import ensure_topics, publish_articles
from monitor.replay import read_articles
from monitor.cli.map import map_command
from monitor.map import events_from_alerts, marker_positions
from tests.helpers import REPO, SHARED, collect, free_port, isolated_settings, run, running_worker

pytestmark = pytest.mark.kafka

PROMETHEUS = shutil.which("prometheus")
CORPUS = SHARED / "corpus" / "ant-2018.jsonl.gz"
CORPUS_ARTICLES = 150  # middle-east news: enough for alerts of several types, places and actors
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}

# Metric name prefixes whose expressions cannot return data in this test, and why.
EXCLUDED = {
    "newsmon_feed_": "the poller is not running in this test (it needs served feeds; "
                     "tests/test_poller_kafka.py tests it and its metrics)",
    "newsmon_deliveries_total": "alert delivery to subscribers is not running in this test",
}
# What the worker does not expose yet: (metric, label or None). Skipped with this reason
# while the scrape lacks it, asserted as soon as it has it.


def load_builder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_dashboards", REPO / "grafana" / "build_dashboards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plain(expr: str) -> str:
    for var, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(var, value)
    return expr


def panel_expressions() -> list[tuple[str, str]]:
    builder = load_builder()
    out = []
    for name, build in builder.DASHBOARDS.items():
        for title, expr in builder.expressions(build()):
            out.append((f"{Path(name).stem}: {title}", plain(expr)))
    return out


def recording_rules() -> list[tuple[str, str]]:
    groups = yaml.safe_load((REPO / "prometheus" / "rules.yml").read_text())["groups"]
    return [(r["record"], r["expr"]) for g in groups for r in g["rules"] if "record" in r]


def api(port: int, path: str, **params) -> dict:
    url = f"http://127.0.0.1:{port}/api/v1/{path}?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:  # a 400 carries the parse error
        return json.loads(exc.read())


def corpus_file(tmp_path: Path) -> Path | None:
    if not CORPUS.exists():
        return None
    out = tmp_path / "corpus.jsonl"
    with gzip.open(CORPUS, "rb") as f, out.open("wb") as o:
        items = (orjson.loads(line) for line in f)
        for item in itertools.islice((i for i in items if i.get("category") == "middleEast"), CORPUS_ARTICLES):
            o.write(orjson.dumps(item) + b"\n")
    return out


def prometheus_config(tmp_path: Path, worker_metrics_port: int) -> Path:
    """prometheus/prometheus.yml with its job names and rules, scraping this test's worker every second."""
    config = yaml.safe_load((REPO / "prometheus" / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s", scrape_timeout="1s")
    shutil.copy(REPO / "prometheus" / "rules.yml", tmp_path / "rules.yml")
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    worker = {"job_name": "newsmon-worker", "static_configs": [{"targets": [f"127.0.0.1:{worker_metrics_port}"]}]}
    assert "newsmon-worker" in jobs
    config["scrape_configs"] = [worker]  # the poller job is left out: no poller runs here
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap, tmp_path_factory):
    """A worker that has processed the replay, Prometheus scraping it: (prometheus port, scrape text, settings)."""
    if PROMETHEUS is None:
        pytest.skip("prometheus absent: apt-get install prometheus (.ci/run installs it)")
    tmp_path = tmp_path_factory.mktemp("dashboards-live")
    settings = isolated_settings(kafka_bootstrap, uuid.uuid4().hex[:8], tmp_path)
    run(ensure_topics(settings))
    port = free_port()
    prom_log = (tmp_path / "prometheus.log").open("wb")
    prom = subprocess.Popen(
        [PROMETHEUS, f"--config.file={prometheus_config(tmp_path, settings.metrics_port)}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=prom_log, stderr=subprocess.STDOUT, start_new_session=True)
    log = tmp_path / "worker.log"
    try:
        with running_worker(settings, log) as proc:
            wait_for(lambda: query(port, 'up{job="newsmon-worker"} == 1'), 60, "Prometheus scraping the worker",
                     tmp_path)
            paths = [REPO / "seeds"] + [p for p in [corpus_file(tmp_path)] if p]
            sent = run(publish_articles(settings, read_articles(paths)))

            async def send_malformed():
                producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap)
                await producer.start()
                try:
                    await producer.send_and_wait(settings.topic_raw, b"{not json")
                finally:
                    await producer.stop()

            run(send_malformed())
            run(collect(settings, settings.topic_deadletter, until=lambda m: len(m) >= 1, proc=proc, log_path=log))
            run(collect(settings, settings.topic_alerts, until=lambda m: len(m) >= 1, proc=proc, log_path=log))
            # Every message read off the raw topic, then a few more scrapes so that rates see it all.
            consumed = f'sum(newsmon_messages_consumed_total{{topic="{settings.topic_raw}"}})'
            wait_for(lambda: float((query(port, consumed) or [{"value": [0, "0"]}])[0]["value"][1]) >= sent + 1,
                     120, f"the worker reading {sent + 1} raw messages", tmp_path)
            time.sleep(5)
            with urllib.request.urlopen(f"http://127.0.0.1:{settings.metrics_port}/metrics", timeout=10) as r:
                scrape = r.read().decode()
            yield port, scrape, settings
    finally:
        prom.terminate()
        try:
            prom.wait(timeout=30)
        except subprocess.TimeoutExpired:
            prom.kill()
        prom_log.close()


def query(port: int, expr: str) -> list:
    answer = api(port, "query", query=expr)
    return answer.get("data", {}).get("result", []) if answer.get("status") == "success" else []


def wait_for(condition, timeout: float, what: str, tmp_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.5)
    logs = "".join(f"\n--- {p.name} ---\n" + p.read_text(errors="replace")[-3000:]
                   for p in (tmp_path / "prometheus.log", tmp_path / "worker.log") if p.exists())
    raise AssertionError(f"timed out waiting for {what}" + logs)


def grouping_labels(expr: str) -> set[str]:
    """The labels of the first `by (...)`: what the panel's legend or table shows."""
    match = re.search(r"\bby \(([^)]*)\)", expr)
    return {label.strip() for label in match.group(1).split(",")} - {"le"} if match else set()


def check(port: int, scrape: str, expr: str) -> None:
    for prefix, why in EXCLUDED.items():
        if prefix in expr:
            pytest.skip(f"excluded: {why}")
    answer = api(port, "query", query=expr)
    assert answer["status"] == "success", f"{expr}\n{answer.get('error')}"
    result = answer["data"]["result"]
    assert result, f"no data for {expr}"
    for label in grouping_labels(expr):
        assert any(series["metric"].get(label) for series in result), f"no series with {label} in {expr}"


@pytest.mark.parametrize("title,expr", panel_expressions(), ids=[t for t, _ in panel_expressions()])
def test_dashboard_panel_returns_data(pipeline, title, expr):
    port, scrape, _ = pipeline
    check(port, scrape, expr)


@pytest.mark.parametrize("record,expr", recording_rules(), ids=[r for r, _ in recording_rules()])
def test_recording_rule_returns_data(pipeline, record, expr):
    port, scrape, _ = pipeline
    check(port, scrape, expr)  # skips as its expression would
    wait_for_rule = time.monotonic() + 10
    while not query(port, record) and time.monotonic() < wait_for_rule:
        time.sleep(0.5)
    assert query(port, record), f"Prometheus has not recorded {record}"


def test_map_command_reads_the_alerts_topic(pipeline, tmp_path):
    """`news-monitor map` on the replayed alerts: one marker per distinct alert in the region."""
    _, scrape, settings = pipeline
    # Every alert the worker produced (its counter, scraped after the replay was processed).
    produced = re.search(rf'newsmon_messages_produced_total{{topic="{re.escape(settings.topic_alerts)}"}} (\S+)', scrape)
    alerts = run(collect(settings, settings.topic_alerts, until=lambda m: len(m) >= float(produced.group(1))))
    out = tmp_path / "map.html"
    result = CliRunner().invoke(map_command, ["--out", str(out), "--idle", "3", "--limit", "100000"], obj=settings)
    assert result.exit_code == 0, result.output
    on_map = [p for p in marker_positions(events_from_alerts(alerts)) if p]
    assert on_map and out.read_text(encoding="utf-8").count('<circle class="marker"') == len(on_map)


def test_the_worker_scrape_passes_promtool_check_metrics(pipeline):
    _, scrape, _ = pipeline
    promtool = shutil.which("promtool")
    assert promtool, "promtool comes with Debian's prometheus package"
    out = subprocess.run([promtool, "check", "metrics"], input=scrape, capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
