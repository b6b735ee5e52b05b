"""Table entries expire in a real worker on a real broker: claims, watchlist alerts and
deliveries go after a short retention, a replay inside the horizon still raises nothing,
and a restarted worker does not restore what expired (tombstones on the changelogs)."""
from __future__ import annotations

import time
import urllib.request
import uuid
from datetime import datetime, timezone

import pytest

from monitor.kafka_io import ensure_topics, publish_articles
from monitor.models import Article, article_id
from monitor.processes import start_worker, stop_process
from tests.helpers import (
    WebhookReceiver,
    collect,
    isolated_settings,
    run,
    webhook_subscribers_toml,
)
from tests.test_alerting_kafka import read_to_end

pytestmark = pytest.mark.kafka

RETENTION_SECONDS = 8.0
WINDOW_SECONDS = 2
SECRET_ENV = "NEWSMON_TEST_EXPIRY_SECRET"
CAPTURE = "Syrian army forces took control of the town of Mayadin."     # capture syria_gov Al Mayadin
OTHER = "Islamic State fighters seized the village of Hajin."           # capture isis Hajin
KEYWORD = "Talks on a ceasefire continued in Geneva."                   # the watchlist rule only


def article(text: str, source: str) -> Article:
    url = f"https://{source.lower().replace(' ', '-')}.example/{uuid.uuid4().hex[:10]}"
    return Article(id=article_id(url=url), title=text, text=text, url=url, source=source, lang="en",
                   published=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))


def metrics_text(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def metric(port: int, name: str, **labels) -> float | None:
    """The sum of a metric's samples with these labels; None while the worker is not up."""
    try:
        text = metrics_text(port)
    except OSError:
        return None
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items())]
    return sum(values) if values else None


def entries(port: int, table: str) -> float | None:
    return metric(port, "newsmon_table_entries", table=table)


def wait_until(what: str, cond, timeout: float, proc, log) -> float:
    started = time.monotonic()
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"{what}: worker exited {proc.returncode}\n"
                                 + log.read_text(errors="replace")[-3000:])
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s\n"
                                 + log.read_text(errors="replace")[-3000:])
        time.sleep(0.25)
    return time.monotonic() - started


def test_claims_watchlist_alerts_and_deliveries_expire_after_the_retention(
        kafka_bootstrap, tmp_path, monkeypatch):
    secret = uuid.uuid4().hex
    monkeypatch.setenv(SECRET_ENV, secret)   # the worker inherits the environment
    receiver = WebhookReceiver(secret.encode()).start()
    (tmp_path / "subscribers.toml").write_text(
        webhook_subscribers_toml(receiver.url, SECRET_ENV, kinds=("frontline", "watchlist")))
    (tmp_path / "watchlist.toml").write_text('[[rule]]\nid = "ceasefire"\nany = ["ceasefire"]\n')
    s = isolated_settings(kafka_bootstrap, uuid.uuid4().hex[:8], tmp_path).with_(
        subscribers_file=str(tmp_path / "subscribers.toml"),
        watchlist_file=str(tmp_path / "watchlist.toml"),
        claim_window_seconds=WINDOW_SECONDS, claim_min_sources=2,
        dedup_retention_seconds=RETENTION_SECONDS, expiry_interval_seconds=0.5)
    run(ensure_topics(s))
    log = tmp_path / "worker.log"
    proc = start_worker(s, log)
    port = s.metrics_port

    def alerts(until, timeout=90.0) -> list[dict]:
        return run(collect(s, s.topic_alerts, until=until, timeout=timeout, proc=proc, log_path=log))

    def consumed(topic: str) -> float:
        return metric(port, "newsmon_messages_consumed_total", topic=topic) or 0.0

    try:
        first, second, keyword = article(CAPTURE, "Outlet One"), article(CAPTURE, "Outlet Two"), \
            article(KEYWORD, "Outlet One")
        run(publish_articles(s, [first, second, keyword]))
        raised = alerts(lambda m: len(m) >= 4)      # first_report, corroborated, control, watchlist
        kinds = sorted((a["kind"], a["status"]) for a in raised)
        assert kinds == [("control_change", "corroborated"), ("frontline", "corroborated"),
                         ("frontline", "first_report"), ("watchlist", "match")], kinds
        wait_until("the webhook gets the three alerts it subscribed to",
                   lambda: len(receiver.counts) == 3, 60, proc, log)
        tables = ("claims", "watchlist_alerted", "delivered", "control")
        wait_until("the tables hold the claim, the watchlist alert, the deliveries, the place",
                   lambda: [entries(port, t) for t in tables] == [1, 1, 3, 1], 30, proc, log)

        # Inside the horizon (seconds later, well within the retention): a replay of the
        # same articles raises nothing and delivers nothing again.
        claims_read, enriched_read = consumed(s.claim_events_topic), consumed(s.topic_enriched)
        replayed_at = time.monotonic()
        run(publish_articles(s, [first, second, keyword]))
        wait_until("the replay reaches the corroborate step",
                   lambda: consumed(s.claim_events_topic) >= claims_read + 2
                   and consumed(s.topic_enriched) >= enriched_read + 3, 60, proc, log)
        time.sleep(1.0)    # and it emits whatever it would
        again = run(read_to_end(s.bootstrap, s.topic_alerts))
        assert len(again) == 4, [(a["kind"], a["status"]) for a in again[4:]]
        assert dict(receiver.counts).values() and set(receiver.counts.values()) == {1}

        # Past the retention every entry goes (control, one per place, stays).
        wait_until("claims, watchlist alerts and deliveries expire",
                          lambda: [entries(port, t) for t in ("claims", "watchlist_alerted", "delivered")]
                          == [0, 0, 0], RETENTION_SECONDS * 2 + 60, proc, log)
        gone = time.monotonic() - replayed_at
        # The replay was the claim's latest report: it is kept at least the retention after.
        assert gone >= RETENTION_SECONDS, f"expired {gone:.1f} s after the replay: too early"
        assert entries(port, "control") == 1
        expired_counts = {t: metric(port, "newsmon_table_expired_total", table=t)
                          for t in ("claims", "watchlist_alerted", "delivered")}
        assert expired_counts == {"claims": 1, "watchlist_alerted": 1, "delivered": 3}, expired_counts
        print(f"\nentries expired {gone:.1f} s after the replay (retention {RETENTION_SECONDS:g} s)")

        # A restarted worker restores the tables from their changelogs: the tombstones keep
        # what expired out. A new claim shows the restore is done.
        stop_process(proc, timeout=30)
        proc = start_worker(s, log)
        fresh = article(OTHER, "Outlet Three")
        run(publish_articles(s, [fresh]))
        alerts(lambda m: any((a.get("article") or {}).get("id") == fresh.id for a in m))
        wait_until("the new claim's delivery is recorded",
                   lambda: entries(port, "delivered") == 1, 60, proc, log)
        after = {t: entries(port, t) for t in tables}
        assert after == {"claims": 1, "watchlist_alerted": 0, "delivered": 1, "control": 2}, after
    finally:
        stop_process(proc, timeout=30)
        receiver.stop()
