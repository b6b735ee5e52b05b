"""The steps the worker runs on each message, as plain functions over plain data.

raw bytes ─decode_article─▶ Article ─enrich─▶ enriched record

Alerts are made from enriched records by ``monitor.corroborate`` (claims, control,
watchlist alerts) and ``monitor.watchlists``. Agents in ``agents/`` only wire topics
and tables to these; everything here runs without Kafka.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import orjson

from monitor.detect import detect_item
from monitor.errors import BadMessage
from monitor.models import SCHEMA_VERSION, Article
from monitor.replay import article_from_item

# How much of an undecodable message the dead-letter record keeps, to diagnose it.
DEADLETTER_HEAD_BYTES = 4096


def decode_article(raw: bytes | None, max_bytes: int) -> Article:
    """An Article from a raw-topic message, or BadMessage with the dead-letter reason."""
    item = decode_object(raw, max_bytes)
    article = article_from_item(item)
    # Keep the id the producer gave: it is the content-based id the article was published under.
    if isinstance(item.get("id"), str) and item.get("schema") == SCHEMA_VERSION:
        article.id = item["id"]
        article.ref = item.get("ref")
    if isinstance(item.get("ingested_at"), (int, float)):
        article.ingested_at = float(item["ingested_at"])
    return article


def decode_object(raw: bytes | None, max_bytes: int) -> dict[str, Any]:
    """A JSON object of schema 1 from a message of an internal topic (enriched, claim
    events, alerts), or BadMessage with the dead-letter reason."""
    if raw is None:
        raise BadMessage("empty")
    if len(raw) > max_bytes:
        raise BadMessage("too_large", f"{len(raw)} bytes > limit {max_bytes}")
    try:
        item = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadMessage("not_json", str(exc)) from None
    if not isinstance(item, dict):
        raise BadMessage("not_an_object", type(item).__name__)
    if item.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise BadMessage("unknown_schema", f"schema {item.get('schema')!r}")
    return item


def check_enriched(record: dict[str, Any]) -> dict[str, Any]:
    """The record if it has what the alerting agents read, else BadMessage."""
    if not isinstance(record.get("id"), str) or not record["id"]:
        raise BadMessage("bad_enriched_record", "no article id")
    for name in ("events", "places", "actors"):
        value = record.get(name)
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(v, (dict, str)) for v in value)):
            raise BadMessage("bad_enriched_record", f"{name!r} is not a list")
    if not all(isinstance(e, dict) for e in record.get("events") or []):
        raise BadMessage("bad_enriched_record", "an event is not an object")
    return record


def check_claim_event(item: dict[str, Any]) -> dict[str, Any]:
    if not (isinstance(item.get("key"), str) and isinstance(item.get("event"), dict)
            and isinstance(item.get("record"), dict)):
        raise BadMessage("bad_claim_event", "want key, event and record")
    return item


def check_alert(alert: dict[str, Any]) -> dict[str, Any]:
    if not (isinstance(alert.get("alert_id"), str) and alert["alert_id"]
            and isinstance(alert.get("kind"), str) and isinstance(alert.get("status"), str)):
        raise BadMessage("bad_alert", "want alert_id, kind and status")
    return alert


def enrich(article: Article, *, now: float | None = None) -> dict[str, Any]:
    """The enriched record of an article: language, places, actors and frontline events."""
    detection = detect_item(article.title, article.summary, article.text)
    return {
        "schema": SCHEMA_VERSION,
        "id": article.id,
        "ref": article.ref,
        "title": article.title,
        # The text rides along so that watchlists downstream can match it.
        "summary": article.summary,
        "text": article.text,
        "url": article.url,
        "source": article.source,
        "feed": article.feed,
        "tags": article.tags,
        "published": article.published,
        "ingested_at": article.ingested_at,
        "enriched_at": time.time() if now is None else now,
        "lang": detection.lang,
        "places": detection.places,
        "actors": detection.actors,
        "events": detection.events,
        "expected": detection.expected,
    }


def deadletter_record(raw: bytes | None, reason: str, detail: str = "", *,
                      topic: str = "", partition: int | None = None,
                      offset: int | None = None) -> dict[str, Any]:
    """What the dead-letter topic keeps of a message that could not be processed."""
    raw = raw or b""
    return {
        "schema": SCHEMA_VERSION,
        "reason": reason,
        "detail": detail[:1000],
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "size": len(raw),
        "payload_head": raw[:DEADLETTER_HEAD_BYTES].decode("utf-8", errors="replace"),
        "at": time.time(),
    }


def format_alert(alert: dict[str, Any]) -> str:
    """One human-readable line: time, status, type, actor, place (coordinates), source, headline.

    A watchlist alert shows the rule id where the event type would be."""
    event = alert.get("event") or {}
    place = event.get("place") or {}
    emitted = (alert.get("times") or {}).get("emitted") or time.time()
    when = datetime.fromtimestamp(emitted, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    if place:
        where = f"{place.get('name')}, {place.get('country')} ({place.get('lat'):.3f}, {place.get('lon'):.3f})"
    else:
        where = "(no place)"
    article = alert.get("article") or {}
    status = alert.get("status", "")
    what = event.get("type", "?")
    if alert.get("kind") == "watchlist":
        status, what = "watchlist", (alert.get("watchlist") or {}).get("rule_id", "?")
    elif alert.get("kind") == "control_change":
        status = "control_change"
    return (f"{when}  {status} {what:<10} "
            f"{event.get('actor') or 'unknown':<14} {where}  [{article.get('source') or '-'}]  "
            f"{article.get('title') or ''}")
