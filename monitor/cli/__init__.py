"""The ``news-monitor`` command line. Each command group lives in a module of its own."""
from __future__ import annotations

import logging

import click

from monitor.config import Settings


@click.group()
@click.option("--bootstrap", envvar="KAFKA_BOOTSTRAP", default=None,
              help="Kafka bootstrap servers of an existing cluster (default: the local broker).")
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
@click.pass_context
def main(ctx: click.Context, bootstrap: str | None, verbose: bool) -> None:
    """Watch frontline news as it is reported: ingest, detect, alert."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:  # aiokafka narrates every rebalance at INFO
        logging.getLogger("aiokafka").setLevel(logging.WARNING)
    ctx.obj = Settings.from_env(bootstrap=bootstrap)


# Command groups, one module each; imported after ``main`` because they use its Settings.
from monitor.cli.broker import broker  # noqa: E402
from monitor.cli.control import control  # noqa: E402
from monitor.cli.detect import detect  # noqa: E402
from monitor.cli.feeds import feeds, poll  # noqa: E402
from monitor.cli.map import map_command  # noqa: E402
from monitor.cli.pipeline import replay, run, tail, worker  # noqa: E402

for command in (broker, control, detect, feeds, poll, replay, run, tail, worker):
    main.add_command(command)
main.add_command(map_command, name="map")
