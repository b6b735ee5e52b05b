"""Subscribers: who wants which alerts, and through which channel.

A subscriber file is TOML, one ``[[subscriber]]`` table each::

    [[subscriber]]
    id = "newsroom"
    kinds = ["frontline", "control_change"]     # alert kinds (default: all)
    statuses = ["corroborated"]                 # alert statuses (default: all)
    watchlists = ["isis-raqqa"]                 # rule ids, for watchlist alerts
    places = ["Raqqa", "SY"]                    # place names or country codes
    bbox = [35.5, 32.0, 42.5, 37.5]             # west, south, east, north (degrees)
    actors = ["isis", "syria_gov"]
    event_types = ["capture", "attack"]
    min_corroboration = 2                       # distinct sources behind the alert

    [subscriber.webhook]                        # exactly one channel: webhook, kafka or sse
    url = "https://example.org/hooks/newsmon"
    secret_env = "NEWSROOM_WEBHOOK_SECRET"      # or secret_file = "/run/secrets/newsroom"
    max_attempts = 5                            # then the alert is dead-lettered
    backoff_seconds = 1.0                       # first retry delay, doubled each time
    backoff_max_seconds = 60.0
    timeout_seconds = 10.0

    # [subscriber.kafka]
    # topic = "newsroom.alerts"
    # [subscriber.sse]                          # alerts on GET /alerts/stream?subscriber=<id>

``wants(subscriber, alert)`` is the filter: every filter that is set must hold.
``watchlists`` constrains watchlist alerts only; ``places``, ``bbox``, ``actors`` and
``event_types`` look at the alert's event (frontline, control_change) or, for watchlist
alerts, at the places, actors and event types detected in the article.
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError
from monitor.normalize import match_form

SUBSCRIBER_KEYS = frozenset({"id", "kinds", "statuses", "watchlists", "places", "bbox", "actors",
                             "event_types", "min_corroboration", "webhook", "kafka", "sse"})
WEBHOOK_KEYS = frozenset({"url", "secret_env", "secret_file", "max_attempts", "backoff_seconds",
                          "backoff_max_seconds", "timeout_seconds"})
ALERT_KINDS = frozenset({"frontline", "watchlist", "control_change"})


class Secret:
    """A webhook secret that never shows in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes):
        self._value = value

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


@dataclass(frozen=True)
class WebhookChannel:
    url: str
    secret: Secret = field(repr=False)
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    timeout_seconds: float = 10.0

    def delays(self) -> list[float]:
        """Seconds to wait before each retry: exponential, capped (max_attempts - 1 of them)."""
        return [min(self.backoff_seconds * 2 ** i, self.backoff_max_seconds)
                for i in range(self.max_attempts - 1)]


@dataclass(frozen=True)
class KafkaChannel:
    topic: str


@dataclass(frozen=True)
class SseChannel:
    pass


Channel = WebhookChannel | KafkaChannel | SseChannel


@dataclass(frozen=True)
class Subscriber:
    id: str
    channel: Channel | None = None
    kinds: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    watchlists: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()       # folded (match form) names and country codes
    bbox: tuple[float, float, float, float] | None = None
    actors: frozenset[str] = frozenset()
    event_types: frozenset[str] = frozenset()
    min_corroboration: int = 1


# --- the filter ----------------------------------------------------------------------

def wants(subscriber: Subscriber, alert: Mapping[str, Any]) -> bool:
    """True if the alert passes every filter the subscriber set."""
    s = subscriber
    kind = alert.get("kind")
    if s.kinds and kind not in s.kinds:
        return False
    if s.statuses and alert.get("status") not in s.statuses:
        return False
    if (s.watchlists and kind == "watchlist"
            and (alert.get("watchlist") or {}).get("rule_id") not in s.watchlists):
        return False
    if int(alert.get("corroboration") or 1) < s.min_corroboration:
        return False
    if not (s.places or s.bbox or s.actors or s.event_types):
        return True
    places, actors, types = alert_subjects(alert)
    if s.actors and not (actors & s.actors):
        return False
    if s.event_types and not (types & s.event_types):
        return False
    if s.places and not any(_place_names(p) & s.places for p in places):
        return False
    return not s.bbox or any(in_bbox(p, s.bbox) for p in places)


