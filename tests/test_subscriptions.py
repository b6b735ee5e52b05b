"""Subscriber files and the pure filter ``wants``; webhook signatures."""
from __future__ import annotations

import hashlib
import hmac

import pytest

from monitor.delivery import sign, verify
from monitor.errors import ConfigError
from monitor.subscriptions import (
    KafkaChannel,
    SseChannel,
    Subscriber,
    WebhookChannel,
    load_subscribers,
    subscriber_from_query,
    wants,
)

SAQR = {"name": "Hawijat Saqr", "country": "SY", "lat": 35.34, "lon": 40.16, "level": "locality"}
ADEN = {"name": "Aden", "country": "YE", "lat": 12.78, "lon": 45.04, "level": "locality"}


def frontline(status="first_report", place=SAQR, actor="isis", type_="capture", corroboration=1):
    return {"alert_id": "x", "kind": "frontline", "status": status, "corroboration": corroboration,
            "event": {"type": type_, "actor": actor, "place": place, "modality": "reported"}}


def watchlist(rule="isis-raqqa", places=(SAQR,), actors=("isis",)):
    return {"alert_id": "w", "kind": "watchlist", "status": "match", "event": None, "corroboration": 1,
            "watchlist": {"rule_id": rule, "terms": ["داعش"]}, "places": list(places),
            "actors": list(actors), "event_types": []}


def sub(**filters) -> Subscriber:
    return Subscriber(id="s", channel=SseChannel(), **filters)


def test_no_filters_wants_everything():
    assert wants(sub(), frontline()) and wants(sub(), watchlist())


def test_kinds_and_statuses():
    s = sub(kinds=frozenset({"frontline"}), statuses=frozenset({"corroborated"}))
    assert wants(s, frontline("corroborated"))
    assert not wants(s, frontline("first_report"))
    assert not wants(s, watchlist())


def test_watchlists_filter_only_watchlist_alerts():
    s = sub(watchlists=frozenset({"isis-raqqa"}))
    assert wants(s, watchlist("isis-raqqa"))
    assert not wants(s, watchlist("other"))
    assert wants(s, frontline())


def test_places_by_name_or_country_folded():
    assert wants(sub(places=frozenset({"hawijat saqr"})), frontline())
    assert wants(sub(places=frozenset({"sy"})), frontline())
    assert not wants(sub(places=frozenset({"sy"})), frontline(place=ADEN))
    assert not wants(sub(places=frozenset({"sy"})), frontline(place=None))
    assert wants(sub(places=frozenset({"sy"})), watchlist())
    assert not wants(sub(places=frozenset({"sy"})), watchlist(places=()))


def test_bbox():
    syria = (35.5, 32.0, 42.5, 37.5)
    assert wants(sub(bbox=syria), frontline())
    assert not wants(sub(bbox=syria), frontline(place=ADEN))
    assert not wants(sub(bbox=syria), frontline(place={"name": "x"}))   # no coordinates
    across = (170.0, -20.0, -170.0, 20.0)                                 # over the antimeridian
    assert wants(sub(bbox=across), frontline(place={"lat": 0, "lon": 179}))
    assert not wants(sub(bbox=across), frontline(place={"lat": 0, "lon": 0}))


def test_actors_event_types_min_corroboration():
    assert wants(sub(actors=frozenset({"isis"})), frontline())
    assert not wants(sub(actors=frozenset({"houthis"})), frontline())
    assert wants(sub(event_types=frozenset({"capture"})), frontline())
    assert not wants(sub(event_types=frozenset({"strike"})), frontline())
    s = sub(min_corroboration=2)
    assert not wants(s, frontline())
    assert wants(s, frontline("corroborated", corroboration=2))
    assert not wants(s, watchlist())


def write(tmp_path, text):
    path = tmp_path / "subscribers.toml"
    path.write_text(text, encoding="utf-8")
    return path


FULL = """
[[subscriber]]
id = "newsroom"
kinds = ["frontline", "control_change"]
statuses = ["corroborated"]
places = ["الرقة", "SY"]
bbox = [35.5, 32.0, 42.5, 37.5]
actors = ["isis"]
event_types = ["capture"]
min_corroboration = 2
[subscriber.webhook]
url = "https://example.org/hook"
secret_env = "NEWSROOM_SECRET"
max_attempts = 4
backoff_seconds = 0.5

[[subscriber]]
id = "archive"
[subscriber.kafka]
topic = "archive.alerts"

[[subscriber]]
id = "ngo"
watchlists = ["isis-raqqa"]
[subscriber.webhook]
url = "http://127.0.0.1:9/hook"
secret_file = "ngo.secret"

[[subscriber]]
id = "dashboard"
[subscriber.sse]
"""


