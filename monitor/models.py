"""The messages that travel between topics, as plain dataclasses.

Every message carries ``schema`` so that a consumer can refuse what it does not
understand instead of misreading it. orjson serialises dataclasses natively.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

SCHEMA_VERSION = 1

# Query parameters that change between shares of one article but not its content.
_TRACKING_PARAMS = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ocid|at_medium|at_campaign|cmpid|ref|rss)$", re.I)


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, default port or trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING_PARAMS.match(k)))
    path = parts.path.rstrip("/") or "/"
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme.lower()
    return urlunsplit((scheme, host, path, query, ""))


def article_id(*, url: str = "", title: str = "", body: str = "") -> str:
    """A stable id from the article's content, so a replayed or re-polled article is the same.

    The canonical URL identifies a web article; without one, its title and body do.
    """
    if url:
        basis = "url:" + canonical_url(url)
    else:
        basis = "text:" + " ".join(title.split()) + "\n" + " ".join(body.split())
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=10).hexdigest()


@dataclass
class Article:
    """One news item on ``news.articles.raw``."""

    id: str
    title: str
    summary: str = ""
    text: str = ""
    url: str = ""
    published: str | None = None  # ISO 8601, UTC
    source: str = ""
    lang: str | None = None
    tags: list[str] = field(default_factory=list)
    feed: str | None = None
    ref: str | None = None  # the id the item had where it came from (a dev-set id, a feed guid)
    ingested_at: float = field(default_factory=time.time)  # epoch seconds, when it entered Kafka
    schema: int = SCHEMA_VERSION

    @property
    def body(self) -> str:
        return self.text or self.summary

    def to_json(self) -> bytes:
        return orjson.dumps(self)


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


def to_dict(obj: Any) -> dict[str, Any]:
    return asdict(obj)
