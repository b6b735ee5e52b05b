"""Feed state as plain data, and the poll schedule as pure functions of it.

A :class:`FeedState` is what survives a restart (it is the value of the feed's record
on the compacted state topic): validators, backoff, a permanent redirect, and the keys
of the entries already published. Nothing here does I/O or reads a clock: ``now`` is
always an argument, and randomness comes from the ``rng`` passed in.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from email.utils import parsedate_to_datetime

import orjson

STATE_SCHEMA = 1
DEFAULT_CEILING = 6 * 3600.0  # longest wait after repeated failures, seconds
MAX_RETRY_AFTER = 24 * 3600.0  # a Retry-After longer than this is clamped
DEFAULT_JITTER = 0.1  # ± fraction of the delay
MAX_SEEN = 1000  # entry keys kept per feed beyond those still in the feed


@dataclass
class FeedState:
    key: str  # the record key: feed_key(configured url)
    url: str  # the configured url
    current_url: str = ""  # after a permanent redirect, where to poll instead
    etag: str = ""
    last_modified: str = ""
    error_count: int = 0  # consecutive failures
    last_error: str = ""
    retry_after_until: float = 0.0  # epoch seconds; no poll before
    last_success_at: float = 0.0
    last_poll_at: float = 0.0
    seen: list[str] = field(default_factory=list)  # entry keys, oldest first
    schema: int = STATE_SCHEMA

    @property
    def fetch_url(self) -> str:
        return self.current_url or self.url

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: bytes) -> FeedState:
        d = orjson.loads(raw)
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def feed_key(url: str) -> str:
    """The state-topic key of a feed: a hash of its configured URL (stable, bounded)."""
    return "feed:" + hashlib.blake2b(url.strip().encode("utf-8"), digest_size=10).hexdigest()


def new_state(url: str) -> FeedState:
    return FeedState(key=feed_key(url), url=url)


def shard_of(url: str, shards: int) -> int:
    """Which of ``shards`` poller processes owns a feed."""
    return int.from_bytes(hashlib.blake2b(url.encode("utf-8"), digest_size=4).digest(), "big") % max(1, shards)


# ---------------------------------------------------------------- schedule

def backoff_delay(error_count: int, interval: float, ceiling: float = DEFAULT_CEILING) -> float:
    """Seconds until the next poll: the interval, doubled per consecutive failure, capped."""
    if error_count <= 0:
        return float(interval)
    return float(min(max(ceiling, interval), interval * (2 ** min(error_count, 30))))


def jittered(delay: float, rng: random.Random, fraction: float = DEFAULT_JITTER) -> float:
    return max(0.0, delay * (1.0 + rng.uniform(-fraction, fraction)))


def next_check(state: FeedState, now: float, interval: float, *, ceiling: float = DEFAULT_CEILING,
               rng: random.Random | None = None, jitter: float = DEFAULT_JITTER) -> float:
    """When the feed is next due: backoff with jitter, but never before Retry-After."""
    rng = rng or random.Random()
    at = now + jittered(backoff_delay(state.error_count, interval, ceiling), rng, jitter)
    return max(at, state.retry_after_until)


def first_check(state: FeedState, now: float, interval: float, rng: random.Random) -> float:
    """At start, spread feeds over their interval rather than polling them all at once,
    but poll at once a feed never polled or overdue; Retry-After still holds."""
    if not state.last_poll_at or now - state.last_poll_at >= interval:
        at = now + rng.uniform(0, min(interval, 5.0))
    else:
        at = state.last_poll_at + jittered(backoff_delay(state.error_count, interval), rng)
    return max(at, state.retry_after_until)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), clamped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        secs = float(value)
    else:
        try:
            secs = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return min(max(0.0, secs), MAX_RETRY_AFTER)


# ---------------------------------------------------------------- transitions

def remember(seen: list[str], present: Iterable[str], limit: int = MAX_SEEN) -> list[str]:
    """``seen`` plus the new keys; drop the oldest keys no longer in the feed beyond ``limit``."""
    present = list(present)
    known = set(seen)
    out = list(seen) + [k for k in dict.fromkeys(present) if k not in known]
    if len(out) > limit:
        keep = set(present)
        excess = len(out) - limit
        trimmed = []
        for k in out:
            if excess and k not in keep:
                excess -= 1
                continue
            trimmed.append(k)
        out = trimmed
    return out


def new_keys(state: FeedState, keys: Iterable[str]) -> list[str]:
    """The keys not published before, in feed order, each once."""
    seen = set(state.seen)
    return [k for k in dict.fromkeys(keys) if k not in seen]


def on_success(state: FeedState, now: float, *, etag: str = "", last_modified: str = "",
               present: Iterable[str] = (), limit: int = MAX_SEEN) -> FeedState:
    state.etag = etag
    state.last_modified = last_modified
    state.error_count = 0
    state.last_error = ""
    state.retry_after_until = 0.0
    state.last_success_at = now
    state.last_poll_at = now
    state.seen = remember(state.seen, present, limit)
    return state


def on_not_modified(state: FeedState, now: float) -> FeedState:
    state.error_count = 0
    state.last_error = ""
    state.retry_after_until = 0.0
    state.last_success_at = now
    state.last_poll_at = now
    return state


def on_failure(state: FeedState, now: float, kind: str, retry_after: float | None = None) -> FeedState:
    state.error_count += 1
    state.last_error = kind
    state.last_poll_at = now
    state.retry_after_until = now + retry_after if retry_after else 0.0
    return state


def on_permanent_redirect(state: FeedState, new_url: str) -> FeedState:
    """Poll the new location from now on; the validators belonged to the old one."""
    if new_url and new_url != state.fetch_url:
        state.current_url = new_url
    return state
