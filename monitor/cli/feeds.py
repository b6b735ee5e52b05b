"""``news-monitor feeds ...`` (the feed list) and ``news-monitor poll`` (the poller)."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

import click
import orjson

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.feeds import (
    DEFAULT_INTERVAL,
    Feed,
    add_feed,
    from_opml,
    load_feeds,
    merge,
    remove_feed,
    save_feeds,
    to_opml,
)

log = logging.getLogger(__name__)

DEFAULT_FEEDS = "feeds.toml"
DEFAULT_STATE_TOPIC = "news.poller.state"
DEFAULT_POLLER_METRICS_PORT = 9109


def _settings(ctx: click.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings.from_env()


def _load(path: str) -> list[Feed]:
    try:
        return load_feeds(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _save(path: str, feeds: list[Feed]) -> None:
    try:
        save_feeds(path, feeds)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
@click.option("-f", "--file", "path", default=DEFAULT_FEEDS, show_default=True, envvar="NEWSMON_FEEDS",
              help="The feed list (TOML).")
@click.pass_context
def feeds(ctx: click.Context, path: str) -> None:
    """Manage the feed list: add, list, remove, import and export OPML."""
    ctx.ensure_object(dict)
    ctx.meta["feeds_path"] = path


@feeds.command("add")
@click.argument("url")
@click.option("--name", default="", help="Short name (the metrics label); default from the URL.")
@click.option("--language", default="", help="Language code, e.g. ar or en.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--interval", default=DEFAULT_INTERVAL, show_default=True, type=click.IntRange(min=1),
              help="Seconds between polls.")
@click.option("--disabled", is_flag=True, help="Add it disabled.")
@click.pass_context
def add_cmd(ctx: click.Context, url: str, name: str, language: str, tags: tuple[str, ...], interval: int,
            disabled: bool) -> None:
    """Add a feed."""
    path = ctx.meta["feeds_path"]
    try:
        feed = Feed(url=url, name=name, language=language, tags=list(tags), interval=interval, enabled=not disabled)
        out = add_feed(_load(path), feed)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    _save(path, out)
    click.echo(f"added {feed.name}")


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the feeds."""
    for f in _load(ctx.meta["feeds_path"]):
        if as_json:
            click.echo(orjson.dumps(f).decode())
        else:
            flag = "" if f.enabled else "  (disabled)"
            click.echo(f"{f.name}\t{f.language or '-'}\t{f.interval}s\t{','.join(f.tags) or '-'}\t{f.url}{flag}")


@feeds.command("remove")
@click.argument("name_or_url")
@click.pass_context
def remove_cmd(ctx: click.Context, name_or_url: str) -> None:
    """Remove a feed by name or URL."""
    path = ctx.meta["feeds_path"]
    try:
        out = remove_feed(_load(path), name_or_url)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    _save(path, out)
    click.echo(f"removed {name_or_url}")


@feeds.command("import-opml")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_cmd(ctx: click.Context, opml: str) -> None:
    """Add the feeds of an OPML file (those whose URL is not listed yet)."""
    path = ctx.meta["feeds_path"]
    try:
        new = from_opml(Path(opml).read_bytes())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    out, added = merge(_load(path), new)
    _save(path, out)
    click.echo(f"imported {added} of {len(new)} feeds")


@feeds.command("export-opml")
@click.argument("out", required=False, type=click.Path(dir_okay=False, writable=True))
@click.pass_context
def export_cmd(ctx: click.Context, out: str | None) -> None:
    """Write the feed list as OPML (to OUT, or standard output)."""
    text = to_opml(_load(ctx.meta["feeds_path"]))
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _shard(value: str) -> tuple[int, int]:
    try:
        i, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.BadParameter("shard is I/N, e.g. 0/1 or 2/4") from None
    if not (n >= 1 and 0 <= i < n):
        raise click.BadParameter("shard I/N needs 0 <= I < N")
    return i, n


@click.command()
@click.option("--feeds", "feeds_path", default=DEFAULT_FEEDS, show_default=True, envvar="NEWSMON_FEEDS",
              type=click.Path(exists=True, dir_okay=False), help="The feed list (TOML).")
@click.option("--state-topic", default=DEFAULT_STATE_TOPIC, show_default=True,
              help="Compacted topic holding the poller state.")
@click.option("--shard", default="0/1", show_default=True, help="I/N: poll the I-th of N shards of the list.")
@click.option("--concurrency", default=100, show_default=True, type=click.IntRange(min=1))
@click.option("--per-host", default=4, show_default=True, type=click.IntRange(min=1))
@click.option("--timeout", default=30.0, show_default=True, help="Seconds allowed for one fetch.")
@click.option("--max-bytes", default=10_000_000, show_default=True, help="Largest response body accepted.")
@click.option("--backend", type=click.Choice(["fast", "feedparser", "rs"]), default="fast", show_default=True,
              help="Parser: fastfeedparser with feedparser as fallback, feedparser alone, or feedparser-rs.")
@click.option("--allow-loopback", is_flag=True, help="Allow feeds on loopback addresses (tests).")
@click.option("--allow-private", is_flag=True, help="Allow feeds on private-network addresses.")
@click.option("--metrics-port", default=DEFAULT_POLLER_METRICS_PORT, show_default=True,
              help="Prometheus port (0: none).")
@click.option("--once", is_flag=True, help="Poll every feed once, then exit.")
@click.pass_context
def poll(ctx: click.Context, feeds_path: str, state_topic: str, shard: str, concurrency: int, per_host: int,
         timeout: float, max_bytes: int, backend: str, allow_loopback: bool, allow_private: bool,
         metrics_port: int, once: bool) -> None:
    """Poll the feeds and publish new entries to the raw topic."""
    from monitor.fetch import FetchLimits
    from monitor.kafka_io import client_options
    from monitor.poll import shard_of
    from monitor.poll_metrics import PollMetrics, serve
    from monitor.poller import KafkaSink, Poller, PollerFailed, PollerOptions

    settings = _settings(ctx)
    index, count = _shard(shard)
    feed_list = [f for f in _load(feeds_path) if f.enabled and shard_of(f.url, count) == index]
    if not feed_list:
        raise click.ClickException(f"no enabled feeds in {feeds_path} for shard {shard}")
    from prometheus_client import CollectorRegistry

    metrics = PollMetrics(CollectorRegistry())  # its own registry: one per poll command
    if metrics_port:
        serve(metrics_port, settings.metrics_host, metrics.registry)
    options = PollerOptions(concurrency=concurrency, per_host=per_host, backend=backend,
                            limits=FetchLimits(max_bytes=max_bytes, total_timeout=timeout,
                                               allow_loopback=allow_loopback, allow_private=allow_private))
    sink = KafkaSink(settings.bootstrap, settings.topic_raw, state_topic,
                     transactional_id=f"newsmon-poller-{state_topic}-{index}-of-{count}",
                     partitions=settings.topic_partitions, client_options=client_options(settings))

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with Poller(feed_list, sink, options, metrics) as poller:
            if once:
                outcomes = await poller.poll_all_once()
                for o in outcomes:
                    click.echo(f"{o.feed}\t{o.result}\t{o.published}")
            else:
                log.info("polling %d feeds (shard %s) into %s", len(feed_list), shard, settings.topic_raw)
                await poller.run(stop)

    try:
        asyncio.run(go())
    except PollerFailed as exc:
        click.echo(f"poller stopped: {exc}", err=True)
        sys.exit(1)
