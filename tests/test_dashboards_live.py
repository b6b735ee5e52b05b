"""The real test of the dashboards: Prometheus scraping a running pipeline that replays real articles.

One real worker replays the seed, real Arabic articles of shared/corpus (the seed alone
where the corpus is absent) and a malformed message, and delivers every alert to a
webhook subscriber (a local receiver). A real poller (`news-monitor poll`) polls a local
feed farm serving real Arabic feed snapshots of shared/feeds/arabic-2018 (RSS in UTF-8 and
windows-1256, Atom) and a feed the farm does not serve (404), and publishes to the
worker's raw topic. Debian's `prometheus` (installed by .ci/run) scrapes the worker and
the poller every second with prometheus/rules.yml loaded. Then every PromQL expression
of every dashboard panel, and every recording rule, must parse and return at least one
series, with the labels it groups by filled in. Nothing is excluded.
"""
from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import re
import shutil
import subprocess
import sys
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
from prometheus_client.parser import text_string_to_metric_families

from monitor.cli.map import map_command
from monitor.config import Settings
from monitor.feeds import Feed, save_feeds
from monitor.fetch import ERROR_KINDS
from monitor.kafka_io import ensure_topics, publish_articles
from monitor.map import events_from_alerts, marker_positions
from monitor.poll_metrics import RESULTS
from monitor.processes import stop_process, worker_env
from monitor.replay import read_articles
from monitor.subscriptions import ALERT_KINDS
from tests.feedfarm import FarmThread, FeedFarm
from tests.helpers import (
    REPO,
    SHARED,
    WebhookReceiver,
    collect,
    free_port,
    isolated_settings,
    run,
    running_worker,
    webhook_subscribers_toml,
)

pytestmark = pytest.mark.kafka

PROMETHEUS = shutil.which("prometheus")
CORPUS = SHARED / "corpus" / "ant-2018.jsonl.gz"
CORPUS_ARTICLES = 150  # middle-east news: enough for alerts of several types, places and actors
ARABIC_FEEDS = SHARED / "feeds" / "arabic-2018"
# The last snapshot (25 items) of three outlets: RSS in windows-1256, RSS in UTF-8, Atom.
OUTLETS = {"alarabia": "application/rss+xml", "bbc": "application/rss+xml", "france24": "application/atom+xml"}
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}
WEBHOOK_SECRET_ENV = "NEWSMON_TEST_DASHBOARDS_SECRET"


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
    except urllib.error.HTTPError as exc:  # a 400 carries the parse error; a 503 while starting, text
        body = exc.read()
        try:
            return json.loads(body)
        except ValueError:
            return {"status": "error", "error": f"HTTP {exc.code}: {body[:200]!r}"}


def corpus_file(tmp_path: Path) -> Path | None:
    if not CORPUS.exists():
        return None
    out = tmp_path / "corpus.jsonl"
    with gzip.open(CORPUS, "rb") as f, out.open("wb") as o:
        items = (orjson.loads(line) for line in f)
        for item in itertools.islice((i for i in items if i.get("category") == "middleEast"), CORPUS_ARTICLES):
            o.write(orjson.dumps(item) + b"\n")
    return out


def feed_farm() -> FeedFarm:
    """The last snapshot of each outlet, served at /feed/<outlet>."""
    farm = FeedFarm()
    for outlet, content_type in OUTLETS.items():
        last = sorted((ARABIC_FEEDS / outlet).glob("snapshot-*.xml"))[-1]
        farm.put(outlet, last.read_bytes(), content_type)
    return farm


def feeds_file(tmp_path: Path, base: str) -> tuple[Path, list[Feed]]:
    """The outlets, and a feed the farm does not serve (every poll of it fails with a 404)."""
    feeds = [Feed(url=f"{base}/feed/{o}", name=o, language="ar", tags=["arabic-2018"]) for o in OUTLETS]
    feeds.append(Feed(url=f"{base}/feed/withdrawn", name="withdrawn", language="ar"))
    path = tmp_path / "feeds.toml"
    save_feeds(path, feeds)
    return path, feeds


