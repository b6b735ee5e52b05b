"""The whole pipeline on the real broker: replay the seed through a real worker."""
from __future__ import annotations

import pytest
from aiokafka import AIOKafkaProducer

from monitor.kafka_io import ensure_topics, publish_articles
from monitor.replay import read_articles
from tests.helpers import REPO, collect, isolated_settings, run, running_worker

pytestmark = pytest.mark.kafka


def _has(alerts, type_, actor, place_fragment):
    return any(a["kind"] == "frontline" and a["status"] == "first_report"
               and a["event"]["type"] == type_ and a["event"]["actor"] == actor
               and place_fragment in (a["event"]["place"] or {}).get("name", "")
               for a in alerts)


SEED_ALERTS = [
    ("clash", "syria_gov", "Deir ez-Zor"),
    ("capture", "syria_gov", "Hawijat"),
    ("capture", "syria_gov", "Ummal"),
    ("advance", "iraq_gov", "Qaim"),
]


def test_seed_replay_raises_the_frontline_alerts(kafka_bootstrap, unique_name, tmp_path):
    settings = isolated_settings(kafka_bootstrap, unique_name, tmp_path)
    run(ensure_topics(settings))
    log = tmp_path / "worker.log"
    with running_worker(settings, log) as proc:
        sent = run(publish_articles(settings, read_articles([REPO / "seeds"])))
        assert sent == 1

        def complete(alerts):
            return (all(_has(alerts, *want) for want in SEED_ALERTS)
                    and any(a["event"]["type"] == "siege" and "Rawa" in a["event"]["place"]["name"]
                            for a in alerts))

        alerts = run(collect(settings, settings.topic_alerts, until=complete, proc=proc, log_path=log))
    # One article, one source: every claim raises its first report, none is corroborated.
    assert {(a["kind"], a["status"]) for a in alerts} == {("frontline", "first_report")}
    for alert in alerts:
        place = alert["event"]["place"]
        assert -90 <= place["lat"] <= 90 and -180 <= place["lon"] <= 180
        assert alert["evidence"]["sentence"] in alert["article"]["title"] + "\n" + open(
            REPO / "seeds" / "000_06dc2b0018f97db1.txt", encoding="utf-8").read()
        assert alert["schema"] == 1 and len(alert["alert_id"]) == 20


def test_bad_messages_go_to_the_deadletter_topic_and_the_worker_goes_on(
        kafka_bootstrap, unique_name, tmp_path):
    settings = isolated_settings(kafka_bootstrap, unique_name, tmp_path).with_(max_message_bytes=1_000_000)
    run(ensure_topics(settings))

    async def send_bad_then_good():
        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, max_request_size=60 * 1024 * 1024)
        await producer.start()
        try:
            await producer.send_and_wait(settings.topic_raw, b"{not json")
            await producer.send_and_wait(settings.topic_raw, b'{"summary": "no title here"}')
            await producer.send_and_wait(settings.topic_raw, b'{"title": "' + b"x" * (50 * 1024 * 1024) + b'"}')
        finally:
            await producer.stop()
        # A good article after the bad ones must still be processed.
        await publish_articles(settings, read_articles([REPO / "seeds"]))

    log = tmp_path / "worker.log"
    with running_worker(settings, log) as proc:
        run(send_bad_then_good())
        dead = run(collect(settings, settings.topic_deadletter, until=lambda m: len(m) >= 3,
                           proc=proc, log_path=log))
        alerts = run(collect(settings, settings.topic_alerts, until=lambda m: len(m) >= 1,
                             proc=proc, log_path=log))
        assert proc.poll() is None, "the worker must keep running"
    reasons = sorted(d["reason"] for d in dead)
    assert reasons == ["missing_title", "not_json", "too_large"]
    too_large = next(d for d in dead if d["reason"] == "too_large")
    assert too_large["size"] > 50 * 1024 * 1024 and len(too_large["payload_head"]) <= 4096
    assert all(d["topic"] == settings.topic_raw and d["offset"] is not None for d in dead)
    assert alerts
