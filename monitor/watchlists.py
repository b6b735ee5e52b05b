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

Matching is one Aho-Corasick pass over the text for all terms of all rules; a rule is
evaluated only when its *anchor* (its longest ``all`` term, or any of its ``any`` terms)
was found, so the cost grows with the hits, not with the number of rules.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import tomllib

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


def _fold(value: str) -> str:
    return match_form(value).strip()


# --- matching ------------------------------------------------------------------------

# Proclitics allowed in front of a term's first word: conjunction, then a preposition
# and/or the article (و ف, then ب ل ك, ال, بال, كال, لل); ل alone (with و ف) before a term
# starting with ال whose alef it dropped (ل + الرقة = للرقة). A hit's start is one of:
_AT_START, _CLITIC, _LAM = 0, 1, 2      # at the word start; after proclitics; after ل (alef dropped)
_CLITIC_SET = frozenset(
    conj + rest
    for conj in ("", "و", "ف")
    for rest in ("", "ب", "ل", "ك", "ال", "بال", "كال", "لل")) - {""}
_LAM_SET = frozenset({"ل", "ول", "فل"})


@dataclass(frozen=True)
class _Compiled:
    """A rule as indexes into the watchlist's term variants."""

    all: tuple[int, ...]
    any: tuple[int, ...]
    none: tuple[int, ...]