def start_poller(settings: Settings, feeds: Path, metrics_port: int, state_topic: str,
                 log_path: Path) -> subprocess.Popen:
    """`news-monitor poll` publishing to the worker's raw topic, loopback feeds allowed."""
    argv = [sys.executable, "-m", "monitor", "poll", "--feeds", str(feeds), "--state-topic", state_topic,
            "--allow-loopback", "--timeout", "10", "--metrics-port", str(metrics_port)]
    with open(log_path, "ab") as log:
        return subprocess.Popen(argv, env=worker_env(settings), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def prometheus_config(tmp_path: Path, targets: dict[str, int]) -> Path:
    """prometheus/prometheus.yml with its job names and rules, scraping this test's
    processes (job name -> metrics port) every second."""
    config = yaml.safe_load((REPO / "prometheus" / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s", scrape_timeout="1s")
    shutil.copy(REPO / "prometheus" / "rules.yml", tmp_path / "rules.yml")
    jobs = {j["job_name"] for j in config["scrape_configs"]}
    assert set(targets) <= jobs, f"{sorted(set(targets) - jobs)} not in prometheus/prometheus.yml"
    config["scrape_configs"] = [{"job_name": job, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
                                for job, port in targets.items()]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def metrics_text(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


def samples(port: int, prefix: str = "newsmon_") -> dict[tuple, float]:
    """The samples a process exposes now: (name, sorted labels) -> value."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(metrics_text(port))
            for s in family.samples if s.name.startswith(prefix)}


def total(port: int, name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in samples(port).items() if n == name and set(labels.items()) <= set(ls))


def wait_scraped(prom_port: int, targets: dict[str, int], tmp_path: Path) -> None:
    """Until Prometheus has scraped every series each target exposes at least twice, so
    that rate() and increase() over a range have two points of each."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        before = {job: set(samples(port)) for job, port in targets.items()}
        since = time.time()

        def scraped_twice(since: float = since) -> bool:  # each job's latest scrape: over 1 s after `since`
            latest = query(prom_port, 'min(timestamp(up{job=~"newsmon-.*"}))')
            return bool(latest) and float(latest[0]["value"][1]) > since + 1

        wait_for(scraped_twice, 30, "two scrapes of every target", tmp_path)
        if all(set(samples(port)) == before[job] for job, port in targets.items()):
            return  # no series was born in between
    raise AssertionError("the targets kept exposing new series for a minute")


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap, tmp_path_factory):
    """A worker that has processed the replay and the polled feeds and delivered alerts, a
    poller, Prometheus scraping both: (prometheus port, worker scrape text, settings,
    metrics port of each scraped job)."""
    if PROMETHEUS is None:
        pytest.skip("prometheus absent: apt-get install prometheus (.ci/run installs it)")
    tmp_path = tmp_path_factory.mktemp("dashboards-live")
    name = uuid.uuid4().hex[:8]
    subscribers = tmp_path / "subscribers.toml"
    settings = isolated_settings(kafka_bootstrap, name, tmp_path).with_(subscribers_file=str(subscribers))
    run(ensure_topics(settings))
    targets = {"newsmon-worker": settings.metrics_port}
    if ARABIC_FEEDS.exists():
        targets["newsmon-poller"] = free_port()
    port = free_port()
    with contextlib.ExitStack() as stack:
        # Every alert, of every kind, to a webhook: the deliveries panel.
        receiver = WebhookReceiver(secret=b"dashboards-live-secret").start()
        stack.callback(receiver.stop)
        subscribers.write_text(webhook_subscribers_toml(receiver.url, WEBHOOK_SECRET_ENV, kinds=sorted(ALERT_KINDS)),
                               encoding="utf-8")
        mp = stack.enter_context(pytest.MonkeyPatch.context())
        mp.setenv(WEBHOOK_SECRET_ENV, "dashboards-live-secret")  # the worker inherits the environment
        prom_log = stack.enter_context((tmp_path / "prometheus.log").open("wb"))
        prom = subprocess.Popen(
            [PROMETHEUS, f"--config.file={prometheus_config(tmp_path, targets)}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
            stdout=prom_log, stderr=subprocess.STDOUT, start_new_session=True)
        stack.callback(stop_process, prom)
        log = tmp_path / "worker.log"
        proc = stack.enter_context(running_worker(settings, log))
        polled = 0
        if "newsmon-poller" in targets:
            base = stack.enter_context(FarmThread(feed_farm()))
            feeds_path, feeds = feeds_file(tmp_path, base)
            poller = start_poller(settings, feeds_path, targets["newsmon-poller"], f"poller-state-{name}",
                                  tmp_path / "poller.log")
            stack.callback(stop_process, poller)
            # Every feed polled once: the outlets published their items, the withdrawn one failed.
            wait_for(lambda: all(total(targets["newsmon-poller"], "newsmon_feed_polls_total", feed=f.name)
                                 for f in feeds), 60, "the poller polling every feed", tmp_path)
            polled = total(targets["newsmon-poller"], "newsmon_feed_entries_published_total")
            assert polled > 0, "the poller published nothing from the served snapshots"
        for job in targets:
            wait_for(lambda job=job: query(port, f'up{{job="{job}"}} == 1'), 60, f"Prometheus scraping {job}",
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
        # Every message read off the raw topic: the replay, the malformed one, the polled entries.
        expected = sent + 1 + polled
        wait_for(lambda: total(settings.metrics_port, "newsmon_messages_consumed_total",
                               topic=settings.topic_raw) >= expected,
                 120, f"the worker reading {expected} raw messages", tmp_path)
        wait_for(lambda: sum(receiver.counts.values()) and total(settings.metrics_port, "newsmon_deliveries_total"),
                 60, "an alert delivered to the webhook subscriber", tmp_path)
        assert receiver.bad_signatures == 0
        wait_scraped(port, targets, tmp_path)
        yield port, metrics_text(settings.metrics_port), settings, targets


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
                   for p in sorted(tmp_path.glob("*.log")))
    raise AssertionError(f"timed out waiting for {what}" + logs)


def grouping_labels(expr: str) -> set[str]:
    """The labels of the first `by (...)`: what the panel's legend or table shows."""
    match = re.search(r"\bby \(([^)]*)\)", expr)
    return {label.strip() for label in match.group(1).split(",")} - {"le"} if match else set()


def check(port: int, scrape: str, expr: str) -> None:
    if "newsmon_feed_" in expr and not ARABIC_FEEDS.exists():
        pytest.skip(f"no poller ran: shared fixture {ARABIC_FEEDS} is absent (expected beside the repo as ../shared)")
    answer = api(port, "query", query=expr)
    assert answer["status"] == "success", f"{expr}\n{answer.get('error')}"
    result = answer["data"]["result"]
    assert result, f"no data for {expr}"
    for label in grouping_labels(expr):
        assert any(series["metric"].get(label) for series in result), f"no series with {label} in {expr}"


@pytest.mark.parametrize("title,expr", panel_expressions(), ids=[t for t, _ in panel_expressions()])
def test_dashboard_panel_returns_data(pipeline, title, expr):
    port, scrape, _, _ = pipeline
    check(port, scrape, expr)


@pytest.mark.parametrize("record,expr", recording_rules(), ids=[r for r, _ in recording_rules()])
def test_recording_rule_returns_data(pipeline, record, expr):
    port, scrape, _, _ = pipeline
    check(port, scrape, expr)  # skips as its expression would
    wait_for_rule = time.monotonic() + 10
    while not query(port, record) and time.monotonic() < wait_for_rule:
        time.sleep(0.5)
    assert query(port, record), f"Prometheus has not recorded {record}"


def test_feed_health_table_counts_every_poll(pipeline):
    """The Feed health table, column by column, says what the poller counted: each outlet's
    first poll and the entries it published, the withdrawn feed's failed poll."""
    port, _, _, targets = pipeline
    if "newsmon-poller" not in targets:
        pytest.skip(f"no poller ran: shared fixture {ARABIC_FEEDS} is absent (expected beside the repo as ../shared)")
    table = load_builder().feed_health_table()
    titles = {o["matcher"]["options"].removeprefix("Value #"): prop["value"]
              for o in table["fieldConfig"]["overrides"] for prop in o["properties"] if prop["id"] == "displayName"}
    shown = {titles[t["refId"]]: {r["metric"]["feed"]: float(r["value"][1]) for r in query(port, plain(t["expr"]))}
             for t in table["targets"]}
    counted = samples(targets["newsmon-poller"])
    good = set(RESULTS) - set(ERROR_KINDS)

    def poller(name: str, feed: str, results: set[str] | None = None) -> float:
        return sum(v for (n, labels), v in counted.items() if n == name and dict(labels)["feed"] == feed
                   and (results is None or dict(labels)["result"] in results))

    feeds = {dict(labels)["feed"] for n, labels in counted if n == "newsmon_feed_polls_total"}
    assert feeds == set(OUTLETS) | {"withdrawn"}
    for feed in feeds:
        row = {title: column.get(feed) for title, column in shown.items()}
        assert (row["good polls (1 h)"] or 0) == pytest.approx(poller("newsmon_feed_polls_total", feed, good)), feed
        assert (row["failed polls (1 h)"] or 0) == pytest.approx(
            poller("newsmon_feed_polls_total", feed, set(ERROR_KINDS))), feed
        assert (row["entries (1 h)"] or 0) == pytest.approx(poller("newsmon_feed_entries_published_total", feed)), feed
        assert row["consecutive failures"] == poller("newsmon_feed_consecutive_failures", feed), feed
        assert (row["since last success"] is not None) == (feed in OUTLETS), feed
    assert all(shown["entries (1 h)"][o] > 0 and shown["good polls (1 h)"][o] >= 1 for o in OUTLETS), shown
    assert shown["failed polls (1 h)"]["withdrawn"] >= 1 and shown["consecutive failures"]["withdrawn"] >= 1


def test_map_command_reads_the_alerts_topic(pipeline, tmp_path):
    """`news-monitor map` on the replayed alerts: one marker per distinct alert in the region."""
    _, scrape, settings, _ = pipeline
    # Every alert the worker produced (its counter, scraped after the replay was processed).
    produced = re.search(rf'newsmon_messages_produced_total{{topic="{re.escape(settings.topic_alerts)}"}} (\S+)',
                         scrape)
    alerts = run(collect(settings, settings.topic_alerts, until=lambda m: len(m) >= float(produced.group(1))))
    out = tmp_path / "map.html"
    result = CliRunner().invoke(map_command, ["--out", str(out), "--idle", "3", "--limit", "100000"], obj=settings)
    assert result.exit_code == 0, result.output
    on_map = [p for p in marker_positions(events_from_alerts(alerts)) if p]
    assert on_map and out.read_text(encoding="utf-8").count('<circle class="marker"') == len(on_map)


def test_the_worker_scrape_passes_promtool_check_metrics(pipeline):
    _, scrape, _, _ = pipeline
    promtool = shutil.which("promtool")
    assert promtool, "promtool comes with Debian's prometheus package"
    out = subprocess.run([promtool, "check", "metrics"], input=scrape, capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
