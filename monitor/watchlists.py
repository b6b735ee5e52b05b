"""Watchlists: keyword rules over article text, all matched in one pass.

A rule file is TOML, one ``[[rule]]`` table per rule::

    [[rule]]
    id = "isis-raqqa"
    description = "ISIS around Raqqa"
    all = ["داعش", "الرقة"]         # every one of these terms
    any = ["هجوم", "attack*"]      # and at least one of these (if given)
    none = ["مسلسل"]               # and none of these, anywhere in the text
    within = 12                    # the all/any terms within 12 words of each other
    lang = ["ar"]                  # filters on the enriched record (all optional)
    tags = ["syria"]
    places = ["Raqqa", "SY"]
    actors = ["isis"]
    events = ["attack", "capture"]

Terms are compared in the match form of ``monitor.normalize`` (Arabic letter variants
and diacritics folded, lower case, punctuation as spaces), whole words only. An Arabic
term also matches with proclitics glued to its first word (و ف, then ب ل ك, then ال, or
ل+ال written لل), so "داعش" matches "لداعش", "وداعش" and "«داعش»" but not a word that
merely contains it. A term written ``=داعش`` (or every term of a rule with
``exact = true``) matches only that exact word form; a term ending in ``*`` also
matches as the start of a longer word (``attack*`` matches "attacks").

Matching all rules is one pass over the text however many rules there are: the match
form is split into words once and each word is looked up once in a dict (a per-watchlist
cache from a distinct word to the terms it matches, filled the first time the word is
seen by stripping its proclitics and looking the base forms up in dicts of one-word
terms, first words of multi-word terms and prefix terms). A rule is evaluated only when
its *anchor* (its longest ``all`` term, or any of its ``any`` terms) was found, so the
cost grows with the hits, hardly with the number of rules (``bench/watchlists.py``).
"""
from __future__ import annotations

import logging
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, compress, repeat
from operator import contains, itemgetter
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError
from monitor.normalize import match_form

log = logging.getLogger(__name__)

RULE_KEYS = frozenset({"id", "description", "all", "any", "none", "within", "exact",
                       "lang", "tags", "places", "actors", "events"})
FILTER_KEYS = ("lang", "tags", "places", "actors", "events")
# Fields of an article whose text the rules search.
TEXT_FIELDS = ("title", "summary", "text")


@dataclass(frozen=True)
class Hit:
    """A rule that matched an article, with the terms (as written in the rule) found."""

    rule_id: str
    terms: tuple[str, ...]
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "terms": list(self.terms), "description": self.description}


@dataclass(frozen=True)
class Term:
    text: str          # as written in the rule file
    key: str           # its match form, without clitics, '=' or '*'
    exact: bool        # no clitics allowed
    prefix: bool       # may be the start of a longer word ('*')


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    all: tuple[Term, ...]
    any: tuple[Term, ...]
    none: tuple[Term, ...]
    within: int | None
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)


# --- loading and validating ----------------------------------------------------------

