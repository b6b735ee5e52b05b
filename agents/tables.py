"""Every table the app keeps, declared in one place.

Tables are Faust tables backed by compacted changelog topics (``<app id>-<name>-changelog``),
restored when a worker starts, so their state survives a restart. Keys are strings, values
JSON. A table row is written to the changelog partition of the message being processed,
so each table is co-partitioned with the stream that writes it:

- ``claims`` and ``control`` are written by ``corroborate`` from the claim-events topic,
  keyed by place key: every claim about a place (claim key = type|actor|place key) and the
  place's control record live on the partition of that place;
- ``watchlist_alerted`` is written from the enriched topic, keyed by article id;
- ``delivered`` is written by ``deliver`` from the alerts topic, keyed by alert id (the
  table key is ``<subscriber>|<alert id>``).
"""
from __future__ import annotations

import faust

from agents.app import app, settings

# Keys and values are JSON on the changelog (a key is a JSON string): ``news-monitor
# control`` reads the control changelog with nothing but a JSON parser.
SCHEMA = faust.Schema(key_type=str, key_serializer="json", value_serializer="json")
TABLE_OPTIONS = dict(schema=SCHEMA, key_type=str, default=None,
                     partitions=settings.topic_partitions)

claims = app.Table("claims", help="claim key -> ClaimState.as_dict()", **TABLE_OPTIONS)
control = app.Table("control", help="place key -> ControlState.as_dict()", **TABLE_OPTIONS)
watchlist_alerted = app.Table("watchlist_alerted", help="article id -> rule ids alerted",
                              **TABLE_OPTIONS)
delivered = app.Table("delivered", help="subscriber|alert id -> delivery result",
                      **TABLE_OPTIONS)
