"""Pure tests: the poll schedule and state, entry identity, the parse path (no network, no Kafka)."""
from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from monitor.feedparse import Entry, defuse, entry_key, parse_feed, to_utf8
from monitor.feeds import Feed
from monitor.fetch import FetchLimits, address_allowed
from monitor.poll import (
    FeedState,
    backoff_delay,
    feed_key,
    new_keys,
    new_state,
    next_check,
    on_failure,
    on_not_modified,
    on_success,
    parse_retry_after,
    remember,
    shard_of,
)
from monitor.poller import build_article

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "feeds"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared fixture {path} is absent (expected beside the repo as ../shared)")
    return path


# ---------------------------------------------------------------- schedule

def test_backoff_doubles_to_ceiling_and_recovers():
    assert backoff_delay(0, 300) == 300
    assert backoff_delay(1, 300) == 600
    assert backoff_delay(3, 300) == 2400
    assert backoff_delay(50, 300, ceiling=3600) == 3600
    assert backoff_delay(5, 7200, ceiling=3600) == 7200  # never shorter than the interval
    s = new_state("https://example.org/rss")
    for _ in range(4):
        on_failure(s, 1000.0, "http_5xx")
    assert s.error_count == 4
    on_success(s, 2000.0, etag='"x"')
    assert s.error_count == 0 and s.last_error == ""
    assert next_check(s, 2000.0, 300, rng=random.Random(1), jitter=0) == 2300


def test_next_check_jitter_stays_within_bounds():
    s = new_state("https://example.org/rss")
    rng = random.Random(7)
    dues = [next_check(s, 0.0, 100, rng=rng, jitter=0.1) for _ in range(500)]
    assert min(dues) >= 90 and max(dues) <= 110
    assert len({round(d, 3) for d in dues}) > 100  # really spread


def test_retry_after_is_honoured_over_backoff():
    s = new_state("https://example.org/rss")
    on_failure(s, 1000.0, "rate_limited", retry_after=900)
    assert next_check(s, 1000.0, 60, rng=random.Random(0)) >= 1900
    assert parse_retry_after("120", 0) == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 60) == pytest.approx(60)
    assert parse_retry_after("10000000", 0) == 24 * 3600  # clamped
    assert parse_retry_after("soon", 0) is None
    on_not_modified(s, 2000.0)
    assert s.retry_after_until == 0 and s.error_count == 0


def test_state_roundtrip_and_keys():
    s = new_state("https://example.org/rss")
    on_success(s, 5.0, etag='"e"', last_modified="Mon, 01 Jan 2018 00:00:00 GMT", present=["a", "b"])
    back = FeedState.from_json(s.to_json())
    assert back == s
    assert s.key == feed_key("https://example.org/rss") and len(s.key) < 40
    assert {shard_of(f"https://e.org/{i}", 3) for i in range(100)} == {0, 1, 2}


def test_remember_keeps_present_and_bounds_the_rest():
    seen = [f"old{i}" for i in range(10)]
    out = remember(seen, ["old0", "n1", "n2"], limit=5)
    assert "old0" in out and "n1" in out and "n2" in out and len(out) == 5
    assert out[-2:] == ["n1", "n2"]
    s = FeedState(key="k", url="u", seen=["a", "b"])
    assert new_keys(s, ["b", "c", "c", "d"]) == ["c", "d"]


def test_entry_identity_survives_tracking_params_and_slashes():
    a = Entry(guid="https://news.example/a/1/?utm_source=x&fbclid=y")
    b = Entry(guid="https://news.example/a/1")
    assert entry_key(a) == entry_key(b)
    c = Entry(link="http://news.example/a/2/?ref=rss")
    d = Entry(link="https://news.example/a/2")
    assert entry_key(c) == entry_key(d)
    e = Entry(title="Same  text", summary="body")
    f = Entry(title="Same text", summary=" body ")
    assert entry_key(e) == entry_key(f) != entry_key(Entry(title="Other", summary="body"))
    assert entry_key(Entry(guid="tag:x,2018:1", link="https://a")) != entry_key(Entry(link="https://a"))


