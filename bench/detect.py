"""Detector throughput on one core: RSS-sized items (title + summary) and full articles.

usage: python bench/detect.py [--seconds N] [--only source|compiled]

RSS items are the first 5,000 items of ../shared/corpus/ant-2018.jsonl.gz (title +
summary only), else those of ../shared/eval/dev.jsonl; full articles are the seed
document. Loading the gazetteer is timed apart and not counted in the rates.

Two builds of the detector are measured, each in a process of its own, one after the
other: the source tree as it is (pure Python, as an editable install runs it) and, once
``make compiled`` has built it, the copy in build/compiled whose detector modules Cython
compiled (as ``pip install .`` and the image install it).
"""
from __future__ import annotations

import argparse
import filecmp
import gzip
import json
import subprocess
import sys
import time
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPILED = ROOT / "build" / "compiled"
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


def rate(detect_item, items, seconds: float, full: bool) -> tuple[float, int]:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for it in items:
            if full:
                detect_item(it[0], "", it[1])
            else:
                detect_item(it[0], it[1])
        n += len(items)
    return n / (time.perf_counter() - start), n


def measure(seconds: float) -> None:
    """Print the rates of the ``monitor`` first on sys.path."""
    from monitor import gazetteer
    from monitor.detect import detect_item

    t = time.perf_counter()
    gazetteer.load()
    detect_item("تحميل", "")
    print(f"load: gazetteer and lexicon built in {time.perf_counter() - t:.2f}s (once per process)")
    items = rss_items()
    if items is None:
        print("rss: skipped (no ../shared/eval/dev.jsonl or ../shared/corpus/ant-2018.jsonl.gz)")
    else:
        chars = sum(len(a) + len(b) for a, b in items) / len(items)
        r, n = rate(detect_item, items, seconds, full=False)
        print(f"rss: {r:,.0f} items/s on one core ({n} items, {chars:.0f} chars/item on average)")
    seed = ROOT / "seeds" / "000_06dc2b0018f97db1.txt"
    title, _, body = seed.read_text(encoding="utf-8").partition("\n")
    r, n = rate(detect_item, [(title, body)], seconds, full=True)
    print(f"full articles: {r:,.0f} articles/s on one core (the seed, {len(body)} chars, {n} runs)")


def compiled_is_current() -> str | None:
    """Why build/compiled cannot be measured, or None: it must hold the detector's modules
    compiled for this Python, and the same files as the source tree's ``monitor/``."""
    copy = COMPILED / "monitor"
    for name in ("normalize", "gazetteer", "detect"):
        if not (copy / (name + EXTENSION_SUFFIXES[0])).exists():
            return "not built for this Python (make compiled)"
    for src in (ROOT / "monitor").rglob("*"):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        built = copy / src.relative_to(ROOT / "monitor")
        if not built.exists() or not filecmp.cmp(src, built, shallow=False):
            return f"older than monitor/{src.relative_to(ROOT / 'monitor')} (make compiled)"
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--only", choices=("source", "compiled"),
                    help="measure one build, in this process (default: both, one process each)")
    args = ap.parse_args()
    if args.only:
        sys.path.insert(0, str(COMPILED if args.only == "compiled" else ROOT))
        import monitor.detect

        assert monitor.detect.__file__.endswith(".so") == (args.only == "compiled"), monitor.detect.__file__
        measure(args.seconds)
        return
    for build in ("source", "compiled"):
        why_not = compiled_is_current() if build == "compiled" else None
        if why_not:
            print(f"\n{build}: skipped, build/compiled is {why_not}")
            continue
        print(f"\n{build}:" if build == "compiled" else f"{build} (pure Python):", flush=True)
        subprocess.run([sys.executable, __file__, "--seconds", str(args.seconds), "--only", build], check=True)


if __name__ == "__main__":
    main()