def load_rules(path: str | Path) -> Watchlist:
    """The watchlist of a TOML rule file; ConfigError naming the rule and the problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: watchlist file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read watchlist file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return Watchlist(parse_rules(data, source=str(path)))


def parse_rules(data: Mapping[str, Any], *, source: str = "<rules>") -> list[Rule]:
    """Rules from the parsed TOML document ``{"rule": [{...}, ...]}``."""
    unknown = set(data) - {"rule"}
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key(s) {sorted(unknown)}; rules go in [[rule]] tables")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise ConfigError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_rules, 1):
        rule = _parse_rule(raw, n, source)
        if rule.id in seen:
            raise ConfigError(f"{source}: rule {rule.id!r} (#{n}): duplicate id")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _parse_rule(raw: Any, n: int, source: str) -> Rule:
    where = f"{source}: rule #{n}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise ConfigError(f"{where}: missing or empty 'id'")
    where = f"{source}: rule {rid!r} (#{n})"

    def fail(problem: str):
        raise ConfigError(f"{where}: {problem}")

    unknown = set(raw) - RULE_KEYS
    if unknown:
        fail(f"unknown key(s) {sorted(unknown)} (allowed: {sorted(RULE_KEYS)})")
    description = raw.get("description", "")
    if not isinstance(description, str):
        fail("'description' must be a string")
    exact_rule = raw.get("exact", False)
    if not isinstance(exact_rule, bool):
        fail("'exact' must be true or false")

    def terms(name: str) -> tuple[Term, ...]:
        value = raw.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            fail(f"'{name}' must be a list of strings")
        out = []
        for text in value:
            term = _parse_term(text, exact_rule)
            if term is None:
                fail(f"term {text!r} in '{name}' has no letters or digits")
            out.append(term)
        return tuple(out)

    all_terms, any_terms, none_terms = terms("all"), terms("any"), terms("none")
    if not all_terms and not any_terms:
        fail("needs at least one term in 'all' or 'any'")
    within = raw.get("within")
    if within is not None and (isinstance(within, bool) or not isinstance(within, int) or within < 0):
        fail(f"'within' must be a whole number of words >= 0, not {within!r}")
    if within is not None and len(all_terms) + (1 if any_terms else 0) < 2:
        fail("'within' needs at least two terms to be near each other")
    filters: dict[str, frozenset[str]] = {}
    for name in FILTER_KEYS:
        if name not in raw:
            continue
        value = raw[name]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            fail(f"'{name}' must be a non-empty list of strings")
        filters[name] = frozenset(_fold(v) for v in value)
    return Rule(rid, description, all_terms, any_terms, none_terms, within, filters)


def _parse_term(text: str, exact_rule: bool) -> Term | None:
    body = text.strip()
    exact = exact_rule
    if body.startswith("="):
        exact, body = True, body[1:]
    prefix = body.endswith("*")
    if prefix:
        body = body[:-1]
    key = match_form(body).strip()
    if not key:
        return None
    return Term(text, key, exact, prefix)


@lru_cache(maxsize=4096)
def _fold(value: str) -> str:
    """A filter value in match form (remembered: articles repeat a few languages, tags,
    places and actors)."""
    return match_form(value).strip()


# --- matching ------------------------------------------------------------------------

# Proclitics allowed in front of a term's first word: conjunction, then a preposition
# and/or the article (و ف, then ب ل ك, ال, بال, كال, لل); ل alone (with و ف) before a term
# starting with ال whose alef it dropped (ل + الرقة = للرقة).
_CLITIC_SET = frozenset(
    conj + rest
    for conj in ("", "و", "ف")
    for rest in ("", "ب", "ل", "ك", "ال", "بال", "كال", "لل")) - {""}
_CLITIC_LENS = tuple(sorted({len(c) for c in _CLITIC_SET}))
_LAM_SET = frozenset({"ل", "ول", "فل"})
# Distinct words (and hits) remembered per watchlist, a few tens of MB at most: a news
# stream's vocabulary is mostly a few tens of thousands of frequent words; a full cache is
# emptied and fills again. A Watchlist is meant for one thread (a worker's event loop).
_CACHE_MAX = 200_000

# What a word matches (its *entry*, cached per distinct word): 0 if nothing (falsy, so that
# C code can pick out the others), else a 3-tuple:
#   0 variant ids of the one-word terms it is (after stripping proclitics, or not)
#   1 if it can be the first word of a multi-word term (after proclitics, or not): a number
#     > 0 for that set of first words, the key, with the next word, of ``_bigrams``
#   2 for the multi-word terms ending in a prefix ('islamic sta*') it starts, per base
#     form: (accepts exact terms, [(middle words, last word's prefix, ids, ids)])
_NOTHING = 0
_MISS = ((), -1, ())                        # the entry of a word not analysed yet (first: -1)
_IDS, _FIRST, _PREFIXED = itemgetter(0), itemgetter(1), itemgetter(2)


class Watchlist:
    """All rules of a file, compiled into word indexes.

    Matching makes one pass over the text however many rules there are: the match form
    is split into words once, and each word is looked up once in a cache of what it
    matches (a dict from distinct word to entry; the lookups and the selection of the
    words that match something run in C). A word seen for the first time is analysed
    once: each way of stripping its proclitics gives a base form, looked up in a dict of
    one-word terms, in a dict of the first words of multi-word terms and, at each length
    of a ``term*``, in a dict of prefix terms. A multi-word term is checked only where a
    possible first word is followed by one of the second words. Only rules anchored on
    a term that was found are evaluated. So the cost per article grows with what it
    matches, hardly with the number of rules.
    """

    def __init__(self, rules: Iterable[Rule]):
        self.rules: list[Rule] = list(rules)
        variants: dict[tuple[str, bool, bool], int] = {}   # (key, exact, prefix) -> variant id
        self._extra: list[int] = []                         # per variant: its words - 1

        def variant(term: Term) -> int:
            spec = (term.key, term.exact, term.prefix)
            vid = variants.get(spec)
            if vid is None:
                vid = variants[spec] = len(variants)
                self._extra.append(term.key.count(" "))
            return vid

        # Per rule: (all ids to check, any ids, none ids, within, the rule if it has
        # filters, its Hit if its terms are always the same, all ids); terms as written.
        self._compiled: list[tuple] = []
        self._texts: list[dict[int, str]] = []
        self._hits: dict[tuple[int, tuple[int, ...]], Hit] = {}
        anchors: dict[int, list[int]] = {}
        for ri, rule in enumerate(self.rules):
            texts: dict[int, str] = {}
            groups = []
            for terms in (rule.all, rule.any, rule.none):
                vids = []
                for term in terms:
                    vid = variant(term)
                    texts.setdefault(vid, term.text)
                    vids.append(vid)
                groups.append(tuple(dict.fromkeys(vids)))
            all_v, any_v, none_v = groups
            # A rule can match only if its anchor terms were found: the longest 'all'
            # term (long terms are rare ones), or else every 'any' term.
            if rule.all:
                anchor_v = [variant(max(rule.all, key=lambda t: len(t.key)))]
                check = tuple(v for v in all_v if v != anchor_v[0])
            else:
                anchor_v, check = list(any_v), ()
            for vid in anchor_v:
                ids = anchors.setdefault(vid, [])
                if not ids or ids[-1] != ri:
                    ids.append(ri)
            fixed = None if any_v else Hit(rule.id, tuple(dict.fromkeys(texts[v] for v in all_v)),
                                           rule.description)
            self._compiled.append((check, any_v, none_v, rule.within, rule if rule.filters else None,
                                   fixed, all_v))
            self._texts.append(texts)
        self._anchors: list[tuple[int, ...]] = [tuple(anchors.get(v, ())) for v in range(len(variants))]
        self._empty = not variants

        # Indexes from a base form (a word without its proclitics) to variant ids, as a
        # pair: the ids accepted when the word had no proclitics, and those accepted after
        # proclitics (exact terms are not).
        whole: dict[str, tuple[list[int], list[int]]] = {}
        prefix: dict[str, tuple[list[int], list[int]]] = {}
        seconds: dict[str, dict[str, list]] = {}    # first word -> second word -> [(rest, ids, ids)]
        prefixed: dict[str, list] = {}              # first word -> [(middle, last, ids, ids)]
        for (key, exact, is_prefix), vid in variants.items():
            words = key.split(" ")
            if len(words) == 1:
                at_start, after = (prefix if is_prefix else whole).setdefault(key, ([], []))
            elif is_prefix:
                specs = prefixed.setdefault(words[0], [])
                entry = next((s for s in specs if s[:2] == (words[1:-1], words[-1])), None)
                if entry is None:
                    entry = (words[1:-1], words[-1], [], [])
                    specs.append(entry)
                at_start, after = entry[2], entry[3]
            else:
                specs = seconds.setdefault(words[0], {}).setdefault(words[1], [])
                entry = next((s for s in specs if s[0] == words[2:]), None)
                if entry is None:
                    entry = (words[2:], [], [])
                    specs.append(entry)
                at_start, after = entry[1], entry[2]
            at_start.append(vid)
            if not exact:
                after.append(vid)
        self._whole = {k: (tuple(a), tuple(b)) for k, (a, b) in whole.items()}
        self._prefix = {k: (tuple(a), tuple(b)) for k, (a, b) in prefix.items()}
        self._prefix_lens = tuple(sorted({len(k) for k in prefix}))
        self._seconds = {first: {second: tuple((rest, tuple(a), tuple(b)) for rest, a, b in specs)
                                 for second, specs in by_second.items()}
                         for first, by_second in seconds.items()}
        self._second_words = frozenset(second for by_second in seconds.values() for second in by_second)
        self._prefixed = {first: tuple((middle, last, tuple(a), tuple(b)) for middle, last, a, b in specs)
                          for first, specs in prefixed.items()}
        self._first_ids: dict[tuple[tuple[bool, str], ...], int] = {}
        self._bigrams: dict[tuple[int, str], list[tuple[list[str], tuple[int, ...]]]] = {}
        self._tokens: dict[str, tuple | int] = {}

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def rule_ids(self) -> list[str]:
        return [r.id for r in self.rules]

    # -- public entry points

    def match(self, article: Mapping[str, Any] | str) -> list[Hit]:
        """The rules an article matches. ``article`` is a dict with ``title``, ``summary``
        and ``text`` (and, for the filters, ``lang``, ``tags``, ``places``, ``actors``,
        ``events`` as in the enriched record), or a plain string (filters then fail)."""
        if isinstance(article, str):
            return self.match_form(match_form(article), {})
        text = " \n ".join(str(article.get(f) or "") for f in TEXT_FIELDS)
        return self.match_form(match_form(text), article)

    def match_form(self, form: str, article: Mapping[str, Any]) -> list[Hit]:
        """Like ``match`` on text already in match form (``monitor.normalize.match_form``)."""
        if self._empty:
            return []
        found, phrases, at, ids = self._scan(form.split())
        if not found:
            return []
        has = found.__contains__
        positions: dict[int, list[int]] = phrases

        def occurrences(vid: int) -> list[int]:
            got = positions.get(vid)
            if got is None:
                got = positions[vid] = list(compress(at, map(contains, ids, repeat(vid))))
            return got

        hits = []
        filter_cache: dict[str, set[str]] = {}
        compiled, known = self._compiled, self._hits
        for ri in sorted(set(chain.from_iterable(map(self._anchors.__getitem__, found)))):
            check, any_v, none_v, within, filtered, hit, all_v = compiled[ri]
            if check and not all(map(has, check)):
                continue
            present: tuple[int, ...] = ()
            if any_v:
                present = tuple(filter(has, any_v))
                if not present:
                    continue
            if none_v and any(map(has, none_v)):
                continue
            if within is not None and not self._near(all_v, present, within, occurrences):
                continue
            if filtered is not None and not _filters_hold(filtered, article, filter_cache):
                continue
            if hit is None:
                hit = known.get((ri, present)) or self._hit(ri, present)
            hits.append(hit)
        return hits

    # -- internals

    def _scan(self, tokens: list[str]) -> tuple[set[int], dict[int, list[int]], list, list]:
        """What a text's words match: the variant ids found, the word indexes of the
        multi-word ones (of their first word), and the words with one-word hits (their
        indexes and variant ids, for the positions that proximity needs)."""
        entries = list(map(self._tokens.get, tokens, repeat(_MISS)))
        at = list(compress(range(len(tokens)), entries))     # words that match something, new words
        if not at:
            return set(), {}, at, at
        picked = list(map(entries.__getitem__, at))
        fids = list(map(_FIRST, picked))
        if -1 in fids:
            for k, entry in enumerate(picked):
                if entry is _MISS:
                    i = at[k]
                    entries[i] = picked[k] = self._analyse(tokens[i])
            at = list(compress(at, picked))
            picked = list(filter(None, picked))
            fids = list(map(_FIRST, picked))
        ids = list(map(_IDS, picked))
        found = set(chain.from_iterable(ids))
        phrases: dict[int, list[int]] = {}
        if self._seconds:       # a possible first word followed by a possible second word
            firsts = list(compress(at, fids))
            if firsts:
                following = tokens[1:]
                following.append("")                    # after the last word: no second word
                firsts = list(compress(firsts, map(self._second_words.__contains__,
                                                   map(following.__getitem__, firsts))))
            if firsts:
                pairs = zip(map(_FIRST, map(entries.__getitem__, firsts)), map(following.__getitem__, firsts))
                specs = list(map(self._bigrams.get, pairs))
                for i, candidates in compress(zip(firsts, specs), specs):
                    for rest, vids in candidates:
                        if rest and tokens[i + 2:i + 2 + len(rest)] != rest:
                            continue
                        for v in vids:
                            phrases.setdefault(v, []).append(i)
        if self._prefixed:
            n = len(tokens)
            for i in compress(at, map(_PREFIXED, picked)):
                for at_start, candidates in entries[i][2]:
                    for middle, last, v_start, v_after in candidates:
                        j = i + 1 + len(middle)
                        if j < n and tokens[j].startswith(last) and tokens[i + 1:j] == middle:
                            for v in v_start if at_start else v_after:
                                phrases.setdefault(v, []).append(i)
        found.update(phrases)
        return found, phrases, at, ids

    def _analyse(self, token: str) -> tuple | int:
        """The entry of a word (see ``_NOTHING``), remembered in the cache."""
        vids: list[int] = []
        starts: list[tuple[bool, str]] = []
        prefixed: list[tuple] = []
        self._base(token, True, False, vids, starts, prefixed)
        n = len(token)
        for size in _CLITIC_LENS:
            if size < n and token[:size] in _CLITIC_SET:
                self._base(token[size:], False, False, vids, starts, prefixed)
        for lam in _LAM_SET:
            if token.startswith(lam) and token[len(lam):len(lam) + 1] == "ل":
                self._base("ا" + token[len(lam):], False, True, vids, starts, prefixed)
        if vids or starts or prefixed:
            entry = (tuple(dict.fromkeys(vids)), self._first_id(tuple(starts)) if starts else 0,
                     tuple(prefixed))
        else:
            entry = _NOTHING
        if len(self._tokens) >= _CACHE_MAX:
            self._tokens.clear()
        self._tokens[token] = entry
        return entry

    def _first_id(self, starts: tuple[tuple[bool, str], ...]) -> int:
        """The number of a set of (no proclitics, base form) first words; the first time,
        index the multi-word terms they start by (number, second word) in ``_bigrams``."""
        fid = self._first_ids.get(starts)
        if fid is None:
            fid = self._first_ids[starts] = len(self._first_ids) + 1
            for at_start, base in starts:
                for second, specs in self._seconds[base].items():
                    got = self._bigrams.setdefault((fid, second), [])
                    got.extend((rest, v_start if at_start else v_after) for rest, v_start, v_after in specs)
        return fid

    def _base(self, base: str, at_start: bool, lam: bool,
              vids: list[int], starts: list[tuple], prefixed: list[tuple]) -> None:
        """Add what one base form of a word matches. ``lam``: the base is a term starting
        with ال written after ل without its alef (للرقة), allowed for terms longer than 3."""
        got = self._whole.get(base)
        if got and not (lam and len(base) <= 3):
            vids.extend(got[0] if at_start else got[1])
        for size in self._prefix_lens:
            if size > len(base):
                break
            got = self._prefix.get(base[:size])
            if got and not (lam and size <= 3):
                vids.extend(got[0] if at_start else got[1])
        if base in self._seconds:
            starts.append((at_start, base))
        specs = self._prefixed.get(base)
        if specs:
            prefixed.append((at_start, specs))

    def _hit(self, ri: int, present: tuple[int, ...]) -> Hit:
        """The Hit of a rule with 'any' terms, given the ones found (remembered)."""
        hit = self._hits.get((ri, present))
        if hit is None:
            rule, texts = self.rules[ri], self._texts[ri]
            terms = tuple(dict.fromkeys([texts[v] for v in self._compiled[ri][6] + present]))
            hit = Hit(rule.id, terms, rule.description)
            if len(self._hits) >= _CACHE_MAX:
                self._hits.clear()
            self._hits[(ri, present)] = hit
        return hit

    def _near(self, all_v: tuple[int, ...], present: tuple[int, ...], within: int,
              occurrences: Callable[[int], list[int]]) -> bool:
        """True if one occurrence of each 'all' term and one of the 'any' terms found fit
        in a window: the latest first word minus the earliest last word is at most
        ``within``.

        Sweep over occurrences by first word; for each as the latest start, the best pick in
        every group is the occurrence (starting no later) whose last word is latest.
        """
        groups = [(v,) for v in all_v]
        if present:
            groups.append(present)
        extra = self._extra
        events = []
        for gi, group in enumerate(groups):
            for v in group:
                words = extra[v]
                events.extend((first, first + words, gi) for first in occurrences(v))
        events.sort()
        best: dict[int, int] = {}
        for first, last, gi in events:
            if last > best.get(gi, -1):
                best[gi] = last
            if len(best) == len(groups) and first - min(best.values()) <= within:
                return True
        return False


def _filters_hold(rule: Rule, article: Mapping[str, Any], cache: dict[str, set[str]]) -> bool:
    for name, wanted in rule.filters.items():
        values = cache.get(name)
        if values is None:
            values = cache[name] = _article_values(name, article)
        if not (values & wanted):
            return False
    return True


def _article_values(name: str, article: Mapping[str, Any]) -> set[str]:
    """The folded values of one filter field of an enriched record."""
    if name == "lang":
        return {_fold(article["lang"])} if article.get("lang") else set()
    if name == "tags":
        values = list(article.get("tags") or [])
        if article.get("feed"):
            values.append(article["feed"])
        return {_fold(str(v)) for v in values}
    if name == "places":
        out: set[str] = set()
        places = list(article.get("places") or [])
        places += [e.get("place") for e in article.get("events") or [] if isinstance(e, dict)]
        for p in places:
            if isinstance(p, dict):
                out.update(_fold(str(p[k])) for k in ("name", "country", "name_ar") if p.get(k))
            elif isinstance(p, str):
                out.add(_fold(p))
        return out
    if name == "actors":
        out = set()
        actors = list(article.get("actors") or [])
        actors += [e.get("actor") for e in article.get("events") or [] if isinstance(e, dict)]
        for a in actors:
            if isinstance(a, dict):
                a = a.get("id") or a.get("actor") or a.get("name")
            if a:
                out.add(_fold(str(a)))
        return out
    if name == "events":
        return {_fold(str(e["type"])) for e in article.get("events") or []
                if isinstance(e, dict) and e.get("type")}
    return set()


# --- hot reload ----------------------------------------------------------------------

class WatchlistFile:
    """A rule file that reloads itself when it changes, without restarting the worker.

    ``get()`` looks at the file's mtime and size at most once per ``check_interval``
    seconds (a stat call) and reloads when they changed. A broken edit does not stop the
    stream: the previous rules stay in force and ``last_error`` says what is wrong. Only
    the first load raises ConfigError.
    """

    def __init__(self, path: str | Path, *, check_interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self.path = Path(path)
        self.check_interval = check_interval
        self._clock = clock
        self._stamp = self._stat()
        self._watchlist = load_rules(self.path)
        self._checked = clock()
        self.last_error: ConfigError | None = None
        self.reloads = 0

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def get(self) -> Watchlist:
        now = self._clock()
        if now - self._checked >= self.check_interval:
            self._checked = now
            stamp = self._stat()
            if stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._watchlist = load_rules(self.path)
                except ConfigError as exc:
                    self.last_error = exc
                    log.error("watchlist not reloaded, keeping %d previous rules: %s",
                              len(self._watchlist), exc)
                else:
                    self.last_error = None
                    self.reloads += 1
                    log.info("watchlist reloaded: %d rules from %s", len(self._watchlist), self.path)
        return self._watchlist

    def match(self, article: Mapping[str, Any] | str) -> list[Hit]:
        return self.get().match(article)
