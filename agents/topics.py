"""Every topic the app reads or writes, declared in one place."""
from __future__ import annotations

from agents.app import app, settings

# The raw topic accepts messages far larger than any article, so that an oversized one
# reaches the worker and is dead-lettered with its reason instead of being refused unseen.
RAW_MAX_MESSAGE_BYTES = 64 * 1024 * 1024

raw_articles = app.topic(
    settings.topic_raw, value_type=bytes, partitions=settings.topic_partitions,
    config={"max.message.bytes": str(RAW_MAX_MESSAGE_BYTES)})
enriched_articles = app.topic(
    settings.topic_enriched, value_type=bytes, partitions=settings.topic_partitions)
alerts = app.topic(settings.topic_alerts, value_type=bytes, partitions=settings.topic_partitions)
deadletter = app.topic(settings.topic_deadletter, value_type=bytes, partitions=1)
# Every claim (event type, actor, place) of every enriched article, keyed by its place
# (``monitor.corroborate.place_key``): the repartition that puts all claims about a place,
# and the place's control record, on one partition of the claims and control tables.
claim_events = app.topic(
    settings.claim_events_topic, value_type=bytes, partitions=settings.topic_partitions,
    internal=True)
