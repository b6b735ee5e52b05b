"""``news-monitor map``: recent frontline alerts on a map, as an HTML page and optionally a PNG."""
from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import click
import orjson

from monitor.config import Settings
from monitor.kafka_io import read_topic
from monitor.map import SVG_HEIGHT, SVG_WIDTH, render_map

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless and offline: no network, no first-run UI, a throwaway profile.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--force-device-scale-factor=1")


def read_alerts_file(path: Path) -> list[dict]:
    """Alerts from a JSON-lines file (what `news-monitor tail --json` prints); blank lines are skipped."""
    alerts = []
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                alerts.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                raise click.ClickException(f"{path}:{number}: not JSON ({exc})") from None
    return alerts


async def read_alerts_topic(settings: Settings, *, idle: float, first_wait: float) -> list[dict]:
    """Alerts from the alerts topic, from the beginning, until no new one came for ``idle`` seconds."""
    alerts: list[dict] = []
    stream = read_topic(settings, settings.topic_alerts, from_beginning=True)
    try:
        while True:
            try:
                _, alert = await asyncio.wait_for(stream.__anext__(), first_wait if not alerts else idle)
            except (TimeoutError, StopAsyncIteration):
                return alerts
            alerts.append(alert)
    finally:
        with contextlib.suppress(Exception):
            await stream.aclose()


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html_path: Path, png_path: Path, *, width: int, height: int, timeout: float = 60.0) -> None:
    """Render an HTML file to a PNG of width × height CSS pixels with headless Chromium."""
    chromium = find_chromium()
    if chromium is None:
        raise click.ClickException("--png needs Chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="newsmon-chromium-") as profile:
        argv = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                f"--screenshot={png_path.resolve()}", html_path.resolve().as_uri()]
        proc = subprocess.run(argv, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    if proc.returncode != 0 or not png_path.exists():
        raise click.ClickException(f"chromium failed ({proc.returncode}):\n"
                                   + proc.stdout.decode(errors="replace")[-2000:])


@click.command()
@click.option("--from", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read alerts from this JSON-lines file instead of the alerts topic.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("map.html"),
              show_default=True, help="The HTML page to write.")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also render the page to this PNG with headless Chromium.")
@click.option("--limit", type=int, default=500, show_default=True, help="Show at most the N newest events.")
@click.option("--idle", type=float, default=3.0, show_default=True,
              help="Stop reading the topic when no alert came for this many seconds.")
@click.option("--wait", "first_wait", type=float, default=20.0, show_default=True,
              help="How long to wait for the first alert on the topic.")
@click.option("--title", default="Frontline events", show_default=True)
@click.pass_obj
def map_command(settings: Settings, from_file, out, png, limit, idle, first_wait, title):
    """Write a self-contained HTML map (and --png a PNG) of recent frontline alerts."""
    if from_file is not None:
        alerts = read_alerts_file(from_file)
    else:
        alerts = asyncio.run(read_alerts_topic(settings, idle=idle, first_wait=first_wait))
    page = render_map(alerts, title=title, limit=limit)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    click.echo(f"wrote {out} ({len(alerts)} alert(s) read)")
    if png is not None:
        png.parent.mkdir(parents=True, exist_ok=True)
        screenshot(out, png, width=SVG_WIDTH, height=SVG_HEIGHT)
        click.echo(f"wrote {png}")
