"""Claims, corroboration and control of places, as pure functions over plain state.

A *claim* is one event type by one actor at one place (``claim_key``), within a time
window that opens with its first report. For every (article, event) the worker calls

    state, alerts = observe_claim(state, enriched, event, config=..., now=...)

with the claim's current state (None at first) and stores the returned state (in a Faust
table keyed by the claim key). Alerts of one claim window:

- ``first_report``: on its first report;
- ``corroborated``: once, when ``min_sources`` distinct sources have reported it
  (with the ``sources`` and ``articles`` lists);
- then nothing more until the window ends. An article already counted (same id:
  republished, re-polled, replayed) never raises anything.

A claim's state may be deleted once its window has ended and no report of it has come for
the retention (``ClaimConfig.retention_seconds``; ``ClaimState.expires_at``): a report
after the window opens a new claim anyway, and within the retention a replayed article
still finds itself counted. ``seen_at`` (the worker's clock at the latest report, kept to
within an eighth of the retention so that repeated reports cost few writes) says when.

*Control* of a place follows corroborated captures: ``observe_control`` keeps who took
a place, when, and from which reports, and raises ``control_change`` when a
corroborated capture gives the place a new controller.

Alert ids are hashes of the claim key, the status and the window start: the same claim
raises the same ids after a restart or a replay, so consumers can drop duplicates.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from monitor.models import SCHEMA_VERSION

DEFAULT_WINDOW_SECONDS = 24 * 3600
DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600
# Articles kept per claim for the alert's article list; ids are kept in full.
MAX_ARTICLES_LISTED = 50
ARTICLE_FIELDS = ("id", "title", "url", "source", "published", "lang")


@dataclass(frozen=True)
class ClaimConfig:
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    min_sources: int = 2
    # How long a claim is remembered after its latest report (at least until its window
    # ends): the horizon within which a replayed article raises nothing again.
    retention_seconds: float = DEFAULT_RETENTION_SECONDS
    # Event types that transfer control of their place to their actor.
    capture_types: frozenset[str] = frozenset({"capture"})


# --- keys ----------------------------------------------------------------------------

def place_key(place: Mapping[str, Any] | None) -> str:
    """``"<country>|<name>"`` of an event's place ("" without a place): the unit of control,
    and the partition key of claims (every claim about a place lands on one partition)."""
    if not place:
        return ""
    return f"{place.get('country') or ''}|{place.get('name') or ''}"


def claim_key(event: Mapping[str, Any]) -> str:
    """``"<type>|<actor>|<country>|<place name>"``: one claim, whoever reports it."""
    return f"{event.get('type') or ''}|{event.get('actor') or 'unknown'}|{place_key(event.get('place')) or '|'}"


def claim_keys(enriched: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The claims of an enriched record, one per claim key (first event of each)."""
    out: dict[str, dict[str, Any]] = {}
    for event in enriched.get("events") or []:
        out.setdefault(claim_key(event), event)
    return list(out.items())


def _hash(*parts: Any) -> str:
    return hashlib.blake2b("|".join(str(p) for p in parts).encode("utf-8"), digest_size=10).hexdigest()


def claim_alert_id(key: str, status: str, window_start: float) -> str:
    return _hash(key, status, int(window_start))


# --- time and sources ---------------------------------------------------------------