def alert_subjects(alert: Mapping[str, Any]) -> tuple[list[dict], set[str], set[str]]:
    """The places, actors and event types an alert is about."""
    event = alert.get("event") or {}
    places = [event["place"]] if isinstance(event.get("place"), dict) else []
    places += [p for p in alert.get("places") or [] if isinstance(p, dict)]
    actors = {event["actor"]} if event.get("actor") else set()
    actors |= {a for a in alert.get("actors") or [] if isinstance(a, str)}
    types = {event["type"]} if event.get("type") else set()
    types |= {t for t in alert.get("event_types") or [] if isinstance(t, str)}
    return places, actors, types


def _place_names(place: Mapping[str, Any]) -> set[str]:
    return {_fold(str(place[k])) for k in ("name", "country", "name_ar") if place.get(k)}


def in_bbox(place: Mapping[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    lat, lon = place.get("lat"), place.get("lon")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return False
    west, south, east, north = bbox
    if not south <= lat <= north:
        return False
    if west <= east:
        return west <= lon <= east
    return lon >= west or lon <= east  # a box across the antimeridian


def _fold(value: str) -> str:
    return match_form(value).strip()


# --- loading -------------------------------------------------------------------------

def load_subscribers(path: str | Path, *, environ: Mapping[str, str]) -> list[Subscriber]:
    """Subscribers of a TOML file. Webhook secrets come from ``environ`` (passed in by
    the entry point) or from a file; ConfigError names the subscriber and the problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: subscriber file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read subscriber file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_subscribers(data, environ=environ, source=str(path), base=path.parent)


def parse_subscribers(data: Mapping[str, Any], *, environ: Mapping[str, str],
                      source: str = "<subscribers>", base: Path = Path(".")) -> list[Subscriber]:
    unknown = set(data) - {"subscriber"}
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key(s) {sorted(unknown)}; "
                          "subscribers go in [[subscriber]] tables")
    raw = data.get("subscriber", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: 'subscriber' must be an array of tables ([[subscriber]])")
    out: list[Subscriber] = []
    seen: set[str] = set()
    for n, item in enumerate(raw, 1):
        sub = _parse_subscriber(item, n, source, environ, base)
        if sub.id in seen:
            raise ConfigError(f"{source}: subscriber {sub.id!r} (#{n}): duplicate id")
        seen.add(sub.id)
        out.append(sub)
    return out


def _parse_subscriber(raw: Any, n: int, source: str, environ: Mapping[str, str],
                      base: Path) -> Subscriber:
    where = f"{source}: subscriber #{n}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    sid = raw.get("id")
    if not isinstance(sid, str) or not sid.strip():
        raise ConfigError(f"{where}: missing or empty 'id'")
    where = f"{source}: subscriber {sid!r} (#{n})"

    def fail(problem: str):
        raise ConfigError(f"{where}: {problem}")

    unknown = set(raw) - SUBSCRIBER_KEYS
    if unknown:
        fail(f"unknown key(s) {sorted(unknown)} (allowed: {sorted(SUBSCRIBER_KEYS)})")

    def strings(name: str) -> frozenset[str]:
        value = raw.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            fail(f"'{name}' must be a list of strings")
        return frozenset(value)

    kinds = strings("kinds")
    if kinds - ALERT_KINDS:
        fail(f"unknown alert kind(s) {sorted(kinds - ALERT_KINDS)} (known: {sorted(ALERT_KINDS)})")
    bbox = raw.get("bbox")
    if bbox is not None:
        if (not isinstance(bbox, list) or len(bbox) != 4
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                           for v in bbox)):
            fail("'bbox' must be [west, south, east, north] in degrees")
        west, south, east, north = (float(v) for v in bbox)
        if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
            fail(f"'bbox' {bbox} is not a box: want [west, south, east, north], south <= north")
        bbox = (west, south, east, north)
    min_corr = raw.get("min_corroboration", 1)
    if isinstance(min_corr, bool) or not isinstance(min_corr, int) or min_corr < 1:
        fail("'min_corroboration' must be a whole number >= 1")

    channels = [name for name in ("webhook", "kafka", "sse") if name in raw]
    if len(channels) != 1:
        fail(f"needs exactly one channel ([subscriber.webhook], .kafka or .sse), has {channels or 'none'}")
    channel = _parse_channel(channels[0], raw[channels[0]], fail, environ, base)
    return Subscriber(
        id=sid, channel=channel, kinds=kinds, statuses=strings("statuses"),
        watchlists=strings("watchlists"), places=frozenset(_fold(p) for p in strings("places")),
        bbox=bbox, actors=strings("actors"), event_types=strings("event_types"),
        min_corroboration=min_corr)


def _parse_channel(name: str, raw: Any, fail, environ: Mapping[str, str], base: Path) -> Channel:
    if not isinstance(raw, dict):
        fail(f"'{name}' must be a table")
    if name == "sse":
        if raw:
            fail(f"[subscriber.sse] takes no options, got {sorted(raw)}")
        return SseChannel()
    if name == "kafka":
        if set(raw) != {"topic"} or not isinstance(raw["topic"], str) or not raw["topic"]:
            fail("[subscriber.kafka] needs exactly 'topic' (a topic name)")
        return KafkaChannel(raw["topic"])
    unknown = set(raw) - WEBHOOK_KEYS
    if unknown:
        fail(f"unknown webhook key(s) {sorted(unknown)} (allowed: {sorted(WEBHOOK_KEYS)})")
    url = raw.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        fail("webhook 'url' must be an http:// or https:// URL")
    secret = _secret(raw, fail, environ, base)
    numbers = {}
    for key, default, minimum in (("max_attempts", 5, 1), ("backoff_seconds", 1.0, 0.0),
                                  ("backoff_max_seconds", 60.0, 0.0), ("timeout_seconds", 10.0, 0.001)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            fail(f"webhook '{key}' must be a number >= {minimum}")
        if key == "max_attempts" and not isinstance(value, int):
            fail("webhook 'max_attempts' must be a whole number")
        numbers[key] = value
    return WebhookChannel(url=url, secret=secret, **numbers)


def _secret(raw: Mapping[str, Any], fail, environ: Mapping[str, str], base: Path) -> Secret:
    env_name, file_name = raw.get("secret_env"), raw.get("secret_file")
    if env_name and file_name:
        fail("webhook has both 'secret_env' and 'secret_file': give one")
    if env_name:
        if not isinstance(env_name, str):
            fail("webhook 'secret_env' must be the name of an environment variable")
        value = environ.get(env_name, "")
        if not value:
            fail(f"webhook secret: environment variable {env_name} is not set or empty")
        return Secret(value.encode("utf-8"))
    if file_name:
        if not isinstance(file_name, str):
            fail("webhook 'secret_file' must be a path")
        path = Path(file_name) if Path(file_name).is_absolute() else base / file_name
        try:
            value = path.read_bytes().strip()
        except OSError as exc:
            fail(f"webhook secret file {path} cannot be read ({exc.strerror})")
        if not value:
            fail(f"webhook secret file {path} is empty")
        return Secret(value)
    fail("webhook without a secret: set 'secret_env' or 'secret_file' (alerts are signed)")
    raise AssertionError  # unreachable


def subscriber_from_query(params: Mapping[str, str] | Iterable[tuple[str, str]],
                          sid: str = "sse") -> Subscriber:
    """An ad-hoc SSE subscriber from query parameters, e.g.
    ``?kinds=frontline,watchlist&actors=isis&bbox=35,32,42,37&min_corroboration=2``."""
    items = params.items() if isinstance(params, Mapping) else params
    data: dict[str, Any] = {"id": sid, "sse": {}}
    for key, value in items:
        if key in ("kinds", "statuses", "watchlists", "places", "actors", "event_types"):
            data.setdefault(key, []).extend(v for v in value.split(",") if v)
        elif key == "bbox":
            try:
                data["bbox"] = [float(v) for v in value.split(",")]
            except ValueError:
                raise ConfigError(f"bbox {value!r}: want west,south,east,north") from None
        elif key == "min_corroboration":
            try:
                data["min_corroboration"] = int(value)
            except ValueError:
                raise ConfigError(f"min_corroboration {value!r}: want a whole number") from None
        else:
            raise ConfigError(f"unknown filter {key!r}")
    return _parse_subscriber(data, 1, "query", {}, Path("."))
