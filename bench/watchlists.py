"""Watchlist matching throughput (articles/s) with 10, 1,000 and 10,000 rules.

    .venv/bin/python bench/watchlists.py [--articles 3000] [--corpus PATH] [--seed 7]

Articles are real ones from ../shared/corpus/ant-2018.jsonl.gz (title, summary and
text). Rules are generated from the corpus's own vocabulary so that they hit like real
ones: each is about a subject (a word or bigram of the corpus, drawn uniformly from its
vocabulary below the stop words, where most entries are names of people, places and
groups) with all/any/none structure, topical context words drawn from the frequent
ranks, a share with proximity, exact forms, prefix wildcards and a language filter.
``--frequent-terms`` draws every term from the frequent words instead (worst case:
each article then matches hundreds of rules). Each figure is the best
of ``--passes`` passes over the same articles, on one core, the rule sets taking turns
(so that a machine busy with other work slows them alike); "first pass" is the first of
them, with the watchlist's per-word cache still empty. The last line is the figure the
aim is about: throughput with 10,000 rules over that with 10 (aim: at least 0.5).
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.normalize import match_form  # noqa: E402  (after the sys.path line)
from monitor.watchlists import Watchlist, parse_rules  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "ant-2018.jsonl.gz"
RULE_COUNTS = (10, 1_000, 10_000)
STOP_RANKS = 150           # the most frequent words are function words, not watch terms


def read_articles(path: Path, n: int) -> list[dict]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            out.append({"title": item.get("title") or "", "summary": item.get("summary") or "",
                        "text": item.get("text") or "", "lang": "ar", "tags": [item.get("category")]})
            if len(out) >= n:
                break
    return out


def vocabulary(articles: list[dict]) -> tuple[list[str], list[str]]:
    words: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for a in articles:
        tokens = match_form(a["title"] + " " + a["text"]).split()
        words.update(t for t in tokens if len(t) > 2)
        bigrams.update(f"{x} {y}" for x, y in itertools.pairwise(tokens) if len(x) > 2 and len(y) > 2)
    ranked_words = [w for w, c in words.most_common() if c >= 3][STOP_RANKS:]
    ranked_bigrams = [b for b, c in bigrams.most_common() if c >= 3][STOP_RANKS // 3:]
    return ranked_words, ranked_bigrams


def generate_rules(n: int, words: list[str], bigrams: list[str], rng: random.Random,
                   *, frequent: bool = False) -> list:
    """Rules shaped like real watchlists: each is about a subject (a name, a place, an
    organisation: a word or bigram drawn uniformly from the vocabulary, where most
    entries are such names) in some context (topical words drawn from the frequent
    ranks). ``frequent=True`` draws every term from the frequent ranks instead: a
    worst case in which each article matches hundreds of rules."""
    head = max(len(words) // 8, 50)

    def subject() -> str:
        if frequent:
            return context()
        t = rng.choice(bigrams) if rng.random() < 0.35 else rng.choice(words)
        roll = rng.random()
        if roll < 0.05:
            return "=" + t
        if roll < 0.08 and " " not in t:
            return t + "*"
        return t

    def context() -> str:
        return words[min(int(rng.paretovariate(1.0)) * rng.randint(1, 20), head) - 1]

    rules = []
    for i in range(n):
        rule: dict = {"id": f"rule-{i}"}
        shape = rng.random()
        if shape < 0.4:                       # subject, or subject and a second subject
            rule["all"] = [subject() for _ in range(rng.randint(1, 2))]
        elif shape < 0.7:                     # spellings / aliases of a subject
            rule["any"] = [subject() for _ in range(rng.randint(2, 5))]
        else:                                 # subject in a context
            rule["all"] = [subject()]
            rule["any"] = [context() for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.3:
            rule["none"] = [context() if rng.random() < 0.5 else subject()]
        if rng.random() < 0.25 and len(rule.get("all", [])) + (1 if rule.get("any") else 0) >= 2:
            rule["within"] = rng.choice((5, 10, 20))
        if rng.random() < 0.2:
            rule["lang"] = ["ar"]
        rules.append(rule)
    return parse_rules({"rule": rules}, source="generated")


def one_pass(watchlist: Watchlist, articles: list[dict]) -> tuple[float, int]:
    """Seconds for matching every article, and the hits."""
    started = time.perf_counter()
    hits = sum(len(watchlist.match(a)) for a in articles)
    return time.perf_counter() - started, hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--frequent-terms", action="store_true",
                        help="worst case: every term from the most frequent words")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"SKIPPED: corpus not found at {args.corpus} (../shared/corpus/ant-2018.jsonl.gz); "
              "pass --corpus PATH", file=sys.stderr)
        return 0
    # Rules are written about the whole news world, not about the sample being matched:
    # their vocabulary comes from the full corpus, the articles matched are its first ones.
    corpus = read_articles(args.corpus, 10**9)
    articles = corpus[:args.articles]
    words, bigrams = vocabulary(corpus)
    del corpus
    chars = sum(len(a["title"]) + len(a["summary"]) + len(a["text"]) for a in articles) / len(articles)
    print(f"{len(articles)} articles from {args.corpus.name} (mean {chars:,.0f} chars); rule vocabulary "
          f"from the whole corpus: {len(words):,} words, {len(bigrams):,} bigrams")
    built = {}
    for n in RULE_COUNTS:
        started = time.perf_counter()
        rules = generate_rules(n, words, bigrams, random.Random(args.seed), frequent=args.frequent_terms)
        watchlist = Watchlist(rules)
        terms = len({t.key for r in rules for t in r.all + r.any + r.none})
        built[n] = (watchlist, terms, time.perf_counter() - started)
    times: dict[int, list[float]] = {n: [] for n in RULE_COUNTS}
    hits: dict[int, int] = {}
    for _ in range(max(args.passes, 1)):
        for n in RULE_COUNTS:
            seconds, hits[n] = one_pass(built[n][0], articles)
            times[n].append(seconds)
    print(f"{'rules':>7} {'terms':>7} {'build s':>8} {'first pass':>11} {'articles/s':>11} "
          f"{'hits/article':>13} {'vs 10':>6}")
    rate = {n: len(articles) / min(times[n]) for n in RULE_COUNTS}
    base = rate[RULE_COUNTS[0]]
    for n in RULE_COUNTS:
        _, terms, build = built[n]
        print(f"{n:>7,} {terms:>7,} {build:>8.2f} {len(articles) / times[n][0]:>11,.0f} {rate[n]:>11,.0f} "
              f"{hits[n] / len(articles):>13.2f} {rate[n] / base:>6.2f}")
    first, last = RULE_COUNTS[0], RULE_COUNTS[-1]
    print(f"throughput with {last:,} rules / with {first:,} rules: {rate[last] / base:.2f} (aim: at least 0.50)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
