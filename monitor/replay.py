"""Read seed documents and JSON-lines files into Articles, in the order they are to be played.

Two formats:

* a seed document (any file that is not JSON lines): the first non-empty line is the
  title, lines beginning with ``- `` are tags (often listed twice), every other
  non-empty line is a body paragraph;
* JSON lines (``.jsonl``, optionally ``.gz``): one item a line,
  ``{id?, title, summary?, text?, url?, published?, source?, lang?}``.

Nothing here touches Kafka: the replay command hands the Articles to a producer.
"""
from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from monitor.dates import iso_utc, parse_date
from monitor.errors import BadMessage
from monitor.models import Article, article_id


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and the files inside folders named, each folder in name order."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
        else:
            yield p


def read_articles(paths: Iterable[str | Path]) -> Iterator[Article]:
    for path in iter_paths(paths):
        if _is_jsonl(path):
            yield from read_jsonl(path)
        else:
            yield read_seed(path)


def _is_jsonl(path: Path) -> bool:
    return path.name.endswith((".jsonl", ".jsonl.gz", ".ndjson"))


def read_seed(path: Path) -> Article:
    return parse_seed(path.read_text(encoding="utf-8"), source=f"seed:{path.name}")


def parse_seed(document: str, source: str = "seed") -> Article:
    title = ""
    tags: list[str] = []
    paragraphs: list[str] = []
    for line in document.splitlines():
        line = line.strip()
        if not line:
            continue
        if not title:
            title = line
        elif line.startswith("- "):
            tag = line[2:].strip()
            if tag and tag not in tags:  # seed documents list their tags twice
                tags.append(tag)
        elif line != title or paragraphs:  # the title is often repeated under itself
            paragraphs.append(line)
    text = "\n".join(paragraphs)
    return Article(id=article_id(title=title, body=text), title=title, text=text,
                   source=source, tags=tags)


def read_jsonl(path: Path) -> Iterator[Article]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield article_from_item(orjson.loads(line))


def article_from_item(item: dict) -> Article:
    """An Article from a JSON item; raises BadMessage when it cannot be one."""
    if not isinstance(item, dict):
        raise BadMessage("not_an_object")
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        raise BadMessage("missing_title")
    summary = _text(item.get("summary"))
    text = _text(item.get("text"))
    url = _text(item.get("url") or item.get("link"))
    ref = item.get("id")
    return Article(
        id=article_id(url=url, title=title, body=text or summary),
        title=title.strip(),
        summary=summary,
        text=text,
        url=url,
        published=to_utc_iso(item.get("published")),
        source=_text(item.get("source")),
        lang=item.get("lang") or None,
        tags=[t for t in item.get("tags") or [] if isinstance(t, str)],
        feed=item.get("feed") or None,
        ref=str(ref) if ref is not None else None,
    )


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def to_utc_iso(value) -> str | None:
    """RFC 822 (feeds) or ISO 8601 dates as ISO 8601 UTC; None when absent or unreadable."""
    dt = parse_date(value)
    return iso_utc(dt) if dt else None