class Watchlist:
    """All rules of a file, compiled into one automaton."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: list[Rule] = list(rules)
        keys: dict[str, int] = {}                        # term key -> key id
        variants: dict[tuple[int, bool, bool], int] = {}  # (key id, exact, prefix) -> variant id
        self._variants: list[tuple[int, bool, bool]] = []
        self._variant_text: list[dict[int, str]] = []     # per rule: variant id -> term as written
        self._anchors: list[list[int]] = []               # per key id: rules it anchors
        self._compiled: list[_Compiled] = []

        def variant(term: Term) -> int:
            kid = keys.get(term.key)
            if kid is None:
                kid = keys[term.key] = len(keys)
                self._anchors.append([])
            spec = (kid, term.exact, term.prefix)
            vid = variants.get(spec)
            if vid is None:
                vid = variants[spec] = len(self._variants)
                self._variants.append(spec)
            return vid

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
            self._compiled.append(_Compiled(*groups))
            self._variant_text.append(texts)
            # A rule can match only if its anchor terms were found: the longest 'all'
            # term (long terms are rare ones), or else every 'any' term.
            anchors = [max(rule.all, key=lambda t: len(t.key))] if rule.all else list(rule.any)
            for term in anchors:
                ids = self._anchors[keys[term.key]]
                if not ids or ids[-1] != ri:
                    ids.append(ri)
        # Needles: a term's key followed by a space (it must end a word), and the bare key
        # for prefix terms ('attack*'); the same without the alef of ال for ل + ال.
        self._key_both = [False] * len(keys)
        whole_keys = {kid for kid, _e, prefix in self._variants if not prefix}
        prefix_keys = {kid for kid, _e, prefix in self._variants if prefix}
        needles: dict[str, list[tuple[int, bool, bool, int]]] = {}
        for key, kid in keys.items():
            self._key_both[kid] = kid in whole_keys and kid in prefix_keys
            forms = [(key, False)]
            if key.startswith("ال") and len(key) > 3:
                forms.append((key[1:], True))
            for form, lam in forms:
                if kid in whole_keys:
                    needles.setdefault(form + " ", []).append((kid, lam, True, len(form)))
                if kid in prefix_keys:
                    needles.setdefault(form, []).append((kid, lam, False, len(form)))
        # Most rules need no word positions and no per-variant filtering: for them a key
        # found in the text is an accepted term, and presence alone decides.
        self._simple: list[tuple | None] = []
        for ri, (rule, comp) in enumerate(zip(self.rules, self._compiled)):
            vids = comp.all + comp.any + comp.none
            if rule.within is None and not any(
                    self._variants[v][1] or self._key_both[self._variants[v][0]] for v in vids):
                kid = [self._variants[v][0] for v in comp.all], [self._variants[v][0] for v in comp.any]
                texts = self._variant_text[ri]
                self._simple.append((
                    tuple(kid[0]), tuple(kid[1]), tuple(self._variants[v][0] for v in comp.none),
                    tuple(texts[v] for v in comp.all), tuple(texts[v] for v in comp.any)))
            else:
                self._simple.append(None)
        self._automaton = ahocorasick.Automaton()
        for needle, entries in needles.items():
            self._automaton.add_word(needle, tuple(entries))
        if keys:
            self._automaton.make_automaton()
        self._empty = not keys

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
        if not (form.startswith(" ") and form.endswith(" ")):
            form = f" {form} "
        # One pass: every hit that ends a word (or any hit of a prefix term) and starts
        # one, possibly after proclitics; hits inside a word are dropped here.
        found: dict[int, list[tuple[int, int, int, bool]]] = {}
        for end, entries in self._automaton.iter(form):
            for kid, lam, whole, klen in entries:
                term_end = end if whole else end + 1
                start = term_end - klen
                if form[start - 1] == " ":
                    if lam:
                        continue
                    how = _AT_START
                else:
                    clitics = form[form.rfind(" ", 0, start) + 1:start]
                    if lam:
                        if clitics not in _LAM_SET:
                            continue
                        how = _LAM
                    elif clitics in _CLITIC_SET:
                        how = _CLITIC
                    else:
                        continue
                hits = found.get(kid)
                if hits is None:
                    found[kid] = [(start, term_end, how, whole)]
                else:
                    hits.append((start, term_end, how, whole))
        if not found:
            return []
        anchors = self._anchors
        candidates = sorted({ri for kid in found for ri in anchors[kid]})
        if not candidates:
            return []
        ctx = _Context(form, found, self._variants, self._key_both)
        hits = []
        filter_cache: dict[str, set[str]] = {}
        rules, simple = self.rules, self._simple
        for ri in candidates:
            fast = simple[ri]
            if fast is not None:
                all_k, any_k, none_k, all_t, any_t = fast
                for k in all_k:
                    if k not in found:
                        break
                else:
                    if any_k:
                        terms = tuple(t for k, t in zip(any_k, any_t) if k in found)
                        if not terms:
                            continue
                        terms = all_t + terms
                    else:
                        terms = all_t
                    for k in none_k:
                        if k in found:
                            break
                    else:
                        rule = rules[ri]
                        if not rule.filters or _filters_hold(rule, article, filter_cache):
                            hits.append(Hit(rule.id, tuple(dict.fromkeys(terms)), rule.description))
                continue
            vids = _evaluate(self._compiled[ri], rules[ri].within, ctx)
            if vids is not None and _filters_hold(rules[ri], article, filter_cache):
                texts = self._variant_text[ri]
                rule = rules[ri]
                hits.append(Hit(rule.id, tuple(dict.fromkeys(texts[v] for v in vids)), rule.description))
        return hits


class _Context:
    """What one text's pass found, with per-variant acceptance and word positions computed
    lazily (only for the terms of candidate rules)."""

    def __init__(self, form: str, found, variants, key_both):
        self.form = form
        self.key_both = key_both
        self.found = found
        self.variants = variants
        self._spans: dict[tuple, tuple[int, int]] = {}
        self._accepted: dict[int, list] = {}

    def occurrences(self, vid: int) -> list:
        got = self._accepted.get(vid)
        if got is None:
            kid, exact, prefix = self.variants[vid]
            got = self.found.get(kid) or []
            if got and (exact or self.key_both[kid]):
                # o[3]: found as a whole word (for plain terms) or as a prefix (for 'x*')
                got = [o for o in got if o[3] != prefix and (not exact or o[2] == _AT_START)]
            self._accepted[vid] = got
        return got

    def word_span(self, occ) -> tuple[int, int]:
        """Word indices of an occurrence's first and last word."""
        span = self._spans.get(occ)
        if span is None:
            count = self.form.count
            first = count(" ", 0, occ[0]) - 1
            span = self._spans[occ] = (first, first + count(" ", occ[0], occ[1]))
        return span


def _evaluate(rule: _Compiled, within: int | None, ctx: _Context) -> list[int] | None:
    """The variants that matched if the rule's boolean structure holds, else None."""
    occurrences = ctx.occurrences
    for vid in rule.all:
        if not occurrences(vid):
            return None
    present = []
    if rule.any:
        present = [vid for vid in rule.any if occurrences(vid)]
        if not present:
            return None
    for vid in rule.none:
        if occurrences(vid):
            return None
    if within is not None:
        groups = [[vid] for vid in rule.all]
        if present:
            groups.append(present)
        if not _near(groups, within, ctx):
            return None
    return list(rule.all) + present


def _near(groups: list[list[int]], within: int, ctx: _Context) -> bool:
    """True if one occurrence from each group fits in a window: the latest first word
    minus the earliest last word is at most ``within``.

    Sweep over occurrences by first word; for each as the latest start, the best pick in
    every group is the occurrence (starting no later) whose last word is latest.
    """
    events = []
    for gi, group in enumerate(groups):
        for vid in group:
            for occ in ctx.occurrences(vid):
                first, last = ctx.word_span(occ)
                events.append((first, last, gi))
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
