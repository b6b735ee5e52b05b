"""Alerting: watchlist alerts, claims, corroboration and control of places.

    enriched ──route_claims──▶ alerts (kind watchlist; once per article and rule)
             └──▶ claim-events topic, keyed by place key ──corroborate──▶ alerts
                  (the repartition)                       claims table  (claim key)
                                                          control table (place key)

Every decision is a pure function of ``monitor.corroborate`` and ``monitor.watchlists``;
these agents only connect topics and tables to them. Both iterate event by event (not in
batches): a table row is written to the changelog partition of the *current* event.
Old entries of the claims and watchlist tables expire (``agents/tables.py``).
"""
from __future__ import annotations

import logging
import time

import orjson

from agents.agents import INTERNAL_MAX_BYTES, emit_alert, send_to_deadletter
from agents.app import app, metrics, watchlist
from agents.tables import CLAIM_CONFIG, claims, control, watchlist_alerted
from agents.topics import claim_events, enriched_articles
from monitor.corroborate import (
    ClaimState,
    ControlState,
    claim_keys,
    observe_claim,
    observe_control,
    place_key,
    watchlist_alerts,
)
from monitor.errors import BadMessage
from monitor.expiry import watchlist_entry, watchlist_rules
from monitor.pipeline import check_claim_event, check_enriched, decode_object

log = logging.getLogger(__name__)

# What a claim event carries of its article: what observe_claim and the alerts need.
CLAIM_RECORD_FIELDS = ("id", "title", "url", "source", "published", "lang", "ingested_at",
                       "enriched_at")


@app.agent(enriched_articles)
async def route_claims(stream):
    """Watchlist alerts of each enriched article, and each of its claims, repartitioned
    by place onto the claim-events topic."""
    async for event in stream.events():
        message = event.message
        metrics.consumed.labels(message.topic).inc()
        try:
            record = check_enriched(decode_object(message.value, INTERNAL_MAX_BYTES))
            hits = watchlist.match(record) if watchlist is not None else []
            # An article's watchlist alerts go out once: a replayed or re-polled article
            # (same content-based id, so the same partition) finds its rules here.
            done = watchlist_rules(watchlist_alerted.get(record["id"])) if hits else set()
            hits = [h for h in hits if h.rule_id not in done]
            keyword_alerts = watchlist_alerts(record, hits)
            routed = claim_keys(record)
        except BadMessage as exc:
            await send_to_deadletter(message, exc.reason, exc.detail)
            continue
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the stream
            await send_to_deadletter(message, "bad_enriched_record", repr(exc))
            continue
        # The alerts are on the broker before the table remembers them: a crash in between
        # re-emits them (same ids, harmless) instead of losing them.
        for alert in keyword_alerts:
            await emit_alert(alert, wait=True)
        if hits:
            watchlist_alerted[record["id"]] = watchlist_entry(done | {h.rule_id for h in hits},
                                                              time.time())
        article = {k: record.get(k) for k in CLAIM_RECORD_FIELDS}
        for key, ev in routed:
            value = orjson.dumps({"key": key, "event": ev, "record": article})
            await claim_events.send(key=place_key(ev.get("place")).encode(), value=value)
            metrics.produced.labels(claim_events.get_topic_name()).inc()


@app.agent(claim_events)
async def corroborate(stream):
    """Claim and control state per place; alerts on transitions only (first_report,
    corroborated, control_change)."""
    async for event in stream.events():
        message = event.message
        metrics.consumed.labels(message.topic).inc()
        started = time.perf_counter()
        try:
            new_alerts, writes = observe(check_claim_event(decode_object(message.value,
                                                                        INTERNAL_MAX_BYTES)))
        except BadMessage as exc:
            await send_to_deadletter(message, exc.reason, exc.detail)
            continue
        except Exception as exc:  # noqa: BLE001
            log.exception("corroborate failed on %s[%s]@%s", message.topic, message.partition,
                          message.offset)
            await send_to_deadletter(message, "bad_claim_event", repr(exc))
            continue
        # Alerts first, acknowledged by the broker, then the state that says they went out:
        # a worker killed in between raises them again on restart (same alert ids) rather
        # than restoring a state that says "alerted" for an alert that never reached Kafka.
        for alert in new_alerts:
            await emit_alert(alert, wait=bool(writes))
        for table, key, value in writes:
            table[key] = value
        metrics.processing.labels("alert").observe(time.perf_counter() - started)


def observe(item: dict) -> tuple[list[dict], list[tuple]]:
    """One claim event against the claims and control tables: the alerts it raises and
    the table writes ``(table, key, value)`` to make once they are out."""
    key, ev, record = item["key"], item["event"], item["record"]
    before = claims.get(key)
    state, new_alerts = observe_claim(ClaimState.from_dict(before), record, ev, config=CLAIM_CONFIG)
    writes: list[tuple] = []
    if state is None:
        return new_alerts, writes
    after = plain(state.as_dict())
    if after != before:
        writes.append((claims, key, after))
    if ev.get("type") in CLAIM_CONFIG.capture_types and ev.get("place"):
        pkey = place_key(ev["place"])
        cbefore = control.get(pkey)
        cstate, control_alerts = observe_control(ControlState.from_dict(cbefore), state,
                                                 config=CLAIM_CONFIG)
        if cstate is not None and (cafter := plain(cstate.as_dict())) != cbefore:
            writes.append((control, pkey, cafter))
        new_alerts = new_alerts + control_alerts
    return new_alerts, writes


def plain(value: dict) -> dict:
    """The value as it comes back from the table's JSON changelog (tuples as lists)."""
    return orjson.loads(orjson.dumps(value))


@app.page("/control")
async def control_page(web, request):
    """GET /control: the control records this worker holds, keyed by place key
    (``<country>|<name>``). The control table is partitioned by place: with several
    workers each serves its own partitions (and standby copies); ``news-monitor control``
    reads the table's changelog and always shows every place."""
    return web.json({k: v for k, v in control.items() if v})