def test_load_subscribers(tmp_path):
    (tmp_path / "ngo.secret").write_text("file-secret\n")
    subs = load_subscribers(write(tmp_path, FULL), environ={"NEWSROOM_SECRET": "s3cret"})
    newsroom, archive, ngo, dashboard = subs
    assert isinstance(newsroom.channel, WebhookChannel)
    assert newsroom.channel.secret.reveal() == b"s3cret"
    assert newsroom.channel.delays() == [0.5, 1.0, 2.0]
    assert newsroom.places == frozenset({"الرقه", "sy"})
    assert newsroom.bbox == (35.5, 32.0, 42.5, 37.5) and newsroom.min_corroboration == 2
    assert archive.channel == KafkaChannel("archive.alerts")
    assert ngo.channel.secret.reveal() == b"file-secret"
    assert isinstance(dashboard.channel, SseChannel)
    assert wants(newsroom, frontline("corroborated", corroboration=2))


def test_secrets_never_show_in_reprs(tmp_path):
    (tmp_path / "ngo.secret").write_text("file-secret\n")
    subs = load_subscribers(write(tmp_path, FULL), environ={"NEWSROOM_SECRET": "s3cret"})
    text = repr(subs) + str(subs) + repr(subs[0].channel.secret) + str(subs[2].channel.secret)
    assert "s3cret" not in text and "file-secret" not in text


@pytest.mark.parametrize("toml, environ, message", [
    ('[[subscriber]]\nid = "a"\n[subscriber.webhook]\nurl = "https://x"\n', {},
     "subscriber 'a' (#1): webhook without a secret"),
    ('[[subscriber]]\nid = "a"\n[subscriber.webhook]\nurl = "https://x"\nsecret_env = "NOPE"\n', {},
     "environment variable NOPE is not set"),
    ('[[subscriber]]\nid = "a"\n[subscriber.webhook]\nurl = "https://x"\nsecret_file = "missing"\n', {},
     "secret file"),
    ('[[subscriber]]\nid = "a"\n[subscriber.webhook]\nurl = "ftp://x"\nsecret_env = "S"\n', {"S": "s"},
     "'url' must be an http"),
    ('[[subscriber]]\nid = "a"\n', {}, "needs exactly one channel"),
    ('[[subscriber]]\nid = "a"\n[subscriber.sse]\n[subscriber.kafka]\ntopic = "t"\n', {},
     "needs exactly one channel"),
    ('[[subscriber]]\nid = "a"\nkinds = ["frontlines"]\n[subscriber.sse]\n', {}, "unknown alert kind"),
    ('[[subscriber]]\nid = "a"\nbbox = [1, 2, 3]\n[subscriber.sse]\n', {}, "'bbox' must be"),
    ('[[subscriber]]\nid = "a"\nbbox = [0, 50, 10, 40]\n[subscriber.sse]\n', {}, "is not a box"),
    ('[[subscriber]]\nid = "a"\nmin_corroboration = 0\n[subscriber.sse]\n', {}, "'min_corroboration'"),
    ('[[subscriber]]\nid = "a"\nplace = ["x"]\n[subscriber.sse]\n', {}, "unknown key(s) ['place']"),
    ('[[subscriber]]\nid = "a"\n[subscriber.webhook]\nurl = "https://x"\nsecret_env = "S"\nmax_attempts = 0\n',
     {"S": "s"}, "'max_attempts' must be"),
    ('[[subscriber]]\nid = "a"\n[subscriber.sse]\n[[subscriber]]\nid = "a"\n[subscriber.sse]\n', {},
     "subscriber 'a' (#2): duplicate id"),
    ('[[subscriber]]\n[subscriber.sse]\n', {}, "subscriber #1: missing or empty 'id'"),
])
def test_bad_subscriber_files_name_the_subscriber_and_the_problem(tmp_path, toml, environ, message):
    with pytest.raises(ConfigError) as err:
        load_subscribers(write(tmp_path, toml), environ=environ)
    assert message in str(err.value)


def test_subscriber_from_query():
    s = subscriber_from_query({"kinds": "frontline,watchlist", "actors": "isis", "bbox": "35.5,32,42.5,37.5",
                               "min_corroboration": "2"})
    assert s.kinds == frozenset({"frontline", "watchlist"}) and s.min_corroboration == 2
    assert wants(s, frontline(corroboration=2)) and not wants(s, frontline())
    with pytest.raises(ConfigError, match="unknown filter"):
        subscriber_from_query({"colour": "red"})


def test_signature_is_hmac_sha256_of_the_body():
    body = b'{"alert_id":"x"}'
    expected = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert sign(b"k", body) == expected
    assert verify(b"k", body, expected)
    assert not verify(b"other", body, expected)
    assert not verify(b"k", body + b" ", expected)
    assert not verify(b"k", body, None)
