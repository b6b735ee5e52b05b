"""``news-monitor detect``: run the event detector over JSON-lines items, without Kafka."""
from __future__ import annotations

import sys

import click
import orjson

from monitor.detect import detect_item, guideline_record


@click.command()
@click.argument("file", required=False, default="-", type=click.File("rb"))
@click.option("--evidence", is_flag=True,
              help="Also give each event's modality and evidence, and the expected/negated events.")
def detect(file, evidence: bool) -> None:
    """Detect frontline events in items {id, title, summary?, text?} read from FILE
    (or stdin) and write one {"id", "events"} line per item (the guideline's format)."""
    out = sys.stdout.buffer
    for n, line in enumerate(file, 1):
        line = line.strip()
        if not line:
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise click.ClickException(f"line {n}: not JSON: {exc}") from exc
        det = detect_item(item.get("title") or "", item.get("summary") or "", item.get("text") or "")
        rec = guideline_record(item.get("id", n), det)
        if evidence:
            rec = {"id": rec["id"], "lang": det.lang, "events": det.events, "expected": det.expected}
        out.write(orjson.dumps(rec) + b"\n")
    out.flush()
