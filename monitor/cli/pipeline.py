"""Commands that move articles: replay, worker, tail, and run (all of them together)."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click
import orjson

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.kafka_io import ensure_topics, publish_articles, read_topic
from monitor.pipeline import format_alert
from monitor.processes import start_worker, stop_process
from monitor.replay import read_articles
from monitor.subscriptions import Subscriber, subscriber_from_query, wants


def _articles_forever(paths, loop: bool):
    while True:
        yield from read_articles(paths)
        if not loop:
            return


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--rate", type=float, default=None, help="Articles per second (default: as fast as possible).")
@click.option("--loop", is_flag=True, help="Start again from the first file after the last one.")
@click.pass_obj
def replay(settings: Settings, paths, rate, loop):
    """Publish seed documents and JSON-lines files to the raw topic."""
    asyncio.run(ensure_topics(settings))
    sent = asyncio.run(publish_articles(settings, _articles_forever(paths, loop), rate=rate))
    click.echo(f"sent {sent} articles to {settings.topic_raw}")


@click.command()
@click.option("-l", "--loglevel", default="info", show_default=True)
@click.option("--web-port", type=int, default=None, help="Faust web server port (NEWSMON_WEB_PORT).")
@click.option("--metrics-port", type=int, default=None, help="Prometheus metrics port (NEWSMON_METRICS_PORT).")
@click.option("--datadir", default=None, help="Worker state folder (NEWSMON_DATADIR).")
@click.option("--watchlist", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Watchlist rule file, reloaded when it changes (NEWSMON_WATCHLIST_FILE).")
@click.option("--subscribers", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Subscriber file, read at start (NEWSMON_SUBSCRIBERS_FILE).")
@click.pass_obj
def worker(settings: Settings, loglevel, web_port, metrics_port, datadir, watchlist, subscribers):
    """Run a Faust worker: raw articles → enriched articles → alerts → deliveries."""
    # agents.app is an entry point that reads its settings from the environment.
    os.environ["KAFKA_BOOTSTRAP"] = settings.bootstrap
    for name, value in (("WEB_PORT", web_port), ("METRICS_PORT", metrics_port), ("DATADIR", datadir),
                        ("WATCHLIST_FILE", watchlist), ("SUBSCRIBERS_FILE", subscribers)):
        if value is not None:
            os.environ["NEWSMON_" + name] = str(value)
    # A broken rule or subscriber file: one clear error naming the problem, not a traceback.
    from monitor.subscriptions import load_subscribers
    from monitor.watchlists import load_rules
    try:
        if watchlist or settings.watchlist_file:
            load_rules(watchlist or settings.watchlist_file)
        if subscribers or settings.subscribers_file:
            load_subscribers(subscribers or settings.subscribers_file, environ=os.environ)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    # Faust creates only its internal topics; the source topics must exist before it subscribes.
    asyncio.run(ensure_topics(settings))
    from agents.app import app

    sys.argv = ["news-monitor worker", "worker", "--loglevel", loglevel]
    app.main()


@click.command()
@click.option("--from-beginning/--new-only", default=True, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the alert JSON instead of a line.")
@click.option("--filter", "filters", multiple=True, metavar="KEY=VALUE",
              help="Only alerts that pass this filter (repeatable): kinds, statuses, watchlists, "
                   "places, actors, event_types (comma-separated lists), bbox=W,S,E,N, "
                   "min_corroboration=N; the same filters as /alerts/stream and subscribers.")
@click.pass_obj
def tail(settings: Settings, from_beginning, as_json, filters):
    """Print alerts from the alerts topic as they arrive."""
    wanted = alert_filter(filters)
    try:
        asyncio.run(_print_alerts(settings, from_beginning, as_json, wanted))
    except KeyboardInterrupt:
        pass


def alert_filter(filters: tuple[str, ...]) -> Subscriber | None:
    """The subscriber filter of ``--filter KEY=VALUE`` options (None: every alert)."""
    if not filters:
        return None
    pairs = []
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r}: want KEY=VALUE", param_hint="--filter")
        pairs.append((key.strip(), value.strip()))
    try:
        return subscriber_from_query(pairs, sid="tail")
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--filter") from None


async def _print_alerts(settings: Settings, from_beginning: bool, as_json: bool,
                        wanted: Subscriber | None = None) -> None:
    async for _, alert in read_topic(settings, settings.topic_alerts, from_beginning=from_beginning):
        if wanted is not None and not wants(wanted, alert):
            continue
        click.echo(orjson.dumps(alert).decode() if as_json else format_alert(alert))


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.pass_context
def run(ctx: click.Context, paths):
    """Start a local broker (unless --bootstrap), a worker, replay PATHS (default: seeds/) and print alerts.

    Runs until Ctrl-C, then stops everything it started.
    """
    settings: Settings = ctx.obj
    paths = paths or ("seeds",)
    started_broker = False
    if not ctx.parent.params.get("bootstrap"):
        from monitor.broker import start_broker

        click.echo("starting the local Kafka broker (the first time fetches it with mvn)...", err=True)
        start_broker(port=settings.broker_port, controller_port=settings.broker_controller_port,
                     data_dir=Path(settings.broker_data_dir), cache_dir=Path(settings.kafka_cache_dir))
        started_broker = True
        settings = settings.with_(bootstrap=f"127.0.0.1:{settings.broker_port}")
    worker_proc = None
    try:
        asyncio.run(ensure_topics(settings))
        worker_log = Path(settings.datadir).parent / "worker.log"
        click.echo(f"starting the worker (log: {worker_log})", err=True)
        worker_proc = start_worker(settings, worker_log)
        sent = asyncio.run(publish_articles(settings, read_articles(paths)))
        click.echo(f"replayed {sent} article(s) from {', '.join(paths)}; alerts follow (Ctrl-C stops)",
                   err=True)
        asyncio.run(_print_alerts(settings, from_beginning=True, as_json=False))
    except KeyboardInterrupt:
        pass
    finally:
        if worker_proc is not None:
            click.echo("stopping the worker...", err=True)
            stop_process(worker_proc)
        if started_broker:
            from monitor.broker import stop_broker

            click.echo("stopping the broker...", err=True)
            stop_broker(Path(settings.broker_data_dir))
