"""Detector throughput on one core: RSS-sized items (title + summary) and full articles.

usage: python bench/detect.py [--seconds N]

RSS items are the first 5,000 items of ../shared/corpus/ant-2018.jsonl.gz (title +
summary only), else those of ../shared/eval/dev.jsonl; full articles are the seed
document. Loading the gazetteer is timed apart and not counted in the rates.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor import gazetteer  # noqa: E402
from monitor.detect import detect_item  # noqa: E402

SHARED = ROOT.parent / "shared"


def rss_items() -> list[tuple[str, str]] | None:
    corpus = SHARED / "corpus" / "ant-2018.jsonl.gz"
    dev = SHARED / "eval" / "dev.jsonl"
    if corpus.exists():
        out = []
        with gzip.open(corpus, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                out.append((d.get("title") or "", d.get("summary") or ""))
                if len(out) >= 5000:
                    break
        return out
    if dev.exists():
        return [(d["title"], d.get("summary") or "") for d in map(json.loads, dev.open(encoding="utf-8"))]
    return None


def rate(items, seconds: float, full: bool) -> tuple[float, int]:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for it in items:
            if full:
                detect_item(it[0], "", it[1])
            else:
                detect_item(it[0], it[1])
        n += len(items)
    return n / (time.perf_counter() - start), n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    t = time.perf_counter()
    gazetteer.load()
    detect_item("تحميل", "")
    print(f"load: gazetteer and lexicon built in {time.perf_counter() - t:.2f}s (once per process)")
    items = rss_items()
    if items is None:
        print("rss: skipped (no ../shared/eval/dev.jsonl or ../shared/corpus/ant-2018.jsonl.gz)")
    else:
        chars = sum(len(a) + len(b) for a, b in items) / len(items)
        r, n = rate(items, args.seconds, full=False)
        print(f"rss: {r:,.0f} items/s on one core ({n} items, {chars:.0f} chars/item on average)")
    seed = ROOT / "seeds" / "000_06dc2b0018f97db1.txt"
    title, _, body = seed.read_text(encoding="utf-8").partition("\n")
    r, n = rate([(title, body)], args.seconds, full=True)
    print(f"full articles: {r:,.0f} articles/s on one core (the seed, {len(body)} chars, {n} runs)")


if __name__ == "__main__":
    main()
