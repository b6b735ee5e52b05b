"""Which table entries have expired, as pure functions over plain table values.

The worker keeps three growing tables (``agents/tables.py``): ``claims`` (claim key →
claim state), ``watchlist_alerted`` (article id → rules alerted) and ``delivered``
(subscriber|alert id → delivery result). Each entry has a time after which it may go
(``*_expires_at``); a timer in the worker asks ``expired`` for the keys whose time has
passed and deletes them, with a tombstone on the table's changelog so a restarted worker
does not restore them.

The *retention* (``NEWSMON_DEDUP_RETENTION_SECONDS``, 7 days by default) is the horizon of
the worker's memory: within it a replayed, re-polled or redelivered article or alert
raises and delivers nothing again; after it, an entry is gone and the same input is
treated as new. The control table (one entry per place) is bounded by the gazetteer and
never expires.

A deleted entry's tombstone must go to the changelog partition its value was written to:
the partition of the message that was being processed, which Kafka's default partitioner
chose from that message's key (``partition_of``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiokafka.partitioner import murmur2

from monitor.corroborate import ClaimConfig, ClaimState, place_key

DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner (Java's and aiokafka's) gives a keyed
    message: murmur2 of the key bytes, positive, modulo the partition count."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


# --- claims ------------------------------------------------------------------------

def claim_expires_at(value: Mapping[str, Any] | None, config: ClaimConfig) -> float | None:
    """When a stored claim (``ClaimState.as_dict()``) may be deleted: once its window has
    ended (no report published now can join it; a later one opens a new claim anyway) and
    no report of it has come for the retention (so a replay of its articles within the
    horizon still finds them counted). None for a value that is not a claim."""
    state = ClaimState.from_dict(value) if value else None
    if state is None:
        return None
    return state.expires_at(config)


def claim_source_key(key: str, value: Mapping[str, Any] | None) -> bytes:
    """The claim-events message key that placed a claim on its partition: its place key."""
    event = (value or {}).get("event") or {}
    return place_key(event.get("place")).encode()


# --- watchlist alerts --------------------------------------------------------------

def watchlist_entry(rules: Iterable[str], now: float) -> dict[str, Any]:
    """The ``watchlist_alerted`` value of an article: the rules alerted, and when."""
    return {"rules": sorted(set(rules)), "at": now}


def watchlist_rules(value: Any) -> set[str]:
    """The rules already alerted for an article, from a table value (a bare list of rule
    ids is the form before entries carried a time)."""
    if isinstance(value, Mapping):
        return set(value.get("rules") or ())
    if isinstance(value, (list, tuple)):
        return set(value)
    return set()


def _time_of(value: Any) -> float | None:
    if isinstance(value, Mapping):
        at = value.get("at")
        if isinstance(at, (int, float)) and not isinstance(at, bool):
            return float(at)
    return None


def watchlist_expires_at(value: Any, retention_seconds: float) -> float | None:
    """The retention after the article's last watchlist alert; None for an entry without a
    time (written before entries had one): the sweep stamps those with its own time."""
    at = _time_of(value)
    return None if at is None else at + retention_seconds


def watchlist_source_key(key: str, value: Any) -> bytes:
    """The enriched-topic message key (the article id) that placed the entry."""
    return key.encode()


# --- deliveries --------------------------------------------------------------------

def delivered_expires_at(value: Any, retention_seconds: float) -> float | None:
    """The retention after the delivery (or dead-lettering) of an alert to a subscriber."""
    at = _time_of(value)
    return None if at is None else at + retention_seconds


def delivered_source_key(key: str, value: Any) -> bytes:
    """The alerts-topic message key (the alert id) of a ``<subscriber>|<alert id>`` key."""
    return key.rsplit("|", 1)[-1].encode()


# --- the sweep ---------------------------------------------------------------------

def expired(items: Iterable[tuple[str, Any]], expires_at: Callable[[Any], float | None],
            now: float) -> tuple[list[str], list[str]]:
    """``(expired, unstamped)`` keys of a table's items at ``now``: those whose expiry time
    has passed, and those with no time at all (to be stamped with ``now``, so that they
    expire one retention later instead of never)."""
    gone: list[str] = []
    unstamped: list[str] = []
    for key, value in items:
        at = expires_at(value)
        if at is None:
            unstamped.append(key)
        elif at <= now:
            gone.append(key)
    return gone, unstamped


def stamped(value: Any, now: float) -> dict[str, Any] | None:
    """A value without a time, given one: ``{"rules": [...], "at": now}`` for a bare list
    of watchlist rules, the mapping plus ``"at"`` otherwise; None if it cannot be stamped."""
    if isinstance(value, (list, tuple)):
        return watchlist_entry(value, now)
    if isinstance(value, Mapping):
        return {**value, "at": now}
    return None
