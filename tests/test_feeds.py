"""The feed list: TOML round trip, OPML import/export, the `feeds` CLI."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from monitor.cli.feeds import feeds as feeds_cli
from monitor.errors import ConfigError
from monitor.feeds import Feed, add_feed, default_name, from_opml, load_feeds, merge, remove_feed, save_feeds, to_opml

ARABIC = Feed(url="https://www.alarabiya.net/ar/rss.xml", name="alarabiya", language="ar",
              tags=["mideast", "عربي"], interval=120)
BBC = Feed(url="https://feeds.bbci.co.uk/news/world/rss.xml", name="bbc-world", language="en", enabled=False)


def test_toml_roundtrip(tmp_path):
    path = tmp_path / "feeds.toml"
    save_feeds(path, [ARABIC, BBC])
    assert load_feeds(path) == [ARABIC, BBC]
    assert load_feeds(tmp_path / "missing.toml") == []


def test_toml_escapes_and_validation(tmp_path):
    odd = Feed(url='https://x.example/rss?a="b"', name="odd", tags=['q"uote', "back\\slash"])
    path = tmp_path / "feeds.toml"
    save_feeds(path, [odd])
    assert load_feeds(path) == [odd]
    path.write_text('[[feed]]\nurl = "ftp://x.example/"\n')
    with pytest.raises(ConfigError):
        load_feeds(path)
    path.write_text('[[feed]]\nurl = "https://x.example/"\nbogus = 1\n')
    with pytest.raises(ConfigError):
        load_feeds(path)
    path.write_text('[[feed]]\nurl = "https://x.example/"\n[[feed]]\nurl = "https://x.example/"\n')
    with pytest.raises(ConfigError):
        load_feeds(path)


def test_defaults_add_remove():
    f = Feed(url="https://www.aljazeera.com/xml/rss/all.xml")
    assert f.name == default_name(f.url) == "aljazeera.com-xml-rss-all.xml"
    assert f.interval == 300 and f.enabled
    out = add_feed([ARABIC], f)
    with pytest.raises(ConfigError):
        add_feed(out, Feed(url=f.url, name="other"))
    assert remove_feed(out, "alarabiya") == [f]
    assert remove_feed(out, f.url) == [ARABIC]
    with pytest.raises(ConfigError):
        remove_feed(out, "nope")


def test_opml_roundtrip_and_folders():
    assert from_opml(to_opml([ARABIC, BBC])) == [ARABIC, BBC]
    doc = b"""<?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>
      <outline text="Middle East"><outline text="Al Jazeera" type="rss" xmlUrl="https://www.aljazeera.com/xml/rss/all.xml"/>
        <outline text="Same again" type="rss" xmlUrl="https://www.aljazeera.com/xml/rss/all.xml"/></outline>
      <outline text="NYT World" type="rss" xmlUrl="https://rss.nytimes.com/services/xml/rss/nyt/World.xml"
        category="world,us"/>
      <outline text="not a feed" type="rss" xmlUrl="javascript:alert(1)"/>
    </body></opml>"""
    got = from_opml(doc)
    assert [(f.name, f.tags) for f in got] == [("Al-Jazeera", ["Middle East"]), ("NYT-World", ["world", "us"])]


def test_opml_refuses_entities():
    bomb = b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>'
    with pytest.raises(ConfigError):
        from_opml(bomb)
    with pytest.raises(ConfigError):
        from_opml(b"<html><body/></html>")


def test_merge_skips_known_urls_and_renames_clashes():
    other = Feed(url="https://other.example/rss", name="alarabiya")
    out, added = merge([ARABIC], [Feed(url=ARABIC.url, name="dup"), other])
    assert added == 1 and [f.name for f in out] == ["alarabiya", "alarabiya-2"]


def test_cli_feeds_commands(tmp_path):
    runner = CliRunner()
    path = str(tmp_path / "feeds.toml")

    def run(*args):
        result = runner.invoke(feeds_cli, ["--file", path, *args], catch_exceptions=False)
        return result

    r = run("add", ARABIC.url, "--name", "alarabiya", "--language", "ar", "--tag", "mideast", "--interval", "120")
    assert r.exit_code == 0, r.output
    assert run("add", ARABIC.url).exit_code != 0  # duplicate url
    assert run("add", "https://feeds.bbci.co.uk/news/world/rss.xml", "--disabled").exit_code == 0
    r = run("list")
    assert "alarabiya\tar\t120s\tmideast" in r.output and "(disabled)" in r.output
    opml = tmp_path / "out.opml"
    assert run("export-opml", str(opml)).exit_code == 0
    assert "xmlUrl" in run("export-opml").output
    assert run("remove", "alarabiya").exit_code == 0
    assert [f.name for f in load_feeds(path)] == ["feeds.bbci.co.uk-news-world-rss.xml"]
    r = run("import-opml", str(opml))
    assert r.exit_code == 0 and "imported 1 of 2" in r.output
    assert len(load_feeds(path)) == 2
    assert run("remove", "nothing").exit_code != 0
