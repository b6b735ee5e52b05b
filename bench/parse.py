"""Compare feed parsers on real feeds: speed and agreement with feedparser.

    python bench/parse.py [DIR]   (default: ../shared/feeds/real-world-2026)

Each backend parses the raw bytes of every file (timed on the library call alone,
best of --repeat), then through the poller's parse path (monitor.feedparse.parse_feed,
which adds encoding normalisation, DOCTYPE defusing and the feedparser fallback).
Agreement is per feed against feedparser: same entry count, same set of links,
same titles, same dates (to the second).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.feedparse import _IMPL, defuse, parse_feed, to_utf8  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/feeds/real-world-2026"))
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    files = sorted(p for p in Path(args.dir).iterdir() if p.is_file() and not p.name.startswith("LICENSE"))
    docs = []
    for p in files:
        raw = p.read_bytes()
        docs.append(defuse(to_utf8(raw)[0]))
    print(f"{len(docs)} feeds, {sum(map(len, docs)) / 1e6:.1f} MB")
    results = {}
    for name in ("feedparser", "fast", "rs"):
        best = float("inf")
        for _ in range(args.repeat):
            out, failed = [], 0
            t0 = time.perf_counter()
            for d in docs:
                try:
                    out.append(_IMPL[name](d, ""))
                except Exception:  # noqa: BLE001
                    out.append(None)
                    failed += 1
            best = min(best, time.perf_counter() - t0)
        results[name] = out
        n = sum(len(r.entries) for r in out if r)
        print(f"{name:11s} {len(docs) / best:8.1f} feeds/s  {best:6.2f} s  entries={n:5d}  raised={failed}")
    ref = results["feedparser"]
    for name in ("fast", "rs"):
        same_n = same_links = same_titles = same_dates = 0
        for r, f in zip(results[name], ref):
            if r is None:
                continue
            if len(r.entries) == len(f.entries):
                same_n += 1
            if {e.link for e in r.entries} == {e.link for e in f.entries}:
                same_links += 1
            if [e.title for e in r.entries] == [e.title for e in f.entries]:
                same_titles += 1
            if [e.published and int(e.published.timestamp()) for e in r.entries] == \
               [e.published and int(e.published.timestamp()) for e in f.entries]:
                same_dates += 1
        print(f"{name:11s} agreement with feedparser over {len(docs)} feeds: entry count {same_n}, "
              f"links {same_links}, titles {same_titles}, dates {same_dates}")
    for backend in ("feedparser", "fast"):
        t0 = time.perf_counter()
        n = sum(len(parse_feed(p.read_bytes(), backend=backend).entries) for p in files)
        dt = time.perf_counter() - t0
        print(f"parse_feed(backend={backend!r}): {len(files) / dt:.1f} feeds/s, entries={n}")


if __name__ == "__main__":
    main()