def parse_time(value: Any) -> float | None:
    """Epoch seconds of an ISO 8601 or RFC 2822 date (or a number), None if unreadable."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def report_time(enriched: Mapping[str, Any], now: float) -> float:
    """When an article reported its claims: published, else ingested, else now; never in
    the future (a wrong clock at the source must not open a window ahead of time)."""
    for value in (enriched.get("published"), enriched.get("ingested_at")):
        t = parse_time(value)
        if t is not None:
            return min(t, now)
    return now


def source_of(enriched: Mapping[str, Any]) -> str:
    """The outlet that published an article: its source name, else the URL's host, else
    the article itself (so that two unattributed articles never corroborate each other)."""
    source = (enriched.get("source") or "").strip().lower()
    if source:
        return source
    host = (urlsplit(enriched.get("url") or "").hostname or "").lower()
    if host:
        return host.removeprefix("www.")
    return f"article:{enriched.get('id')}"


# --- claim state -------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimState:
    """One claim in its current window. Stored as ``as_dict()`` in the claim table."""

    key: str
    window_start: float          # report time of the first report
    first_seen: float            # when the worker saw the first report
    event: dict[str, Any]        # type, actor, place, modality of the first report
    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()
    articles: tuple[dict[str, Any], ...] = ()
    alerted: tuple[str, ...] = ()     # statuses already raised in this window

    seen_at: float | None = None      # worker clock at the latest report (None: first_seen)

    @property
    def corroborated(self) -> bool:
        return "corroborated" in self.alerted

    @property
    def last_seen(self) -> float:
        return self.first_seen if self.seen_at is None else self.seen_at

    def expires_at(self, config: ClaimConfig) -> float:
        """When this state may be deleted: after its window has ended (report time) and at
        least ``retention_seconds`` after its latest report (worker clock). ``seen_at`` is
        refreshed only when it is older than ``touch_seconds``, so the extra
        ``touch_seconds`` keeps every report within the retention."""
        return max(self.window_start + config.window_seconds,
                   self.last_seen + config.retention_seconds + touch_seconds(config))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ClaimState | None:
        if not data:
            return None
        return cls(key=data["key"], window_start=float(data["window_start"]),
                   first_seen=float(data["first_seen"]), event=dict(data["event"]),
                   sources=tuple(data.get("sources") or ()),
                   article_ids=tuple(data.get("article_ids") or ()),
                   articles=tuple(dict(a) for a in data.get("articles") or ()),
                   alerted=tuple(data.get("alerted") or ()),
                   seen_at=(float(data["seen_at"]) if data.get("seen_at") is not None else None))


def touch_seconds(config: ClaimConfig) -> float:
    """How stale ``seen_at`` may get before a report that changes nothing else refreshes it."""
    return config.retention_seconds / 8


def _seen(state: ClaimState, now: float, config: ClaimConfig) -> ClaimState:
    """The state with ``seen_at`` refreshed if it is older than ``touch_seconds``."""
    if now - state.last_seen > touch_seconds(config):
        return replace(state, seen_at=now)
    return state


def observe_claim(state: ClaimState | None, enriched: Mapping[str, Any],
                  event: Mapping[str, Any], *, config: ClaimConfig = ClaimConfig(),
                  now: float | None = None) -> tuple[ClaimState | None, list[dict[str, Any]]]:
    """The claim's new state and the alerts to emit for one (article, event).

    A report older than ``window_seconds`` before the window start is stale: it neither
    reopens the claim nor counts. A report that changes nothing (already counted, stale,
    or after corroboration) returns the same state, except that ``seen_at`` moves on once
    it is older than ``touch_seconds(config)``.
    """
    now = time.time() if now is None else now
    key = claim_key(event)
    if state is not None and state.key != key:
        raise ValueError(f"claim state {state.key!r} given an event of claim {key!r}")
    t = report_time(enriched, now)
    aid = enriched.get("id")
    article = {k: enriched.get(k) for k in ARTICLE_FIELDS}
    source = source_of(enriched)

    if state is not None and t < state.window_start + config.window_seconds:
        if aid in state.article_ids or t < state.window_start - config.window_seconds:
            return _seen(state, now, config), []
        if state.corroborated:
            # The window's alerts are all out: keep the state as it is (bounded).
            return _seen(state, now, config), []
        sources = state.sources if source in state.sources else state.sources + (source,)
        articles = state.articles + ((article,) if len(state.articles) < MAX_ARTICLES_LISTED else ())
        state = replace(state, sources=sources, article_ids=state.article_ids + (aid,),
                        articles=articles, seen_at=now)
        alerts = []
    else:
        state = ClaimState(key=key, window_start=t, first_seen=now, seen_at=now,
                           event={k: event.get(k) for k in ("type", "actor", "place", "modality")},
                           sources=(source,), article_ids=(aid,), articles=(article,))
        alerts = [_claim_alert(state, "first_report", enriched, event, now)]
        state = replace(state, alerted=("first_report",))
    if len(state.sources) >= config.min_sources and not state.corroborated:
        alerts.append(_claim_alert(state, "corroborated", enriched, event, now))
        state = replace(state, alerted=state.alerted + ("corroborated",))
    return state, alerts


def _times(enriched: Mapping[str, Any], now: float) -> dict[str, Any]:
    return {"published": enriched.get("published"), "ingested": enriched.get("ingested_at"),
            "detected": enriched.get("enriched_at"), "emitted": now}


def _claim_alert(state: ClaimState, status: str, enriched: Mapping[str, Any],
                 event: Mapping[str, Any], now: float) -> dict[str, Any]:
    alert = {
        "schema": SCHEMA_VERSION,
        "alert_id": claim_alert_id(state.key, status, state.window_start),
        "kind": "frontline",
        "status": status,
        "event": {k: event.get(k) for k in ("type", "actor", "place", "modality")},
        "evidence": event.get("evidence"),
        "article": {k: enriched.get(k) for k in ARTICLE_FIELDS},
        "times": _times(enriched, now),
        "claim": {"key": state.key, "window_start": state.window_start},
        "corroboration": len(state.sources),
    }
    if status == "corroborated":
        alert["sources"] = list(state.sources)
        alert["articles"] = [dict(a) for a in state.articles]
    return alert


# --- control of places --------------------------------------------------------------

@dataclass(frozen=True)
class ControlState:
    """The latest reported control of one place. Stored as ``as_dict()`` in the control
    table keyed by ``place_key``. ``controller`` changes only on corroborated captures;
    ``reported`` is the latest capture claim not corroborated yet."""

    place: dict[str, Any]
    controller: str | None = None
    since: float | None = None            # window start of the capture claim
    claim_key: str | None = None
    sources: tuple[str, ...] = ()
    articles: tuple[dict[str, Any], ...] = ()
    previous: str | None = None
    reported: dict[str, Any] | None = None   # {"actor", "since", "sources", "claim_key"}
    updated_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ControlState | None:
        if not data:
            return None
        return cls(place=dict(data["place"]), controller=data.get("controller"),
                   since=data.get("since"), claim_key=data.get("claim_key"),
                   sources=tuple(data.get("sources") or ()),
                   articles=tuple(dict(a) for a in data.get("articles") or ()),
                   previous=data.get("previous"), reported=data.get("reported"),
                   updated_at=data.get("updated_at"))


def observe_control(state: ControlState | None, claim: ClaimState, *,
                    config: ClaimConfig = ClaimConfig(),
                    now: float | None = None) -> tuple[ControlState | None, list[dict[str, Any]]]:
    """The place's new control state and alerts after a capture claim changed.

    Call it with the claim state ``observe_claim`` returned, for claims whose event type
    is in ``config.capture_types`` and that have a place. A corroborated capture by an
    actor other than the current controller (or of a place with no known controller)
    makes that actor the controller and raises one ``control_change`` alert; a capture
    older than the current control is ignored; the same claim window never raises twice.
    """
    now = time.time() if now is None else now
    event = claim.event
    place = event.get("place")
    actor = event.get("actor") or "unknown"
    if event.get("type") not in config.capture_types or not place or actor == "unknown":
        return state, []
    if state is None:
        state = ControlState(place=dict(place))
    if not claim.corroborated:
        if state.since is not None and claim.window_start <= state.since:
            return state, []
        reported = {"actor": actor, "since": claim.window_start, "sources": list(claim.sources),
                    "claim_key": claim.key}
        if state.reported == reported:
            return state, []
        return replace(state, reported=reported, updated_at=now), []
    if state.claim_key == claim.key and state.since == claim.window_start:
        return state, []  # this capture is already the current control
    if state.since is not None and claim.window_start < state.since:
        return state, []  # an older capture than the one in force
    changed = state.controller != actor
    reported = state.reported if (state.reported or {}).get("claim_key") != claim.key else None
    new = replace(state, controller=actor, since=claim.window_start, claim_key=claim.key,
                  sources=claim.sources, articles=claim.articles,
                  previous=state.controller if changed else state.previous,
                  reported=reported, updated_at=now)
    if not changed:
        return new, []
    return new, [_control_alert(new, claim, now)]


def _control_alert(state: ControlState, claim: ClaimState, now: float) -> dict[str, Any]:
    last = claim.articles[-1] if claim.articles else {}
    return {
        "schema": SCHEMA_VERSION,
        "alert_id": _hash(place_key(state.place), state.controller, "control_change", int(claim.window_start)),
        "kind": "control_change",
        "status": "corroborated",
        "event": dict(claim.event),
        "evidence": None,
        "article": dict(last),
        "times": {"published": last.get("published"), "ingested": None, "detected": None, "emitted": now},
        "control": {"place": state.place, "controller": state.controller, "previous": state.previous,
                    "since": state.since},
        "claim": {"key": claim.key, "window_start": claim.window_start},
        "corroboration": len(claim.sources),
        "sources": list(claim.sources),
        "articles": [dict(a) for a in claim.articles],
    }


# --- watchlist alerts ---------------------------------------------------------------

def watchlist_alerts(enriched: Mapping[str, Any], hits, *, now: float | None = None) -> list[dict[str, Any]]:
    """One ``watchlist`` alert per rule an article matched (``monitor.watchlists.Hit``).

    The alert id is a hash of the article id and the rule id: a replayed article gives
    the same ids. The article's places, actors and event types ride along for the
    subscribers' filters.
    """
    now = time.time() if now is None else now
    out = []
    for hit in hits:
        events = [e for e in enriched.get("events") or [] if isinstance(e, dict)]
        out.append({
            "schema": SCHEMA_VERSION,
            "alert_id": _hash(enriched.get("id"), "watchlist", hit.rule_id),
            "kind": "watchlist",
            "status": "match",
            "event": None,
            "evidence": None,
            "article": {k: enriched.get(k) for k in ARTICLE_FIELDS},
            "times": _times(enriched, now),
            "watchlist": {"rule_id": hit.rule_id, "terms": list(hit.terms),
                          "description": hit.description},
            "places": [e["place"] for e in events if e.get("place")] + [
                p for p in enriched.get("places") or [] if isinstance(p, dict)],
            "actors": sorted({e.get("actor") for e in events if e.get("actor")}
                             | {a for a in enriched.get("actors") or [] if isinstance(a, str)}),
            "event_types": sorted({e["type"] for e in events if e.get("type")}),
            "corroboration": 1,
        })
    return out
