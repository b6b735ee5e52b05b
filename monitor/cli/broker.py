"""``news-monitor broker start|stop|status``: the local single-node Kafka broker."""
from __future__ import annotations

from pathlib import Path

import click

from monitor.broker import HOST, broker_answers, broker_status, start_broker, stop_broker
from monitor.config import Settings, project_home
from monitor.errors import BrokerError


def _options(f):
    """--port, --controller-port, --data-dir, --cache-dir; unset means the Settings value."""
    f = click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Where the Kafka jars are cached [settings: kafka_cache_dir].")(f)
    f = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Config, data, log and pid file of the broker [settings: broker_data_dir].")(f)
    f = click.option("--controller-port", type=int,
                     help="KRaft controller port [settings: broker_controller_port].")(f)
    f = click.option("--port", type=int, help="Client port [settings: broker_port].")(f)
    return f


def _resolve(settings: Settings, port, controller_port, data_dir, cache_dir):
    # Relative defaults live under the project home (NEWSMON_HOME or the current directory).
    return (port or settings.broker_port,
            controller_port or settings.broker_controller_port,
            Path(data_dir).resolve() if data_dir else project_home() / settings.broker_data_dir,
            Path(cache_dir).resolve() if cache_dir else project_home() / settings.kafka_cache_dir)


def _external(ctx: click.Context, port: int) -> str | None:
    """The bootstrap of an existing cluster, if --bootstrap / KAFKA_BOOTSTRAP / NEWSMON_BOOTSTRAP
    names one other than the local broker's own address."""
    settings: Settings = ctx.obj
    given = ctx.find_root().params.get("bootstrap") or settings.bootstrap != Settings.bootstrap
    if not given or settings.bootstrap in (f"{HOST}:{port}", f"localhost:{port}"):
        return None
    return settings.bootstrap


@click.group()
def broker() -> None:
    """Run a local single-node Apache Kafka broker (KRaft, no Docker; needs Java 17+ and Maven)."""


@broker.command()
@_options
@click.option("--timeout", type=float, default=90.0, show_default=True,
              help="Seconds to wait for the broker to answer.")
@click.pass_context
def start(ctx: click.Context, port, controller_port, data_dir, cache_dir, timeout) -> None:
    """Start the broker (or find it running) and print its bootstrap address."""
    port, controller_port, data_dir, cache_dir = _resolve(ctx.obj, port, controller_port,
                                                          data_dir, cache_dir)
    external = _external(ctx, port)
    if external:
        click.echo(f"using the existing cluster at {external} (--bootstrap / KAFKA_BOOTSTRAP): "
                   "no local broker started", err=True)
        click.echo(external)
        return
    try:
        b = start_broker(port=port, controller_port=controller_port, data_dir=data_dir,
                         cache_dir=cache_dir, timeout=timeout)
    except BrokerError as e:
        raise click.ClickException(str(e)) from None
    state = "started" if b.started else "already running"
    click.echo(f"broker {state}: pid {b.pid}, log {b.log_file}", err=True)
    click.echo(b.bootstrap)  # alone on stdout, for KAFKA_BOOTSTRAP=$(news-monitor broker start)


@broker.command()
@_options
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="Seconds to wait after SIGTERM before SIGKILL.")
@click.pass_context
def stop(ctx: click.Context, port, controller_port, data_dir, cache_dir, timeout) -> None:
    """Stop the broker started from the data dir."""
    port, _, data_dir, _ = _resolve(ctx.obj, port, controller_port, data_dir, cache_dir)
    external = _external(ctx, port)
    if external:
        click.echo(f"the cluster at {external} (--bootstrap / KAFKA_BOOTSTRAP) is not managed "
                   "here: nothing stopped")
        return
    if stop_broker(data_dir, timeout=timeout):
        click.echo(f"broker of {data_dir} stopped")
    else:
        click.echo(f"no broker running from {data_dir}")


@broker.command()
@_options
@click.pass_context
def status(ctx: click.Context, port, controller_port, data_dir, cache_dir) -> None:
    """Say whether the broker runs and answers; exit 1 when it does not."""
    port, _, data_dir, _ = _resolve(ctx.obj, port, controller_port, data_dir, cache_dir)
    external = _external(ctx, port)
    if external:
        if broker_answers(external):
            click.echo(f"the cluster at {external} answers")
            return
        click.echo(f"the cluster at {external} does not answer", err=True)
        ctx.exit(1)
    s = broker_status(data_dir, port)
    if s["pid"] is not None and s["answering"]:
        click.echo(f"running: pid {s['pid']}, bootstrap {s['bootstrap']}, log {s['log_file']}")
        return
    if s["pid"] is not None:
        msg = (f"not answering: broker pid {s['pid']} runs from {data_dir} but {s['bootstrap']} "
               f"does not answer (starting, or see {s['log_file']})")
    else:
        msg = f"not running: no broker runs from {data_dir}"
        if s["answering"]:
            msg += f" (something else answers on {s['bootstrap']})"
    click.echo(msg, err=True)
    ctx.exit(1)
