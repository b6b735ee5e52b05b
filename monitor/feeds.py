"""The feed list: a TOML file of ``[[feed]]`` tables, with OPML import and export.

    [[feed]]
    url = "https://www.aljazeera.com/xml/rss/all.xml"
    name = "aljazeera-en"
    language = "en"
    tags = ["mideast", "world"]
    interval = 300          # seconds between polls
    enabled = true

Plain functions over a plain :class:`Feed`; the CLI (``news-monitor feeds``) wraps them.
"""
from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from monitor.errors import ConfigError

DEFAULT_INTERVAL = 300
MIN_INTERVAL = 30
_NAME_OK = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Feed:
    url: str
    name: str = ""
    language: str = ""
    tags: list[str] = field(default_factory=list)
    interval: int = DEFAULT_INTERVAL
    enabled: bool = True

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"feed url must be http(s) with a host: {self.url!r}")
        if not self.name:
            self.name = default_name(self.url)
        if not isinstance(self.interval, int) or self.interval < 1:
            raise ConfigError(f"feed {self.name}: interval must be a positive number of seconds")


def default_name(url: str) -> str:
    """A short, label-safe name from a URL: host and path, punctuation folded to '-'."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.strip("/").replace("/", "-")
    return _NAME_OK.sub("-", f"{host}-{path}" if path else host).strip("-")[:64] or "feed"


def load_feeds(path: str | Path) -> list[Feed]:
    """The feeds of a TOML file (missing file: no feeds). Raises ConfigError if malformed."""
    p = Path(path)
    if not p.exists():
        return []
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: {exc}") from exc
    feeds = []
    for i, item in enumerate(doc.get("feed", [])):
        if not isinstance(item, dict) or "url" not in item:
            raise ConfigError(f"{p}: feed #{i + 1} has no url")
        unknown = set(item) - {"url", "name", "language", "tags", "interval", "enabled"}
        if unknown:
            raise ConfigError(f"{p}: feed #{i + 1} has unknown keys {sorted(unknown)}")
        feeds.append(Feed(**item))
    check_unique(feeds)
    return feeds


def check_unique(feeds: Iterable[Feed]) -> None:
    names: set[str] = set()
    urls: set[str] = set()
    for f in feeds:
        if f.name in names:
            raise ConfigError(f"duplicate feed name {f.name!r}")
        if f.url in urls:
            raise ConfigError(f"duplicate feed url {f.url!r}")
        names.add(f.name)
        urls.add(f.url)


def _toml_str(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def dumps_feeds(feeds: Iterable[Feed]) -> str:
    chunks = ["# news-monitor feed list: one [[feed]] table per feed\n"]
    for f in feeds:
        tags = ", ".join(_toml_str(t) for t in f.tags)
        chunks.append(
            f"\n[[feed]]\nurl = {_toml_str(f.url)}\nname = {_toml_str(f.name)}\n"
            f"language = {_toml_str(f.language)}\ntags = [{tags}]\n"
            f"interval = {int(f.interval)}\nenabled = {'true' if f.enabled else 'false'}\n")
    return "".join(chunks)


def save_feeds(path: str | Path, feeds: list[Feed]) -> None:
    """Write the feed list atomically (a temporary file renamed over the old one)."""
    check_unique(feeds)
    p = Path(path)
    tmp = p.with_suffix(p.suffix + ".tmp")
    tmp.write_text(dumps_feeds(feeds), encoding="utf-8")
    tmp.replace(p)


def add_feed(feeds: list[Feed], feed: Feed) -> list[Feed]:
    out = feeds + [feed]
    check_unique(out)
    return out


def remove_feed(feeds: list[Feed], name_or_url: str) -> list[Feed]:
    out = [f for f in feeds if name_or_url not in (f.name, f.url)]
    if len(out) == len(feeds):
        raise ConfigError(f"no feed named {name_or_url!r}")
    return out


# ---------------------------------------------------------------- OPML

def to_opml(feeds: Iterable[Feed], title: str = "news-monitor feeds") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for f in feeds:
        attrs = {"type": "rss", "text": f.name, "title": f.name, "xmlUrl": f.url}
        if f.language:
            attrs["language"] = f.language
        if f.tags:
            attrs["category"] = ",".join(f.tags)
        attrs["interval"] = str(f.interval)
        if not f.enabled:
            attrs["enabled"] = "false"
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def from_opml(data: bytes | str) -> list[Feed]:
    """Feeds from an OPML document; nested outlines (folders) become tags.

    A DOCTYPE is refused: OPML needs none, and refusing it rules out entity expansion.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if b"<!DOCTYPE" in raw[:4096].upper() or b"<!ENTITY" in raw.upper():
        raise ConfigError("OPML with a DOCTYPE or entity declarations is refused")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise ConfigError(f"not OPML: {exc}") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ConfigError("not OPML: no <opml><body>")
    feeds: list[Feed] = []
    seen: set[str] = set()

    def walk(node: ET.Element, folders: list[str]) -> None:
        for o in node.findall("outline"):
            url = o.get("xmlUrl") or o.get("xmlurl")
            if url:
                if url in seen:
                    continue
                seen.add(url)
                tags = list(folders) + [t.strip() for t in (o.get("category") or "").replace("/", ",").split(",")
                                        if t.strip()]
                interval = o.get("interval", "")
                try:
                    feeds.append(Feed(url=url.strip(), name=_NAME_OK.sub("-", o.get("title") or o.get("text") or "")
                                      .strip("-")[:64],
                                      language=o.get("language", ""), tags=list(dict.fromkeys(tags)),
                                      interval=int(interval) if interval.isdigit() else DEFAULT_INTERVAL,
                                      enabled=o.get("enabled", "true").lower() != "false"))
                except ConfigError:
                    continue  # a non-http(s) outline: skip it
            else:
                label = o.get("title") or o.get("text") or ""
                walk(o, folders + ([label] if label else []))

    walk(body, [])
    return dedupe_names(feeds)


def dedupe_names(feeds: list[Feed]) -> list[Feed]:
    """Make names unique by suffixing -2, -3, ... to repeats."""
    counts: dict[str, int] = {}
    for f in feeds:
        n = counts.get(f.name, 0) + 1
        counts[f.name] = n
        if n > 1:
            f.name = f"{f.name}-{n}"
    return feeds


def merge(existing: list[Feed], new: Iterable[Feed]) -> tuple[list[Feed], int]:
    """Existing feeds plus the new ones whose URL is not there yet; and how many were added."""
    urls = {f.url for f in existing}
    names = {f.name for f in existing}
    out = list(existing)
    added = 0
    for f in new:
        if f.url in urls:
            continue
        base, i = f.name, 2
        while f.name in names:
            f.name = f"{base}-{i}"
            i += 1
        out.append(f)
        urls.add(f.url)
        names.add(f.name)
        added += 1
    return out, added