def test_addresses_refused_unless_allowed():
    strict = FetchLimits()
    for ip in ("127.0.0.1", "::1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "169.254.169.254", "fe80::1",
               "::ffff:127.0.0.1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "fd00:ec2::254"):
        assert not address_allowed(ip, strict), ip
    assert address_allowed("93.184.216.34", strict)
    assert address_allowed("127.0.0.1", FetchLimits(allow_loopback=True))
    assert not address_allowed("169.254.169.254", FetchLimits(allow_loopback=True, allow_private=True))


# ---------------------------------------------------------------- parse path

def test_article_fields_from_an_entry():
    feed = Feed(url="https://ar.example/rss", name="ar-example", language="ar", tags=["mideast"])
    published = datetime(2018, 5, 7, 10, 27, 40, tzinfo=timezone.utc)
    e = Entry(guid="g1", link="https://ar.example/x?utm_medium=rss", title="<b>عنوان</b>",
              summary="<p>نص &amp; خبر</p>", published=published)
    parsed = parse_feed(b"")
    a = build_article(feed, e, parsed, fetched_at=0.0)
    assert a.title == "عنوان" and a.summary == "نص & خبر" and a.lang == "ar" and a.feed == "ar-example"
    assert a.published == "2018-05-07T10:27:40Z" and a.ref == "g1" and a.url.startswith("https://ar.example/x")
    no_date = build_article(feed, Entry(title="t"), parsed, fetched_at=1_600_000_000.0)
    assert no_date.published == "2020-09-13T12:26:40Z"  # the fetch time when the feed gives none


def test_published_times_normalised_to_utc():
    doc = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title>'
           b"<link>https://x.example/a</link><pubDate>Mon, 07 May 2018 14:27:40 +0400</pubDate></item>"
           b"</channel></rss>")
    for backend in ("fast", "feedparser"):
        p = parse_feed(doc, backend=backend)
        assert p.entries[0].published == datetime(2018, 5, 7, 10, 27, 40, tzinfo=timezone.utc), backend


def test_windows_1256_declared_and_undeclared():
    raw = need(SHARED / "arabic-2018" / "alarabia" / "snapshot-00.xml").read_bytes()
    declared = parse_feed(raw)
    assert declared.encoding == "cp1256" and len(declared.entries) == 25
    assert re.search("[\u0600-\u06ff]{3}", declared.entries[0].title)
    bare = re.sub(rb"^<\?xml[^>]*\?>", b"", raw)  # no declaration, no header: guessed
    undeclared = parse_feed(bare)
    assert [e.title for e in undeclared.entries] == [e.title for e in declared.entries]
    by_header = parse_feed(bare, content_type="text/xml; charset=windows-1256")
    assert by_header.entries[0].title == declared.entries[0].title
    # a wrong charset header that cannot decode the bytes falls back to the declaration
    assert parse_feed(raw, content_type="text/xml; charset=utf-8").entries[0].title == declared.entries[0].title


def test_entity_expansion_and_external_entities_are_cut_off():
    lol = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
           + b"".join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">'
                      % ((ord("a") + i + 1,) + (ord("a") + i,) * 10) for i in range(9))
           + b']><rss version="2.0"><channel><title>&j;</title><item><title>&j;</title>'
             b"<link>https://x.example/1</link></item></channel></rss>")
    xxe = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
           b"<link>https://x.example/1</link></item></channel></rss>")
    for doc in (lol, xxe):
        assert b"<!ENTITY" not in defuse(doc)
        for backend in ("fast", "feedparser", "rs"):
            p = parse_feed(doc, backend=backend)
            for e in p.entries:
                assert len(e.title) < 100 and "root:" not in e.title, backend


def test_to_utf8_rewrites_the_declaration():
    out, enc = to_utf8('<?xml version="1.0" encoding="ISO-8859-1"?><rss/>'.encode("latin-1"))
    assert enc == "iso8859-1" and out.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    out, enc = to_utf8('\ufeff<?xml version="1.0" encoding="utf-16"?><rss><t>é</t></rss>'.encode("utf-16"))
    assert enc == "utf-16" and "é".encode() in out


def _all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("LICENSE"))


def test_every_real_world_feed_parses():
    files = _all_files(need(SHARED / "real-world-2026"))
    assert len(files) >= 200
    empty = []
    for p in files:
        parsed = parse_feed(p.read_bytes(), base_url="https://example.org/feed")
        if not parsed.entries:
            empty.append(p.name)
    assert len(empty) <= 5, empty  # real feeds: nearly all have entries


@pytest.mark.parametrize("part", ["wellformed", "illformed", "encoding"])
def test_every_feedparser_test_file_goes_through_the_parse_path(part):
    files = _all_files(need(SHARED / "feedparser-tests" / part))
    assert files
    for p in files:
        parsed = parse_feed(p.read_bytes())  # must not raise
        assert parsed.error in ("", "unparsable", "decode")
        for e in parsed.entries:
            key = entry_key(e)
            assert len(key) == 16
