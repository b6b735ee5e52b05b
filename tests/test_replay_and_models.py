"""Reading seeds and JSON lines, stable article ids, and decoding raw messages."""
from __future__ import annotations

import gzip

import orjson
import pytest

from monitor.errors import BadMessage
from monitor.models import Article, article_id, canonical_url
from monitor.replay import parse_seed, read_articles, to_utc_iso
from tests.helpers import REPO

SEED = """عنوان التقرير

عنوان التقرير
- سوريا
- الرقة
- سوريا
- الرقة
الفقرة الأولى.
الفقرة الثانية.
"""


def test_seed_format_title_tags_once_and_paragraphs():
    article = parse_seed(SEED)
    assert article.title == "عنوان التقرير"
    assert article.tags == ["سوريا", "الرقة"]
    assert article.text == "الفقرة الأولى.\nالفقرة الثانية."


def test_the_project_seed_is_read_first_and_whole():
    articles = list(read_articles([REPO / "seeds"]))
    assert len(articles) == 1
    assert "داعش" in articles[0].title and "حويجة صكر" in articles[0].text
    assert len(articles[0].text.splitlines()) == 12


def test_jsonl_items_become_articles(tmp_path):
    path = tmp_path / "items.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(orjson.dumps({"id": "x-1", "title": " t ", "summary": "s",
                               "url": "https://e.com/a?utm_source=rss",
                               "published": "Fri, 23 Mar 2018 20:08:50 GMT"}) + b"\n\n")
        fh.write(orjson.dumps({"title": "second", "text": "body", "lang": "en"}) + b"\n")
    first, second = read_articles([path])
    assert (first.title, first.summary, first.ref) == ("t", "s", "x-1")
    assert first.published == "2018-03-23T20:08:50Z"
    assert first.id == article_id(url="https://e.com/a")
    assert second.lang == "en" and second.id == article_id(title="second", body="body")


def test_article_ids_survive_tracking_parameters_and_trailing_slashes():
    a = article_id(url="http://News.example.com/story/1/?utm_source=x&b=2&a=1#top")
    b = article_id(url="https://news.example.com/story/1?a=1&b=2")
    assert a == b
    assert a != article_id(url="https://news.example.com/story/2")
    assert canonical_url("https://x.com/") == "https://x.com/"


def test_article_ids_from_text_ignore_whitespace_only():
    assert article_id(title="a  b", body="c\nd") == article_id(title="a b", body="c d")
    assert article_id(title="a b", body="c d") != article_id(title="a b", body="c e")


def test_dates_become_utc():
    assert to_utc_iso("Sun, 18 Feb 2018 21:35:43 +0400") == "2018-02-18T17:35:43Z"
    assert to_utc_iso("2018-02-18T21:35:43+04:00") == "2018-02-18T17:35:43Z"
    assert to_utc_iso("yesterday") is None


def test_article_json_carries_a_schema_version():
    data = orjson.loads(Article(id="i", title="t").to_json())
    assert data["schema"] == 1 and data["id"] == "i"


@pytest.mark.parametrize("raw, reason", [
    (b"{oops", "not_json"),
    (b'{"summary": "x"}', "missing_title"),
    (b'[1, 2]', "not_an_object"),
    (b'{"schema": 99, "title": "t"}', "unknown_schema"),
    (b'{"title": "' + b"x" * 2000 + b'"}', "too_large"),
])
def test_raw_messages_that_cannot_be_articles_name_their_reason(raw, reason):
    from monitor.pipeline import decode_article

    with pytest.raises(BadMessage) as info:
        decode_article(raw, max_bytes=1000)
    assert info.value.reason == reason


def test_a_published_article_decodes_to_itself():
    from monitor.pipeline import decode_article

    article = Article(id="abc", title="t", summary="s", source="bbc", ref="r1")
    decoded = decode_article(article.to_json(), max_bytes=10_000)
    assert (decoded.id, decoded.title, decoded.summary, decoded.source, decoded.ref) == ("abc", "t", "s", "bbc", "r1")
