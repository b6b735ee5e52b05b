"""Expiry of table entries: which claims, watchlist alerts and deliveries may go, given now."""
from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner

from monitor.corroborate import ClaimConfig, ClaimState, observe_claim, touch_seconds
from monitor.delivery import delivery_key
from monitor.expiry import (
    claim_expires_at,
    claim_source_key,
    delivered_expires_at,
    delivered_source_key,
    expired,
    partition_of,
    stamped,
    watchlist_entry,
    watchlist_expires_at,
    watchlist_rules,
)

T0 = 1_700_000_000.0
HOUR = 3600.0
DAY = 24 * HOUR
PLACE = {"name": "Al Mayadin", "country": "SY", "lat": 35.02, "lon": 40.45}
EVENT = {"type": "capture", "actor": "syria_gov", "modality": "reported", "place": PLACE}
CONFIG = ClaimConfig(window_seconds=DAY, retention_seconds=7 * DAY)


def article(aid: str, source: str, published: float) -> dict:
    return {"id": aid, "title": aid, "url": f"https://{source}.example/{aid}", "source": source,
            "published": published}


def observe(state, aid, source, published, now, config=CONFIG):
    return observe_claim(state, article(aid, source, published), EVENT, config=config, now=now)


def test_a_live_claim_is_kept_for_the_retention_after_its_latest_report():
    state, _ = observe(None, "a1", "bbc", T0, now=T0)
    state, _ = observe(state, "a2", "bbc", T0 + HOUR, now=T0 + HOUR)   # same source: counted
    value = state.as_dict()
    at = claim_expires_at(value, CONFIG)
    assert at >= T0 + HOUR + 7 * DAY               # a week after the latest report, at least
    assert at <= T0 + HOUR + 7 * DAY + touch_seconds(CONFIG)
    gone, _ = expired([("k", value)], lambda v: claim_expires_at(v, CONFIG), now=T0 + 2 * DAY)
    assert gone == []                              # its window is over, the horizon is not
    gone, _ = expired([("k", value)], lambda v: claim_expires_at(v, CONFIG), now=at)
    assert gone == ["k"]


def test_a_claim_is_kept_until_its_window_ends_even_with_a_short_retention():
    short = ClaimConfig(window_seconds=DAY, retention_seconds=HOUR)
    state, _ = observe(None, "a1", "bbc", T0, now=T0, config=short)
    at = claim_expires_at(state.as_dict(), short)
    assert at == T0 + DAY                          # a report now could still join it before
    # ...and after it, a report opens a new claim anyway: deleting the old one loses nothing.
    fresh, alerts = observe(None, "b1", "cnn", T0 + DAY, now=T0 + DAY, config=short)
    again, alerts_kept = observe(state, "b1", "cnn", T0 + DAY, now=T0 + DAY, config=short)
    assert fresh == again and alerts == alerts_kept
    assert [a["status"] for a in alerts] == ["first_report"]


def test_an_old_window_replayed_today_is_not_expired_at_once():
    """Articles published in 2018 and ingested now: their window ended long ago, yet the
    claim must stay so that a second source still corroborates it."""
    published = T0 - 365 * DAY
    state, _ = observe(None, "a1", "bbc", published, now=T0)
    assert claim_expires_at(state.as_dict(), CONFIG) >= T0 + 7 * DAY
    state, alerts = observe(state, "a2", "cnn", published + HOUR, now=T0 + 60)
    assert [a["status"] for a in alerts] == ["corroborated"]


def test_a_report_that_changes_nothing_refreshes_seen_at_only_when_it_is_stale():
    state, _ = observe(None, "a1", "bbc", T0, now=T0)
    state, _ = observe(state, "a2", "cnn", T0, now=T0)              # corroborated
    same, alerts = observe(state, "a1", "bbc", T0, now=T0 + HOUR)   # a replay, soon after
    assert alerts == [] and same == state                         # no write
    later = T0 + touch_seconds(CONFIG) + 1
    touched, alerts = observe(state, "a3", "sky", T0 + HOUR, now=later)   # after corroboration
    assert alerts == [] and touched.seen_at == later
    assert touched.as_dict() | {"seen_at": state.seen_at} == state.as_dict()
    assert claim_expires_at(touched.as_dict(), CONFIG) > claim_expires_at(state.as_dict(), CONFIG)


def test_a_stored_claim_without_seen_at_expires_from_its_first_report():
    state, _ = observe(None, "a1", "bbc", T0, now=T0)
    old = {k: v for k, v in state.as_dict().items() if k != "seen_at"}
    assert ClaimState.from_dict(old).last_seen == T0
    assert claim_expires_at(old, CONFIG) == claim_expires_at(state.as_dict(), CONFIG)
    assert claim_expires_at(None, CONFIG) is None


def test_watchlist_and_delivery_entries_expire_after_the_retention():
    entry = watchlist_entry(["b", "a", "b"], now=T0)
    assert entry == {"rules": ["a", "b"], "at": T0}
    assert watchlist_rules(entry) == {"a", "b"}
    assert watchlist_rules(["a"]) == {"a"} and watchlist_rules(None) == set()
    assert watchlist_expires_at(entry, 7 * DAY) == T0 + 7 * DAY
    delivery = {"status": "delivered", "at": T0, "attempts": 1}
    assert delivered_expires_at(delivery, 7 * DAY) == T0 + 7 * DAY
    items = [("new", watchlist_entry(["a"], T0 + 6 * DAY)), ("old", entry), ("legacy", ["a"])]
    gone, unstamped = expired(items, lambda v: watchlist_expires_at(v, 7 * DAY), now=T0 + 7 * DAY)
    assert gone == ["old"] and unstamped == ["legacy"]
    assert stamped(["a"], T0) == {"rules": ["a"], "at": T0}
    assert stamped({"status": "delivered"}, T0) == {"status": "delivered", "at": T0}
    assert stamped("odd", T0) is None


def test_tombstones_go_to_the_partition_the_source_message_went_to():
    partitioner = DefaultPartitioner()
    for key in (b"SY|Al Mayadin", b"IQ|\xd8\xa7\xd9\x84\xd9\x82\xd8\xa7\xd8\xa6\xd9\x85", b"", b"x" * 33):
        for n in (1, 2, 4, 8):
            assert partition_of(key, n) == partitioner(key, list(range(n)), list(range(n)))
    state, _ = observe(None, "a1", "bbc", T0, now=T0)
    assert claim_source_key(state.key, state.as_dict()) == b"SY|Al Mayadin"
    assert delivered_source_key(delivery_key("news|room", "9f0c1d"), {}) == b"9f0c1d"
