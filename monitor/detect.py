"""The frontline event detector: pure functions from an item's text to events.

For each sentence of the title, summary and text, one pass of a phrase matcher finds
event cues and actor names, and one pass of the gazetteer finds places. Each cue
becomes an event whose type comes from the cue (refined by its neighbours), whose
place is the nearest place the sentence ties to it, and whose actor is the force
named as doing it; the words around the cue give its modality (reported, claimed,
expected, negated) or show a non-military sense (a deal, talks, a match), which
drops it. See ../shared/eval/GUIDELINES.md for what counts.

Arabic cues are written plainly; matching folds spelling variants and accepts glued
clitics (و ف ب ل ك ال س), so one form covers "وقصفت", "بالقصف", "للغارات".
See monitor/cues.py for the word lists and the flags on a cue.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from itertools import accumulate
from math import asin, cos, radians, sin, sqrt
from operator import or_

from monitor import actors as _actors
from monitor import gazetteer as _gazetteer
from monitor.cues import (
    _AIR,
    _ARTICLE,
    _ATTACK_AIR,
    _ATTACK_LAND,
    _BACKGROUND,
    _BALLOT,
    _CLAIMED,
    _DEFENCE,
    _ELECTION,
    _EXPECTED,
    _FLEE,
    _FORCE_AFTER,
    _HAPPENED,
    _LAUNCH,
    _MILITARY,
    _NEGATED,
    _NONMIL_AFTER,
    _NONMIL_SENT,
    _POSITIONS,
    _PROTEST,
    _PURPOSE,
    _RELATIVE,
    _STATE_AFTER,
    _SUPPORT,
    _TARGET_PREPOSITIONS,
    _VICTIM,
    _WEAPONS,
    _YEAR,
    CUES,
    TARGETS,
    _forms,
    _words,
)
from monitor.normalize import (
    PhraseMatcher,
    Sentence,
    detect_language,
    match_form,
    split_fields,
    strip_html,
)

TYPES = ("capture", "advance", "withdrawal", "siege", "clash", "strike", "attack")


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    m = PhraseMatcher()
    for phrase, value in _actors.lexicon():
        m.add(phrase, value)
    for etype, groups in CUES.items():
        for flags, phrases in groups.items():
            for p in _forms(phrases):
                m.add(p, ("cue", etype, flags))
    return m.build()


@lru_cache(maxsize=1)
def _cue_matcher() -> PhraseMatcher:
    """The cues alone: most items hold none, and this tells so in one pass."""
    m = PhraseMatcher()
    for etype, groups in CUES.items():
        for phrases in groups.values():
            for p in _forms(phrases):
                m.add(p, etype)
    return m.build()


@dataclass
class Detection:
    lang: str
    places: list = field(default_factory=list)    # places named in the item
    actors: list = field(default_factory=list)    # canonical actors named in the item
    events: list = field(default_factory=list)    # reported and claimed events
    expected: list = field(default_factory=list)  # expected and negated events, kept apart


class _Mention:
    """A cue, actor or place of a sentence. A plain class with slots, not a dataclass: an
    item makes a hundred of them, and this builds them at twice the speed."""
    __slots__ = ("tok", "tok_end", "start", "end", "value", "prefix", "victim", "cands", "surface")

    def __init__(self, tok, tok_end, start, end, value, prefix="", cands=(), surface=""):
        self.tok = tok            # index of its first word in the sentence
        self.tok_end = tok_end    # index after its last word
        self.start = start        # offsets in the match form
        self.end = end
        self.value = value
        self.prefix = prefix
        self.victim = None        # is this force the victim, not the doer (``_victim``, cached)
        self.cands = cands        # a place's candidates, best first, and the name as matched
        self.surface = surface

    def _fields(self) -> tuple:
        return (self.tok, self.tok_end, self.start, self.end, self.value, self.prefix, self.victim,
                self.cands, self.surface)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None

    def __repr__(self) -> str:
        return "_Mention" + repr(self._fields())


@lru_cache(maxsize=1 << 16)
def _bare(word: str) -> str:
    """A word without its glued clitics and article."""
    return _ARTICLE.sub("", word) or word


@lru_cache(maxsize=1 << 16)
def _variants(word: str) -> tuple:
    """The word, without its article, and without one glued و ف ب ل (وتجمعات, بأي)."""
    if len(word) > 3 and word[0] in "وفبل":
        return (word, _bare(word), word[1:])
    return (word, _bare(word))


def _tok(form: str, pos: int) -> int:
    return form.count(" ", 0, pos) - 1


def _analyse_all(sentences: list[Sentence], whole: str, gaz, lang: str):
    """Cues, actor mentions and place mentions of each sentence, as token spans: one
    matcher pass over the whole item for cues and actors, one gazetteer pass over the
    sentences that need places (the title and summary, which set the item's countries,
    and the sentences of a full text that hold a cue)."""
    offs = list(accumulate((len(s.form) for s in sentences), initial=0))
    cues = [[] for _ in sentences]
    actors = [[] for _ in sentences]
    # Token indices by counting spaces once along each sentence: the matches come by
    # their word start, ``base`` is where sentence i starts in the text and ``spaces`` the
    # number of its spaces before ``pos``.
    i, base, pos, spaces = 0, 0, 0, 0
    count = whole.count
    mention = _Mention
    add_cue, add_actor = cues[0].append, actors[0].append  # the lists of sentence i
    for ws, end, start, prefix, _, words, vals in _matcher().longest(whole):
        if offs[i + 1] <= ws:
            while offs[i + 1] <= ws:
                i += 1
            base = pos = offs[i]
            spaces = 0
            add_cue, add_actor = cues[i].append, actors[i].append
        spaces += count(" ", pos, ws)
        pos = ws
        t0 = spaces - 1                              # the word's index in its sentence
        t1 = t0 + words
        for v in vals:
            m = mention(t0, t1, start - base, end - base, v, prefix)
            if v[0] == "cue":
                add_cue(m)
            else:
                add_actor(m)
    need = [j for j, s in enumerate(sentences) if cues[j] or s.field != "text"]
    places = [[] for _ in sentences]
    forms = [sentences[j].form for j in need]
    sub = "".join(forms)
    cased = None
    if lang != "ar":
        pieces = []
        for j in need:
            c = _cased(sentences[j].text)
            pieces.append(c if len(c) == len(sentences[j].form) else sentences[j].form.upper())
        cased = "".join(pieces)
    if cased is not None and len(cased) != len(sub):
        for j in need:
            form = sentences[j].form
            for p in gaz.find(form, _cased(sentences[j].text)):
                places[j].append(_Mention(_tok(form, p.start), _tok(form, p.end) + 1, p.start, p.end, p,
                                          "", p.candidates, p.surface))
    else:
        soffs = list(accumulate((len(f) for f in forms), initial=0))
        k, base, pos, spaces = 0, 0, 0, 0  # as for the cues, along each sentence of ``sub``
        count = sub.count
        for p in gaz.find(sub, cased):
            ps = p.start
            if soffs[k + 1] <= ps:
                while soffs[k + 1] <= ps:
                    k += 1
                base = pos = soffs[k]
                spaces = 0
            spaces += count(" ", pos, ps)
            pos = ps
            t0 = spaces - 1
            if base:
                p.start -= base
                p.end -= base
            places[need[k]].append(_Mention(t0, t0 + p.words, p.start, p.end, p, "", p.candidates,
                                            p.surface))
    return list(zip(sentences, cues, actors, places))


class _Words(list):
    """The words of a sentence's match form; ``masks`` (made on first use) tells for each
    word which of the word lists of ``_MASKED`` it or one of its variants belongs to, and
    ``any`` which lists any word of the sentence belongs to. Made by ``of``, which sets
    each slot (list's own ``__init__`` is quicker than one in Python). Slots, not an
    instance dict and defaults of the class: they are read for each cue and each place,
    and Python reads a slot of a list subclass several times quicker."""
    __slots__ = ("form", "dated", "masks", "any", "_years", "first")

    @classmethod
    def of(cls, form: str) -> _Words:
        # (a match form's words are separated by single spaces, with one at each end:
        # splitting at " " is quicker than at any whitespace, which looks each Arabic
        # letter up in the Unicode database)
        words = cls(form[1:-1].split(" ") if len(form) > 2 else ())
        words.form = form
        # Does it hold "عام" (a year), which dates an event (``_dated_before``)? Asked
        # for each cue, and most sentences hold none.
        words.dated = "عام" in form
        words.masks = None  # (made by ``_masks``)
        words.any = 0
        words._years = None  # (made by ``_years``)
        words.first = None  # a word list's bit: the index of its first word in the sentence (``_first``)
        return words


def _masks(words: _Words) -> list[int]:
    ms = words.masks
    if ms is None:
        ms = words.masks = list(map(_MASK_OF.__getitem__, words))
        words.any = reduce(or_, filter(None, ms), 0)  # (most words are in no list: 0)
    return ms


def _window(words: list[str], a: int, b: int) -> set[str]:
    return {v for w in words[a if a > 0 else 0:b] for v in _variants(w)}


def _any_of(words: list[str], a: int, b: int, wanted: frozenset) -> bool:
    """Does a word among words[a:b] (or one of its variants) belong to ``wanted``, a word
    list without a bit (``_hit``)? ``not wanted.isdisjoint(_window(words, a, b))``, up to
    the first such word."""
    for w in words[a if a > 0 else 0:b]:
        if not wanted.isdisjoint(_variants(w)):
            return True
    return False


def _hit(words: _Words, a: int, b: int, wanted: frozenset) -> bool:
    """Does a word among words[a:b] (or one of its variants) belong to ``wanted``?
    The same as ``bool(_window(words, a, b) & wanted)``, by bit masks cached per word."""
    return _hitb(words, a, b, _BIT[wanted])


def _hitb(words: _Words, a: int, b: int, bit: int) -> bool:
    """``_hit`` by the word list's bit."""
    ms = words.masks
    if ms is None:
        ms = _masks(words)
    if not words.any & bit:
        return False
    for m in ms[a if a > 0 else 0:b]:
        if m & bit:
            return True
    return False


def _first(words: _Words, bit: int) -> int:
    """The index of the first word of the sentence in the word list ``bit``, else its
    length: ``_hitb(words, 0, b, bit)`` is ``_first(words, bit) < b``, without a scan of
    the words before each cue."""
    if words.first is None:
        words.first = {}
    i = words.first.get(bit)
    if i is None:
        i = len(words)
        for j, m in enumerate(_masks(words)):
            if m & bit:
                i = j
                break
        words.first[bit] = i
    return i


def _years(words: _Words) -> tuple[list[int], list[int]]:
    """Where the sentence's words are years (``_YEAR``), and where a word "عام", "in"
    or "سنه" is followed by a year."""
    ys = words._years
    if ys is None:
        # every word follows a space in the form: no " 19" and no " 20", no year (and
        # only a word that starts so is matched)
        form = words.form
        ys = ([i for i, w in enumerate(words) if w[:2] in ("19", "20") and _YEAR.match(w)]
              if " 19" in form or " 20" in form else [])
        old = [y - 1 for y in ys if y >= 1 and words[y - 1] in ("عام", "in", "سنه")]
        ys = words._years = (ys, old)
    return ys


class _MaskCache(dict):
    """word: its ``_mask`` (the bits of its word lists, and ``_B_MODAL_WORDS``), made on
    the first look-up (a dict's own look-up, quicker than a cached function's call)."""

    def __missing__(self, word: str) -> int:
        vs = _variants(word)
        m = sum(bit for wl, bit in _BIT.items() if not wl.isdisjoint(vs))
        if word in ("لم", "قد") or _WILL_LAUNCH.match(word):
            m |= _B_MODAL_WORDS
        if len(self) >= 1 << 17:
            self.clear()  # a bound on the memory, as an LRU cache would keep
        self[word] = m
        return m


_MASK_OF = _MaskCache()
_mask = _MASK_OF.__getitem__


def detect_item(title: str, summary: str = "", text: str = "") -> Detection:
    """Frontline events of one news item. See the module docstring."""
    gaz = _gazetteer.load()
    fields = (("title", title or ""), ("summary", strip_html(summary or "")), ("text", strip_html(text or "")))
    lang = detect_language(" ".join(f[1][:200] for f in fields))
    det = Detection(lang=lang)
    sentences = split_fields(fields)
    whole = "".join(s.form for s in sentences)
    # Most news holds no event: one cheap pass over the whole item finds that out first,
    # and only the title's places are then looked up.
    if not _cue_matcher().any(whole):
        det.places = [p.place.as_dict() for s in sentences[:1] if s.field == "title"
                      for p in gaz.find(s.form, None if lang == "ar" else _cased(s.text))]
        return det
    analysed = _analyse_all(sentences, whole, gaz, lang)
    # Countries the item is about: they settle ambiguous names and contextual actors.
    countries: dict[str, int] = {}
    for s, _, _, places in analysed:
        for p in places:
            cands = p.value.candidates
            cc = cands[0].country
            if len(cands) > 1 and any(c.country != cc and _plausible(c) for c in cands[1:]):
                continue  # طرابلس (Libya or Lebanon) is what the others settle
            countries[cc] = countries.get(cc, 0) + (2 if s.field == "title" else 1)
    top_country = max(countries, key=countries.get) if countries else None
    seen_places, seen_actors = {}, []
    resolved: dict = {}  # names read as another place by their context ("X بY"), for the item
    background: list[dict] = []
    struck_forces = set()  # forces whose positions the item's strikes hit
    # a word of _PROTEST (a variant of a word: the word or an end of it) in the title or
    # summary; most hold none of those strings at all
    head = "".join(s.form for s in sentences if s.field != "text")
    protest = any(p in head for p in _PROTEST) and any(
        _mask(w) & _B_PROTEST for w in head.split())
    title_places = []
    title_event_places = {}  # type -> the place of the title's first event of that type
    title_actor, title_speaker = None, False
    title_teller = False  # the title's doer is a state or its leader by name (``_TELLERS``)
    title_besieger = None  # the title's doer as the besieger of the summary's "المحاصرة"
    for s, cues, actors, places in analysed:
        for p in places:
            # (one candidate, most names: it is the place)
            p.value = p.cands[0] if len(p.cands) == 1 else _pick(p.value, countries)
        if not (cues or actors or places) and s.field != "title":
            continue
        if not (cues or places) and s.field == "text" and not any(a.value[2] for a in actors):
            # a sentence of a full text naming forces only: they count among the item's
            # actors, and nothing else is read from it
            for a in actors:
                if not a.value[1].startswith("@") and a.value[1] not in seen_actors:
                    seen_actors.append(a.value[1])
            continue
        words = _Words.of(s.form)
        _masks(words)  # the word lists of its words, read by most of what follows
        places = [p for p in places if not _aside(p, actors, words, countries)
                  and not (actors and _in_foreign_name(p, actors))]
        if (s.field != "text" or cues) and words.any & _B_UNITS:
            places = _unit_places(places, words, gaz)
        for p in places:
            if p.surface in resolved:
                p.value = resolved[p.surface]
        if len(places) > 1 or (places and words.any & _B_DIRECTIONS):
            # (a place alone is read with its neighbours only after a direction word)
            places = _settle_places(places, words, gaz, resolved)
        if cues and not places and " البلاد " in s.form:
            places = _the_country(words, gaz, top_country or next(
                (_HOME[a] for a in seen_actors + [a.value[1] for a in actors] if a in _HOME), None))
        for p in places:
            seen_places.setdefault(p.value.name, p.value)
        if s.field == "title":
            title_places = places
        for i, a in enumerate(actors):
            if not a.value[2]:
                continue
            prev = actors[i - 1] if i else None
            if prev is not None and prev.value is not None and a.tok - prev.tok_end <= 0:
                # a nationality right after a force says whose it is (طائرات حربية روسية)
                # or just describes a named one (ميليشيات الحوثي الإيرانية)
                if prev.value[1].startswith("@"):
                    prev.value = ("actor", a.value[1], False)
                    prev.tok_end = a.tok_end
                a.value = None
            elif not _nisba_ok(a, words):
                a.value = None
        actors = [a for a in actors if a.value is not None
                  and not (words.any & _B_BORDER and s.form[a.start:a.end] in _actors.STATE_NAMES
                           and _over_border(a.tok, words))]
        for a in actors:
            if not a.value[1].startswith("@") and a.value[1] not in seen_actors:
                seen_actors.append(a.value[1])
        if s.field == "title" and title_actor is None:
            doers = [a for a in actors if not _victim(a, words)
                     and not _hitb(words, a.tok_end, a.tok_end + 5, _B_INTERCEPT)]
            # a force driven out (طرد الحوثيين) or a place taken from (من داعش) is no doer
            objects = [c for c in cues if "o" in c.value[2] or c.value[1] == "capture"]
            doers = [a for a in doers if not any(
                ("o" in c.value[2] and 0 <= a.tok - c.tok_end <= 1) or _taken_from(a, words) for c in objects)]
            title_actor = doers[0].value[1] if doers else None
            # "واشنطن: ..." names who speaks: not the doer of an attack the item tells of
            title_speaker = bool(doers) and doers[0].tok == 0 and _speaker_prefix(s, doers[0])
            doer_name = s.form[doers[0].start:doers[0].end] if doers else ""  # (as written)
            # "فرنسا تتهم النظام بهجوم كيماوي": a state by its name in a title on a chemical
            # attack tells of it or reacts (``_reporting_state``)
            title_teller = doer_name in _TELLERS
            if doers and not title_speaker and _TOXIC.search(s.form):
                title_speaker = title_teller
            # the force doing the title's event ("مع اقتراب القوات التركية"), not a state by
            # its name nor a party to talks ("روسيا تؤجل مفاوضات"), besieges the place the
            # summary calls besieged
            title_besieger = title_actor if cues and doers and not _parley(doers[0], words) and (
                doer_name not in _actors.STATE_NAMES) else None
        for raw, intercept, struck, ev in _sentence_events(s, words, cues, actors, places):
            if ev["modality"] == "background":
                # (its doer, if named: another side's event at the place is still reported)
                ev["actor"] = _actors.resolve(raw, ev["place"]["country"]) if raw else None
                background.append(ev)
                continue
            if s.field != "text":
                # RSS items: the title sets the scene for the summary's sentences
                if ev["place"] is None and title_places:
                    # the place of the title's event of this type ("اليمن: الحوثيون يقصفون
                    # الرياض"), else the title's first place
                    ev["place"] = title_event_places.get(ev["type"]) or title_places[0].value.as_dict()
                elif s.field == "title" and ev["place"] is not None:
                    title_event_places.setdefault(ev["type"], ev["place"])
                if s.field != "title" and raw == "@besieger":
                    raw = title_besieger or raw
                # (a state or leader the title names reacts to the summary's chemical attack:
                # "ترامب: سنتخذ قرارا" over "بشأن الهجوم الكيماوي")
                if s.field != "title" and not (ev["type"] == "attack" and (title_speaker or (
                        title_teller and _TOXIC.search(s.form)))):
                    raw = raw or title_actor
            country = ev["place"]["country"] if ev["place"] else top_country
            if (raw is None and ev["type"] == "strike" and not intercept and _DRONES.isdisjoint(words)
                    and not _SHELLS.search(ev["evidence"]["cues"][0]) and _UNIDENTIFIED.isdisjoint(words)):
                # unnamed air strikes: the air force that strikes there (unnamed drones
                # are flown by armed groups as often, and shells fired by guns and mortars:
                # their sender is not said; "غارة مجهولة", an unidentified strike, is no one's)
                raw = "@air"
                ev["_default"] = True
            elif ev["type"] == "siege" and raw in (None, "@besieger"):
                raw = "@besieger"  # "الغوطة المحاصرة": the besieger is not named
                ev["_default"] = True
            ev["actor"] = _actors.resolve(raw or "unknown", country)
            if struck:  # (most events: none)
                struck_forces.update(_actors.resolve(v, country) for v in struck)
            if protest and (ev["type"] == "clash" or (
                    ev["type"] == "attack" and _FIRE_ON_CROWDS.search(ev["evidence"]["cues"][0])
                    and _CROWDS.search(s.form))):
                # fire on protesters (the Gaza border protests) is no frontline event, nor
                # the gas or shots fired at them ("اختناق بالغاز إثر قمع مظاهرات")
                continue
            if ev["place"] is None:
                continue  # an event with no place at all is too often not an event
            (det.events if ev["modality"] in ("reported", "claimed") else det.expected).append(ev)
    det.places = [p.as_dict() for p in seen_places.values()]
    det.actors = seen_actors
    # an event the item gives as background or a cause (ردا على هجوم X) is not reported
    # by another sentence of it either; the other side's at that place is ("قصف مواقع
    # إسرائيلية في غزة ردا على القصف الإسرائيلي")
    if background:
        det.events = [e for e in det.events if not any(
            b["type"] == e["type"] and b["place"] and e["place"] and b["place"]["level"] != "country"
            and b["place"]["name"] == e["place"]["name"] and not _other_side(b["actor"], e["actor"])
            for b in background)]
    for e in det.events:
        if e.get("_default") and e["type"] == "strike" and e["actor"] in struck_forces:
            e["actor"] = "unknown"  # strikes on the Syrian army's positions are not its own air force's
    det.events = _dedupe(_drop_generic(det.events))
    for e in det.events:
        e.pop("_default", None)
    for e in det.expected:
        e.pop("_generic", None)
        e.pop("_default", None)
    det.expected = _dedupe(det.expected)
    return det


_FIRE_ON_CROWDS = re.compile("اطلاق نار|اطلاق النار|بالغاز|الغاز")
_CROWDS = re.compile("متظاهر|محتج|مظاهر|تظاهر|احتجاج")
_UNIDENTIFIED = _words("مجهوله مجهول مجهولا مجهولين المجهوله unidentified")
_SHELLS = re.compile("قذيف|قذائف|هاون|مقذوف")


def _other_side(a: str | None, b: str) -> bool:
    """Are two events' doers both named, and different forces?"""
    return a not in (None, "unknown") and b != "unknown" and a != b


# The country of a government's forces or of a local armed group.
_HOME = {"syria_gov": "SY", "iraq_gov": "IQ", "yemen_gov": "YE", "afghan_gov": "AF", "iran": "IR",
         "turkey": "TR", "israel": "IL", "lna": "LY", "libya_gov": "LY", "houthis": "YE", "sdf": "SY",
         "syria_rebels": "SY", "hts": "SY", "peshmerga": "IQ", "taliban": "AF", "al_shabaab": "SO"}


def _in_foreign_name(p: _Mention, actors: list[_Mention]) -> bool:
    """Is the place a word of the name of a force from another country ("فيلق القدس",
    Iran's Quds Force, names no event in Jerusalem)? (A force's own town, "مجلس منبج
    العسكري", and a country, "القوات الأميركية في أفغانستان", stay places.)"""
    if p.value.level == "country":
        return False
    start, end = p.start, p.end
    for a in actors:  # (a loop, not ``any``: it is asked of most places, and most hold no force)
        if (a.start <= start and end <= a.end and a.end - a.start > end - start
                and _HOME.get(a.value[1], p.value.country) != p.value.country):
            return True
    return False


def _the_country(words: list[str], gaz, country: str | None) -> list[_Mention]:
    """"غربي البلاد" (the west of the country) names the country the item is about
    (a direction of a country is the country, GUIDELINES.md)."""
    i = words.index("البلاد")
    place = gaz.countries.get(country) if country else None
    if place is None or i == 0 or _bare(words[i - 1]) not in _DIRECTIONS:
        return []
    start = 1 + sum(len(w) + 1 for w in words[:i])
    m = _Mention(i, i + 1, start, start + len(words[i]), place)
    m.cands, m.surface = (place,), words[i]
    return [m]


def _cased(text: str) -> str:
    """The match form of an English sentence before case folding (for capitalisation)."""
    return " " + " ".join(re.sub(r"[^\w]+|_+", " ", text).split()) + " "


def _pick(mention, countries: dict[str, int]):
    """The candidate place in the country the item talks about most, else the first."""
    best = mention.candidates[0]
    if len(mention.candidates) > 1 and countries:
        scored = [(countries.get(c.country, 0), -i, c) for i, c in enumerate(mention.candidates)
                  if i == 0 or _plausible(c)]
        top = max(scored, key=lambda t: (t[0], t[1]))
        if top[0] > countries.get(best.country, 0):
            best = top[2]
    return best


def _plausible(p) -> bool:
    """Can a candidate that is not the first be the place meant, when the item's context
    points to its country? Not a town far from the region (موسكو is not Mesquite,
    Texas, in a story about the United States)."""
    return p.curated or p.country in _gazetteer.CORE or p.country in _gazetteer.NEIGHBOURS


def _settle_places(places: list[_Mention], words: _Words, gaz, resolved=None) -> list[_Mention]:
    """Places read with their neighbours.

    - "X بY" (جبهة العقبة بالجوف, a town "in" a region): X lies in Y; a candidate of X
      that is far from Y is another place of that name, so the event is placed in Y
      (and X means Y in the rest of the item: ``resolved``).
    - "X شمال Y" (مديرية خدير جنوبي شرق محافظة تعز): Y only locates X, the finer place.
    - "شمال ووسط سيناء": the first direction's region (North Sinai).
    - A town named beside a governorate ("في لحج وتعز") stands for its governorate.

    ``words.masks`` must be made (``_masks``)."""
    # the places read as a part of a region by a direction before them
    refined = _read_directions(places, words, gaz) if words.any & _B_DIRECTIONS else set()
    for i, p in enumerate(places):
        if p.value.level == "country":
            continue  # (a country is read here only as the neighbour of a finer place)
        q = places[i + 1] if i + 1 < len(places) else None
        if (q is not None and q.tok - p.tok_end <= 2 and q.value.level != "country"
                and _locates(p, q, words)):  # (of two words between them at most)
            # "جبال X في مديرية Y بمحافظة Z", "منطقة X بمدينة Y": X lies in Y; a name
            # the gazetteer gives only to a place of another country, or far away, is
            # another place of that name, so the event is placed in Y
            if q.value.country != p.value.country or _km_places(p.value, q.value) > 200:
                near = [c for c in p.cands if c.country == q.value.country and _km_places(c, q.value) <= 100]
                p.value = near[0] if near else q.value
                if resolved is not None:
                    resolved[p.surface] = p.value
        if (q is not None and q.tok == p.tok_end and words[q.tok][:1] == "ب"
                and q.value.level == "region" and p.value.level == "locality"):
            near = [c for c in p.cands if c.level == "locality" and _km_places(c, q.value) <= 200]
            if near:
                p.value = near[0]
            else:
                p.value = q.value
            if resolved is not None:
                resolved[p.surface] = p.value
        if (q is not None and 1 <= q.tok - p.tok_end <= 3 and p.value.level != "country"
                and q.value.level != "country" and q.value.country == p.value.country
                and all(_bare(w) in _DIRECTIONS or w in _UNIT_WORDS for w in words[p.tok_end:q.tok])
                and any(_bare(w) in _DIRECTIONS for w in words[p.tok_end:q.tok])
                and _km_places(p.value, q.value) <= 150):
            if id(q) in refined and p.value.level == "region":
                # "البادية السورية شرقي ريف حمص": the part of the region named by a
                # direction is the finer place
                p.value = q.value
            else:
                q.value = p.value  # the locator names the same event's place
        if p.value.level == "locality":
            for o in (places[i - 1] if i else None, q):
                if o is None or o.value.level != "region" or o.value.country != p.value.country:
                    continue
                a, b = (o, p) if o.tok < p.tok else (p, o)
                if (b.tok == a.tok_end and words[b.tok].startswith("و")) or words[a.tok_end:b.tok] in (["و"], ["and"]):
                    gov = gaz.lookup(("محافظه " if not p.surface.isascii() else "") + p.surface
                                     + (" province" if p.surface.isascii() else ""))
                    if gov is not None and gov.level == "region" and gov.country == p.value.country:
                        p.value = gov
                    break
    return places


def _read_directions(places: list[_Mention], words: _Words, gaz) -> set:
    """The regions a direction names ("شمال ووسط سيناء", "شرقي ريف حمص"), for
    ``_settle_places``: the ids of the places read as a part of a region."""
    refined = set()
    ms = words.masks
    for p in places:
        # (each reading needs a direction, or one with و, right before the place: by the
        # masks, most places have none)
        if p.tok >= 1 and p.value.level != "locality" and ms[p.tok - 1] & _B_DIRECTIONS:
            name = p.surface
            first = words[p.tok]
            if first[:1] == "و" and first[1:] in _DIRECTIONS and " " in name:
                d1, name = words[p.tok - 1], name.split(" ", 1)[1]  # the matched name is "وسط سيناء"
            elif p.tok >= 2 and words[p.tok - 1][:1] == "و" and words[p.tok - 1][1:] in _DIRECTIONS:
                d1 = words[p.tok - 2]
            else:
                reg = _directional(p, words, gaz)
                if reg is not None:
                    p.value = reg
                    refined.add(id(p))
                continue
            if d1 in _DIRECTIONS:
                reg = gaz.lookup(f"{d1} {name}")
                if reg is not None:
                    p.value = reg
    return refined


def _directional(p: _Mention, words: list[str], gaz):
    """The part of a region a direction before it names, if the gazetteer knows it:
    "شمالي سيناء" (North Sinai), "شرقي ريف حمص" and "جنوب شرق ريف حلب" (the eastern and
    south-eastern countryside: ريف حمص الشرقي)."""
    if p.value.level != "region":
        return None  # "غرب العراق": a direction of a country is the country (GUIDELINES.md)
    dirs = []
    for i in (p.tok - 1, p.tok - 2):
        w = words[i] if i >= 0 else ""
        d = w if w in _DIRECTIONS else w[1:] if w[1:] in _DIRECTIONS and w[:1] in "وبفل" else None
        if d is None or d.isascii():
            break
        dirs.insert(0, d if len(d) == 3 else d[:-1])  # شمالي: شمال
        if w is not d:
            break  # "وشرق": the first of the directions
    if not dirs or dirs[0] == "وسط":
        return None
    name = p.surface
    if name.startswith("ريف "):
        adj = ["ال" + d + "ي" for d in dirs if d != "وسط"]
        tries = [f"{name} {' '.join(adj)}", f"{name} {adj[0]}"]
    else:
        tries = [f"{dirs[0]} {name}"]
    for t in tries:
        reg = gaz.lookup(t)
        if reg is not None and reg.country == p.value.country:
            return reg
    return None


_LOCATOR_WORDS = frozenset(match_form(w).strip() for w in """في مديريه محافظه مدينه بلده قضاء ناحيه منطقه
    ولايه اقليم بمديريه بمحافظه بمدينه ببلده بقضاء بناحيه بمنطقه بولايه باقليم""".split())


def _locates(p: _Mention, q: _Mention, words: list[str]) -> bool:
    """Does q say where p lies: "X في (مديرية) Y", "X بمدينة Y", "X بY"?"""
    gap = words[p.tok_end:q.tok]
    if len(gap) > 2 or not all(w in _LOCATOR_WORDS for w in gap):
        return False
    return bool(gap) and gap[0] in ("في", "in") or (not gap and words[q.tok][:1] == "ب") or (
        bool(gap) and gap[0][:1] == "ب")


_DIRECTIONS = frozenset(match_form(w).strip() for w in """شمال جنوب شرق غرب وسط شمالي جنوبي شرقي غربي
    north south east west central northern southern eastern western""".split())
_UNIT_WORDS = frozenset(_gazetteer.UNIT_WORDS)
_AFFILIATED = frozenset(match_form(w).strip() for w in """المرتبطه المرتبط المرتبطين مرتبطه مرتبط التابعه
    التابع التابعين تابعه تابع الموالي المواليه الموالين موالي مواليه المدعومه المدعوم المدعومين مدعومه
    مدعوم تدعمها يدعمها تدعمه يدعمه تدعمهم يدعمهم تتزعمه يتزعمه تقوده يقوده""".split())


# Words that name a town or a unit before its name (لمدينة دير الزور, باتجاه مدينة نجران)
_TOWN_WORDS = _UNIT_WORDS | _words("مدينه بلده قريه منطقه")


def _affiliation(p: _Mention, words: list[str]) -> bool:
    """A state or capital a force is tied to (المرتبطة بطهران, التابعة للولايات المتحدة,
    المدعومة من إيران, التي تدعمها أمريكا, التحالف الذي تقوده السعودية) is its sponsor or
    leader, not a place of the event."""
    # the word before it first: most places follow no word of affiliation
    i = p.tok - 1
    if i >= 2 and words[i - 1:i + 1] == ["من", "قبل"]:
        i -= 1  # "المدعومة من قبل أمريكا": backed by
    if i >= 1 and words[i] == "من":
        i -= 1
    if i < 0 or words[i] not in _AFFILIATED:
        return False
    if p.surface.split(" ", 1)[0] in _TOWN_WORDS:
        return False  # "قرى تابعة لمدينة دير الزور": villages of the town, no sponsor
    return p.value.level == "country" or p.value.population >= 1000000 or p.value.curated


def _stray(p: _Mention, countries: dict) -> bool:
    """A small GeoNames village abroad, the item's only word of its country, beside the
    places of another: the same name as a local place GeoNames lacks (منطقة المغار)."""
    v = p.value
    if v.curated or v.level != "locality" or v.population >= 50000:
        return False
    own = countries.get(v.country, 0)
    others = sum(countries.values()) - own
    return own <= 2 and others >= 2 and len(p.cands) == 1


_UNITS = ("محافظه", "ولايه", "اقليم")


def _unit_places(places: list[_Mention], words: _Words, gaz) -> list[_Mention]:
    """"ولاية فراه", "محافظة تعز", "إقليم X": an administrative word names the province,
    not the town of its name; a name the gazetteer lacks (another transliteration) is
    looked up by its skeleton among the provinces. (``words.masks`` must be made.)"""
    starts = {p.tok: p for p in places}
    added = []
    # (the words of ``_UNIT_NAMES`` or a variant of one, by their masks: a few of the sentence)
    for i in [i for i, m in enumerate(words.masks[:-1]) if m & _B_UNITS]:
        if _bare(words[i]) not in _UNITS:
            continue
        p = starts.get(i + 1)
        if p is not None:
            if p.value.level == "locality":
                reg = gaz.region_for(p.surface, p.value.country)
                if reg is not None:
                    p.value = reg
            continue
        if any(q.tok <= i < q.tok_end for q in places):
            continue
        name, reg = words[i + 1], None
        for n in dict.fromkeys((name, _bare(name))):
            reg = reg or (gaz.region_for(n) if len(n) >= 4 else None)
        if reg is not None:
            start = 1 + sum(len(x) + 1 for x in words[:i + 1])
            added.append(_Mention(i + 1, i + 2, start, start + len(words[i + 1]), reg, "", (reg,), name))
    if added:
        places = sorted(places + added, key=lambda m: m.tok)
    return places


def _km_places(a, b) -> float:
    return _km({"lat": a.lat, "lon": a.lon}, {"lat": b.lat, "lon": b.lon})


def _aside(p: _Mention, actors: list[_Mention], words: _Words, countries: dict) -> bool:
    """Is the place named aside from the sentence's events: a country as the doer
    (``_is_actor_place``), a force's sponsor (``_affiliation``), a stray village abroad
    (``_stray``)? Each applies to its own kind of place only, told here first.
    (``words.masks`` must be made.)"""
    v = p.value
    # (most sentences name no force and hold no word of affiliation or of a border: the
    # tests that need one are not made)
    bits = words.any
    if v.level == "country":
        return bool((actors and _is_actor_place(p, actors, words))
                    or (bits & _B_AFFILIATED and _affiliation(p, words))
                    or (bits & _B_BORDER and _over_border(p.tok, words)))
    if v.population >= 1000000 or v.curated:
        # (a capital that names its state's forces, "عملية عسكرية بدأتها أنقرة", is one too)
        return bool((bits & _B_AFFILIATED and _affiliation(p, words))
                    or (actors and p.surface in _actors.STATE_NAMES and _is_actor_place(p, actors, words)))
    return _stray(p, countries)


_BORDER = _words("حدود الحدود حدودها حدوده border borders")


def _over_border(tok: int, words: list[str]) -> bool:
    """Is the word at ``tok`` a country across a border ("قرب الحدود مع العراق وإيران")?
    The event is on this side of it: the country is neither its place nor its doer.
    ("عبر الحدود مع سوريا", across it, is in that country.)"""
    for i in range(tok - 1, max(tok - 4, 0), -1):
        if words[i] in ("مع", "with"):
            return ((_bare(words[i - 1]) in _BORDER or words[i - 1] in _BORDER)
                    and not (i >= 2 and words[i - 2] in ("عبر", "across")))
    return False


def _is_actor_place(p: _Mention, actors: list[_Mention], words: list[str]) -> bool:
    """A country or its capital named as the doer ("Israel struck", أطلقت إسرائيل, تشن أنقرة)
    is an actor, not the place; after a preposition ("on Israel", على إسرائيل) it is a place."""
    start, end = p.start, p.end
    for a in actors:
        if a.start <= start and a.end >= end:
            break
    else:
        # (a place's offsets take in its clitics, a force's do not) "الولايات المتحده
        # وبريطانيا وفرنسا": a state joined by و to a state named as the doer is one too
        for a in actors:
            if a.tok == p.tok and a.tok_end == p.tok_end and a.prefix == "و":
                return _doer_state_before(a, actors, words)
        return False
    glued = (p.tok < len(words) and words[p.tok][:1] in "بف"
             and len(words[p.tok]) > len(match_form(p.value.name).strip()))
    # ("في العاصمة طهران": a capital named as a town is a place)
    # ("مدينة سورية", a Syrian town, names no country)
    town = p.value.level != "country" and p.tok >= 1 and words[p.tok - 1] in _CAPITAL_WORDS
    return not (glued or town or _hitb(words, p.tok - 1, p.tok, _B_TARGET_PREPOSITIONS))


_CAPITAL_WORDS = _words("العاصمه عاصمه مدينه المدينه")


def _doer_state_before(a: _Mention, actors: list[_Mention], words: list[str]) -> bool:
    """Is the force just before ``a`` a state named as the doer: by its bare name, not
    after a preposition, or itself joined by و to one such ("وبريطانيا وفرنسا")?"""
    for b in actors:
        if b.tok_end == a.tok:
            if b.prefix == "و":
                return _doer_state_before(b, actors, words)
            return (not b.prefix and " ".join(words[b.tok:b.tok_end]) in _actors.STATE_NAMES
                    and not _hitb(words, b.tok - 1, b.tok, _B_TARGET_PREPOSITIONS))
    return False


def _nisba_ok(a: _Mention, words: _Words) -> bool:
    """A nationality adjective names forces only next to a military noun. (``words.masks``
    must be made.)"""
    t = a.tok
    if a.value[1] and words[t].isascii():
        nxt = words[a.tok_end] if a.tok_end < len(words) else ""
        return nxt in MILITARY_NOUNS
    ms = words.masks
    for i in (t - 1, t - 2):
        if i < 0:
            break
        if ms[i] & _B_MILITARY_NOUNS:
            return True  # also with a glued preposition: لغارات إسرائيلية
        if words[i][:1] == "و":
            break  # "الجيش والسفارة الفرنسية": the nationality is the second noun's
    # "من قبل العراقيين": by the Iraqis, their forces
    return (t >= 2 and words[t - 1] == "قبل" and words[t - 2] == "من"
            and words[t].endswith(("يين", "ين", "ون")))


MILITARY_NOUNS = _actors.MILITARY_NOUNS


def _modality(words: _Words, c: _Mention, flags: str) -> str | None:
    """reported/claimed/expected/negated, or None for background (old, a cause, a trial)."""
    w0, w1 = c.tok, c.tok_end
    ms = words.masks
    if ms is None:
        ms = _masks(words)
    bits = words.any
    before = 0  # the word lists of the five words before the cue (those read here)
    if bits & _B_BEFORE:
        for m in ms[w0 - 5 if w0 > 5 else 0:w0]:
            before |= m
    if before & _B_NEGATED and _hitb(words, w0 - 3, w0, _B_NEGATED):
        return "negated"
    if bits & _B_MODAL_WORDS:  # (most sentences hold no لم, قد or future verb of launching)
        if " لم " in words.form and any(words[i] == "لم" and words[i + 1] in _NOT_STARTED
                                        for i in range(w1, min(w1 + 8, len(words) - 1))):
            return "negated"  # "الهجوم البري على المحافظة لم يبدأ بعد": it has not begun
        if " قد " in words.form and "قد" in words[max(w0 - 3, 0):w0]:
            i = words.index("قد", max(w0 - 3, 0))
            if i + 1 < len(words) and words[i + 1][:1] in "يتن":
                return "expected"
        # (read before the other rules of "expected" below: all return "expected")
        if (w0 and _WILL_LAUNCH.match(words[w0 - 1])) or (w0 > 1 and _WILL_LAUNCH.match(words[w0 - 2])):
            return "expected"  # "ستشن عمليات عسكرية", "سينفذ هجوما": what a side will launch
    if (before & _B_EXPECTED_NOT_QAD and _hitb(words, _clause_start(words, w0), w0, _B_EXPECTED_NOT_QAD)) or (
            bits & _B_EXPECTED_AFTER and _hitb(words, w1, w1 + 2, _B_EXPECTED_AFTER)
            and not _CHEMICAL.search(" ".join(words[w0:w1 + 1]))):
        # ("هجوم كيماوي محتمل" is a suspected attack that happened, not a possible one)
        return "expected"
    if w0 >= 2 and words[w0 - 2] == "مثل" and words[w0 - 1] in _DEMONSTRATIVES:
        return "expected"  # "مثل هذا الهجوم": such an attack, one spoken of, not reported
    if "v" in flags and "س" in c.prefix:
        return "expected"
    if bits & _B_THREAT_OR_WARNING and _threatened_with(words, c):
        return "expected"
    if ("n" in flags and c.prefix and "ل" in c.prefix.replace("ال", "", 1).lstrip("وف")
            and c.prefix not in ("ال", "وال", "فال")):
        return "expected"  # لتحرير, لاستعادة: a purpose
    if before & _B_BACKGROUND or (words.dated and _dated_before(words, w0)):
        return None
    years, old = words._years or _years(words)
    if years:
        if any(w1 <= y < w1 + 6 for y in years):
            return None
        if any(i >= w1 for i in old):
            return None  # "... هجوما على مترو طوكيو عام 1995": an old event
    if bits & _B_CLAIMED and _first(words, _B_CLAIMED) < w0:
        return "claimed"
    return "reported"


_SINCE = frozenset(("منذ", "since"))
_THREATEN = _words("""توعد يتوعد تتوعد توعدت هدد هددت يهدد تهدد تعهد تعهدت يتعهد تتعهد لوح لوحت يلوح تلوح""")
# Warning or holding a side back from an act (حذر X من شن هجوم, ثني التحالف عن شن هجوم).
_WARN_FROM = _words("""حذر حذرت يحذر تحذر تحذير منع لمنع يمنع تمنع ثني لثني بثني""")


def _threatened_with(words: _Words, c: _Mention) -> bool:
    """Is the cue what a side threatens or vows ("أردوغان يتوعد حزب العمال بالعراق بشن
    عملية عسكرية", "يتعهد بالسيطرة على X"), or warns another from ("حذر ترامب الرئيس
    السوري بشار الأسد من شن هجوم على إدلب")? The act follows ب, or من/عن and a verb of
    launching, after the verb and its object. (Asked only of a sentence that holds a word
    of a threat or a warning, ``_B_THREAT_OR_WARNING``: most hold neither.)"""
    w0 = c.tok
    if "ب" in c.prefix.replace("ال", "", 1) or (w0 and words[w0 - 1][:1] == "ب"):
        return _hitb(words, w0 - 8, w0, _B_THREATEN)
    if w0 >= 2 and words[w0 - 2] in ("من", "عن") and _bare(words[w0 - 1]) in _LAUNCH:
        return _hitb(words, w0 - 12, w0, _B_WARN_FROM)
    return False


# A verb of launching in the future (ستشن, سينفذ, ستبدأ).
_WILL_LAUNCH = re.compile(r"^[وف]?س[يتن](شن|نفذ|بدا|طلق|خوض)")
_CHEMICAL = re.compile("كيماوي|كيميائي|كيمياوي|غاز|سارين|كلور")
_AFTER = _words("بعد بعدما عقب اثر")


def _clause_start(words: list[str], w0: int) -> int:
    """The first of the five words before a cue in its clause: "إسرائيل تحذر إيران بعد
    غارات واسعة" reports the strikes the warning follows."""
    for i in range(w0 - 1, max(w0 - 5, 0) - 1, -1):
        w = words[i]
        if (w in _AFTER or (w[:1] in "وف" and w[1:] in _AFTER)) and not (i and words[i - 1] in ("ما", "لما")):
            return i + 1  # (not "خطة ما بعد تحرير X": what comes after it, a plan)
    return max(w0 - 5, 0)


_DATED_YEAR = re.compile(r"^(19|20)\d\d$")
_PAST = _words("الماضي المنصرم الفائت")
_SPAN = _words("بعد قبل منذ من نحو قرابه")


def _dated_before(words: _Words, w0: int) -> bool:
    """Is the event dated a year or more back in the five words before its cue ("عام
    2014 سيطر التنظيم", "العام الماضي", "بعد عام على تحريرها")? An old event, or an
    anniversary. ("الأمين العام", the Secretary-General, and "بشكل عام", in general,
    date nothing.)"""
    if not words.dated:
        return False
    for i in range(max(w0 - 5, 0), w0):
        w = words[i]
        if "عام" not in _variants(w) or i + 1 >= len(words):
            continue
        nxt = words[i + 1]
        if _DATED_YEAR.match(nxt) or nxt in _PAST or (w == "عام" and (
                nxt in ("علي", "من") or (i and words[i - 1] in _SPAN))):
            return True
    return False


# "صاروخ على طائرة", "صاروخ يستهدف طائرة مسيرة": fired at an aircraft
_AT_AIRCRAFT = frozenset(("علي", "on", "at", "يستهدف", "تستهدف", "استهدف", "استهدفت"))
# After a drone shot down: what it was sent to strike ("طائرة مسيرة استهدفت قاعدة X")
_TARGETING = frozenset(match_form(w).strip() for w in """استهدف استهدفت تستهدف يستهدف لاستهداف استهداف
    مهاجمه لمهاجمه هاجمت هاجم قصفت targeted attacked""".split())
_RIGGED = frozenset(("مفخخه", "المفخخه", "مفخخات"))
_FRONTS = frozenset(match_form(w).strip() for w in "جبهه جبهات جبهتي ساحات ساحه ميادين ميدان".split())
_DRONES = frozenset(match_form(w).strip() for w in """مسيره المسيره مسيرات المسيرات طيار درونز
    drone drones""".split())
_AIRCRAFT = frozenset(match_form(w).strip() for w in """طائره الطائره طائرات الطائرات مسيره المسيره
    مسيرات المقاتله مقاتله drone plane aircraft jet""".split())


_PLANES = _AIRCRAFT | _words("مقاتلات مقاتلتين طائرتين طائرتي")


def _aimed_at_aircraft(words: list[str], w1: int) -> bool:
    for i in range(w1, min(w1 + 4, len(words) - 1)):
        if words[i] in _AT_AIRCRAFT and words[i + 1] in _AIRCRAFT:
            return True
    return False


_DEMONSTRATIVES = frozenset(("هذا", "هذه", "ذلك", "تلك", "هذي"))
_NOT_STARTED = _words("يبدأ تبدأ ينطلق تنطلق")
_EXPECTED_NOT_QAD = _EXPECTED - {"قد"}  # قد is judged by the verb after it
_EXPECTED_AFTER = frozenset({"المرتقبه", "المرتقب", "مرتقبه", "مرتقب", "المحتمل", "المحتمله", "محتمل", "محتمله"})
_KILLED_OF = frozenset({"مقتل", "قتل", "قتلي", "مصرع", "اصابه", "قتلت", "قتلوا", "killed", "killing"})


# The word lists ``_hit`` checks, each with its bit.
_MASKED = (_NEGATED, _EXPECTED_NOT_QAD, _EXPECTED_AFTER, _BACKGROUND, _CLAIMED, _VICTIM, _SUPPORT,
           _DEFENCE, _KILLED_OF, _NONMIL_AFTER, _RELATIVE, _STATE_AFTER, _ATTACK_AIR, _ATTACK_LAND,
           _PURPOSE, _FORCE_AFTER, _TARGET_PREPOSITIONS)
_INTERCEPT = _words("""اعترض اعترضت اعترضوا يعترض تعترض اعتراض تصدت تصدي يتصدي تتصدي اسقط اسقطت اسقاط
    يسقط تسقط اسقطوا يسقطون
    intercepted intercept intercepts downed""")
_MASKED = _MASKED + (_INTERCEPT, _AT_AIRCRAFT)
_MASKED = _MASKED + (_NONMIL_SENT, _MILITARY, _AIR, _HAPPENED, _PROTEST, _DIRECTIONS, MILITARY_NOUNS)
_UNIT_NAMES = frozenset(_UNITS)  # (the words ``_unit_places`` reads)
_MASKED = _MASKED + (_UNIT_NAMES, _AFFILIATED, _BORDER, _ELECTION, _BALLOT, _THREATEN, _WARN_FROM)
_BIT = {wl: 1 << i for i, wl in enumerate(_MASKED)}
_B_DIRECTIONS = _BIT[_DIRECTIONS]
_B_UNITS = _BIT[_UNIT_NAMES]
_B_AFFILIATED = _BIT[_AFFILIATED]
_B_BORDER = _BIT[_BORDER]
_B_ELECTION, _B_BALLOT = _BIT[_ELECTION], _BIT[_BALLOT]
_B_BEFORE = _BIT[_NEGATED] | _BIT[_EXPECTED_NOT_QAD] | _BIT[_BACKGROUND]  # read before a cue (``_modality``)
_B_MILITARY_NOUNS = _BIT[MILITARY_NOUNS]
# The words themselves (not a variant) that ``_modality`` reads beyond its word lists:
# "لم" (not yet), "قد" (may) and a verb of launching in the future (``_WILL_LAUNCH``).
# (The bit after the lists'. Shifted from a bit, not written ``1 << len(_MASKED)``: compiled
# by Cython, that shift of two C integers would overflow past bit 31.)
_B_MODAL_WORDS = max(_BIT.values()) << 1
_B_THREATEN, _B_WARN_FROM = _BIT[_THREATEN], _BIT[_WARN_FROM]
_B_THREAT_OR_WARNING = _B_THREATEN | _B_WARN_FROM  # (``_threatened_with``)
(_B_NEGATED, _B_EXPECTED_NOT_QAD, _B_EXPECTED_AFTER, _B_BACKGROUND, _B_CLAIMED, _B_NONMIL_AFTER,
 _B_RELATIVE, _B_STATE_AFTER, _B_ATTACK_AIR, _B_ATTACK_LAND, _B_PURPOSE, _B_FORCE_AFTER, _B_INTERCEPT,
 _B_AT_AIRCRAFT, _B_NONMIL_SENT, _B_MILITARY, _B_AIR, _B_HAPPENED, _B_PROTEST, _B_VICTIM, _B_SUPPORT,
 _B_DEFENCE, _B_KILLED_OF, _B_TARGET_PREPOSITIONS) = (
    _BIT[w] for w in (_NEGATED, _EXPECTED_NOT_QAD, _EXPECTED_AFTER, _BACKGROUND, _CLAIMED, _NONMIL_AFTER,
                      _RELATIVE, _STATE_AFTER, _ATTACK_AIR, _ATTACK_LAND, _PURPOSE, _FORCE_AFTER,
                      _INTERCEPT, _AT_AIRCRAFT, _NONMIL_SENT, _MILITARY, _AIR, _HAPPENED, _PROTEST, _VICTIM,
                      _SUPPORT, _DEFENCE, _KILLED_OF, _TARGET_PREPOSITIONS))


def _victim(a: _Mention, words: _Words) -> bool:
    """Is this force the target, the victim or a supporter rather than the doer?"""
    if a.victim is None:
        t = a.tok
        if not t:
            a.victim = False  # (each rule reads words before the force)
            return False
        ms = words.masks
        if ms is None:
            ms = _masks(words)
        bits = words.any  # most sentences hold no word of these lists: no window is read
        # the word lists of the two and of the three words before it (the windows of most
        # rules), and the word before it
        two = ms[t - 1] | ms[t - 2] if t > 1 else ms[0]
        three = two | ms[t - 3] if t > 2 else two
        prev = words[t - 1]
        # (each rule reads those or the sentence's bits first: they cost least)
        a.victim = bool(
            (two & _B_VICTIM
             # "على يد/أيدي X" (at the hands of X): X is the doer
             and not (prev in _HANDS and t > 1 and words[t - 2] == "علي")
             # "قتلى بهجوم لداعش" (killed in an attack by ISIS): the attack is X's
             and not (a.prefix[:1] == "ل" and not ms[t - 1] & _B_VICTIM and not _BY_NOUNS.isdisjoint(_variants(prev)))
             # "الدليل على أن الحكومة نفذت": the force after أن (that) is its clause's subject
             and prev not in {"ان", "that"})
            or (three & _B_SUPPORT and a.value[1] != "turkey")
            or two & _B_DEFENCE
            # "الدفاعات الجوية التابعة لقوات التحالف": the force the defences belong to
            or (bits & _B_DEFENCE and not _OF_THE.isdisjoint(words[t - 2:t])
                and _hitb(words, t - 4, t, _B_DEFENCE))
            or (bits & _B_KILLED_OF and prev in {"من", "of"} and _hitb(words, t - 5, t, _B_KILLED_OF))
            # "مناطق يسيطر عليها مقاتلو المعارضة", "الخاضعة لسيطرة داعش": who holds
            # the place struck or taken
            or (prev in _ON_IT and t > 1 and _bare(words[t - 2])[:1] in "يت" and "سيطر" in words[t - 2])
            or (prev in {"لسيطره", "سيطره"} and t > 1
                and ("خاضع" in words[t - 2] or _bare(words[t - 2]) in _AREAS))
            # "مقتل 9 من قوات الحرس الوطني", "مقتل جنديين من عناصر الجيش"
            or (bits & _B_KILLED_OF and t > 1 and words[t - 2] in {"من", "of"}
                and _bare(prev) in _UNIT_OF and _hitb(words, t - 6, t, _B_KILLED_OF)))
    return a.victim


_HANDS = frozenset(("يد", "ايدي", "يدي"))
# Events whose doer follows with ل ("هجوم لداعش", an attack by ISIS).
_BY_NOUNS = _words("""هجوم هجمات هجومين هجومان تفجير تفجيرات تفجيرين غاره غارات غارتين قصف كمين
    اعتداء عمليه""")
_AREAS = frozenset(("مناطق", "منطقه"))  # "مناطق سيطرة النظام": the areas the regime holds
_OF_THE = frozenset(("التابعه", "التابع"))  # "الدفاعات التابعة لـX": X's air defences
_BACKED = re.compile(r"^(ال)?(مدعوم|موالي)")
_ON_IT = frozenset(("عليها", "عليه", "عليهم", "عليهما"))
_MUTUAL = frozenset(("متبادل", "متبادله", "mutual"))
_UNIT_OF = frozenset(match_form(w).strip() for w in "قوات عناصر افراد جنود منتسبي مقاتلي ضباط".split())


def _choose_actor(c: _Mention, actors: list[_Mention], words: _Words, doers=None):
    """The force doing the cue's event; ``doers``, if given, are the actors that are not
    victims (``_victim``)."""
    w0, w1 = c.tok, c.tok_end
    if words.masks is None:
        _masks(words)
    if doers is None:
        doers = [a for a in actors if not _victim(a, words)]
    # "التحالف اعترض صواريخ", "air defences intercepted missiles": the force named before
    # an intercept defends; the strike is the launcher's
    if words.any & _B_INTERCEPT:
        cands = [a for a in doers if not (
            a.tok_end <= w0 and _hitb(words, a.tok_end, min(w0, a.tok_end + 5), _B_INTERCEPT))
            and not (a.tok > 0 and _hitb(words, a.tok - 1, a.tok, _B_INTERCEPT))]  # "أسقط الجيش الروسي"
    else:
        cands = doers
    _, etype, flags = c.value
    if etype == "capture":
        # "تحرير المدينة من الحوثيين", "استعادتها من قبضة داعش": the force a place is
        # taken from loses it ("من قبل X", by X, is the doer)
        cands = [a for a in cands if not _taken_from(a, words)]
    if not cands:
        return None
    if etype == "clash":
        span = words[w1:w1 + 12]
        if "بين" in span or "between" in span:
            b = w1 + (span.index("بين") if "بين" in span else span.index("between"))
            sides = [a for a in actors if 0 < a.tok - b <= 3]
            if sides:
                return sides[0].value[1]  # "fighting between X and Y": X, the first side named
    if "o" in flags:
        cands = _drop_object(c, cands, words)
        if not cands:
            return None
    # right after the cue (up to 3 words, else up to 10), the last one before it (up to
    # 18 words), else the nearest within 15 words
    right, left, far_right, near, dist = [], None, None, None, 16
    for a in cands:
        t = a.tok
        if t > w0:
            # after the cue, or inside it ("دخول القوات اليمنية", the cue "دخول القوات"):
            # right after it
            if t - w1 <= 10:
                if t - w1 <= 3:
                    right.append(a)
                if far_right is None:
                    far_right = a
            d = t - w0
        else:
            if 0 <= w0 - a.tok_end <= 18:
                left = a
            d = w0 - t
        if d < dist:
            near, dist = a, d
    if etype == "clash" and left is not None and right:
        # "الجيش ... بعد معارك عنيفة مع الحوثيين": the side fought with is the second one
        right = [a for a in right if words[a.tok - 1] not in ("مع", "with")]
    if left is not None and left.tok_end == w0 and "v" in flags and etype != "clash":
        # a force right before a verb is its subject ("التحالف يدك معسكرا للحوثيين"); one
        # after it is then its object
        right = []
    if right:
        chosen = right[0]
    elif left is not None:
        # "النظام السوري وروسيا وإيران": coordinated forces, the first named leads
        # actors.index(left), without comparing every field of the mentions before it
        i = 0
        for a in actors:
            if a is left or (a.tok == left.tok and a == left):
                break
            i += 1
        while i > 0 and not _victim(actors[i - 1], words) and (
                (actors[i - 1].tok_end == actors[i].tok and words[actors[i].tok].startswith("و"))
                or (actors[i - 1].tok_end == actors[i].tok - 1 and words[actors[i].tok - 1] in ("او", "or"))
                or words[actors[i - 1].tok_end:actors[i].tok] in (["and"], ["and", "allied"])):
            i -= 1
        chosen = actors[i]
    elif far_right is not None:
        chosen = far_right
    elif near is not None:
        chosen = near
    else:
        return None
    # "factions backed by Turkey" fight for Turkey (the guideline's turkey actor).
    for a in cands:
        if a.value[1] == "turkey" and 0 <= a.tok - chosen.tok_end <= 3 and _BACKED.match(words[a.tok]):
            return "turkey"
    return chosen.value[1]


def _drop_object(c: _Mention, cands: list[_Mention], words: list[str]) -> list[_Mention]:
    """A cue whose object is a force (طرد, دحر): "القوات تطرد داعش" and "طرد داعش" name
    the driven-out force right after it; "طردت القوات داعش" names the doer first."""
    right = [a for a in cands if 0 <= a.tok - c.tok_end <= 3]
    if not right or len(right) >= 2:
        return cands
    left = any(0 <= c.tok - a.tok_end <= 8 for a in cands)
    if left or "n" in c.value[2]:
        return [a for a in cands if a is not right[0]]
    return cands


_HOLD = frozenset(match_form(w).strip() for w in "قبضه يد ايدي سيطره براثن".split())


def _taken_from(a: _Mention, words: list[str]) -> bool:
    """Is the force named after "من" (from), or "من قبضة/يد/سيطرة" (from the hands of)?"""
    i = a.tok - 1
    if i >= 1 and _bare(words[i]) in _HOLD:
        i -= 1
    return i >= 0 and words[i] in {"من", "from"}


# (and "صاروخ من اليمن استهدف نجران", "أطلقوه باتجاه نجران": the target after its verb)
_AIMED_AT = _words("""علي ضد باتجاه نحو صوب استهدف استهدفت يستهدف تستهدف
    on against""")


_LANDS = frozenset(("الاراضي", "اراضي"))


def _aimed_at(p: _Mention, words: list[str]) -> bool:
    """Is the place named as a target ("على X", "باتجاه مدينة X", "استهدف X")?"""
    i = p.tok - 1
    if i > 0 and (words[i] in _TOWN_WORDS or words[i] in _LANDS):
        i -= 1  # (and "باتجاه الأراضي السعودية": the lands of a country)
    return i >= 0 and words[i] in _AIMED_AT


def _origin(p: _Mention, words: list[str], actors) -> bool:
    """Is the place where the doer is or came from ("من سوريا", "الحوثيون في اليمن")?"""
    if p.tok == 0:
        return False
    prev = words[p.tok - 1]
    if prev in {"من", "from"}:
        return True
    return prev in {"في", "in"} and any(a.tok_end == p.tok - 1 for a in actors)


def _owned_from(c: _Mention, cues, words: list[str]) -> int:
    """The first word from which the places after cue ``c`` are the places of another
    event, told in a clause of its own between them: "قصف مقر الجماعة التي نفذت هجوم X",
    "غارة ... لتقييم هجوم شنوه على X"? Such a cue is of another type (a relative clause
    about the same strike, "الغارات التي استهدفت X", names the strike's place) and comes
    after a relative pronoun or before the verb that launched it; the places from its
    end on are its own. ``len(words)`` if there is no such cue."""
    limit = n = len(words)
    w1, etype = c.tok_end, c.value[1]
    for c2 in cues:
        # (c2 is c: c2.tok - w1 < 0)
        if c2.tok - w1 < 2 or c2.tok_end >= limit or c2.value[1] == etype:
            continue
        if not _RELATIVE.isdisjoint(words[w1:c2.tok]) or (
                c2.tok_end < n and _LAUNCHES.match(words[c2.tok_end])):
            limit = c2.tok_end
    return limit


def _coordinated(places: list[_Mention], words: list[str]) -> bool:
    """Do any two of the places stand coordinated ("في لحج وتعز", "Ras Lanuf and Es
    Sider"), as ``_choose_places`` joins them?"""
    ends = {p.tok_end for p in places}
    for q in places:
        t = q.tok
        if (t in ends and words[t].startswith("و")) or (t - 1 in ends and words[t - 1] in _AND):
            return True
    return False


def _choose_places(c: _Mention, places: list[_Mention], words: list[str], actors=(),
                   cues=(), coordinated=True) -> list[_Mention]:
    """The places of cue ``c``'s event; ``coordinated`` is False if no two places of the
    sentence stand coordinated (``_coordinated``), so none joins the chosen one."""
    if len(cues) > 1 and places:
        limit = _owned_from(c, cues, words)
        if limit < len(words):
            places = [p for p in places if p.tok < limit]
    if not places:
        return []
    w0, w1, flags = c.tok, c.tok_end, c.value[2]
    # after the cue (up to 12 words), the last before it (up to 10), the first inside it
    after, before, inside = [], None, None
    for p in places:
        t = p.tok
        if t >= w1:
            if t - w1 <= 12:
                after.append(p)
        elif p.tok_end > w0:
            if inside is None:
                inside = p
        elif w0 - p.tok_end <= 10:
            before = p
    if before is not None and before.tok_end == w0 and "p" in flags:
        chosen = before
    elif after:
        chosen = after[0]
        if c.value[1] in {"strike", "attack"} and len(after) > 1 and _origin(chosen, words, actors):
            # "الهجوم الذي شنه الحوثيون في اليمن على السعودية", "from Syria against
            # Israel": the place the strike was aimed at, not where it came from
            target = [p for p in after[1:] if _aimed_at(p, words)]
            if target:
                chosen = target[0]
    elif inside is not None:
        chosen = inside
    elif before is not None:
        chosen = before
    else:
        # the nearest within 20 words, the first of those as near (all are after the cue
        # or before it)
        chosen, dist = None, 21
        for p in places:
            d = p.tok - w1 if p.tok >= w1 else w0 - p.tok_end
            if d < dist:
                chosen, dist = p, d
        if chosen is None:
            return []
    # A country stands for the event only if nothing finer in it is named.
    if chosen.value.level == "country":
        # (the nearest of those, the first of those as near)
        country, finer, dist = chosen.value.country, None, 0
        for p in places:
            if p.value.country == country and p.value.level != "country":
                d = abs(p.tok - chosen.tok)
                if finer is None or d < dist:
                    finer, dist = p, d
        if finer is not None:
            chosen = finer
    out = [chosen]
    if not coordinated:
        return out
    # "في لحج وتعز", "Ras Lanuf and Es Sider": coordinated places share the event, also
    # when the event names the last of them ("في لحج وتعز، بعد مواجهات")
    # (the gap between two places is one of _AND, or none when the second starts with و)
    first = chosen
    for p in reversed(places):
        if p.tok >= first.tok:
            continue
        gap = first.tok - p.tok_end
        if (gap == 0 and words[first.tok].startswith("و")) or (gap == 1 and words[p.tok_end] in _AND):
            out.insert(0, p)
            first = p
        else:
            break
    last = chosen
    for p in places:
        if p.tok <= last.tok:
            continue
        gap = p.tok - last.tok_end
        if (gap == 0 and words[p.tok].startswith("و")) or (gap == 1 and words[last.tok_end] in _AND):
            out.append(p)
            last = p
        elif gap > 0:
            break
    return out


_AND = frozenset(("و", "and", "or"))


def _unaimed(c: _Mention, words: _Words, military: bool) -> bool:
    """Is it an "a" cue (يستهدف) with no air word right before it? It strikes only after
    one ("الطيران التركي يستهدف"), in a military sentence."""
    return "a" in c.value[2] and not (military and _hitb(words, c.tok - 2, c.tok, _B_AIR))


def _sentence_events(s: Sentence, words: list[str], cues, actors, places) -> list[tuple]:
    """The events of a sentence's cues, each as (the actor as named, or None; whether the
    sentence tells of an intercept; the forces whose positions an unnamed striker hit;
    the event)."""
    if not cues:
        return []
    _masks(words)
    bare = words.any  # the word lists the sentence's words belong to
    if bare & _B_NONMIL_SENT and not _training_site_only(words):
        return []
    form = s.form
    military = bool(bare & _B_MILITARY) or any(form[a.start:a.end] not in _UNARMED_NAMES for a in actors)
    air = bool(bare & _B_AIR)
    # a question ("كم هجوما تعرضت له تركيا؟") asks, it does not report
    question = s.text.rstrip(" \"'»”)").endswith(("?", "؟"))
    # a title "حصار الغوطة: أين العالم؟": what comes before the colon is stated, only the
    # rest asked
    asked_from = 0
    if question and s.field == "title" and ":" in s.text:
        asked_from = len(match_form(s.text.rsplit(":", 1)[0]).split())
    # a title's speaker, "واشنطن: ..." (the number of words before its first colon)
    said_end = len(match_form(s.text.split(":", 1)[0]).split()) if s.field == "title" and ":" in s.text else -1
    # missiles shot down: the air force of the defender did not strike
    intercept = bool(bare & _B_INTERCEPT)
    n = len(words)
    # another cue's clause (``_owned_from``) opens only after a relative pronoun or before
    # a launch verb: without either, no cue's places are cut short (a launch verb holds
    # "شن", and most sentences hold none); the cues of clauses are those kept (``_unaimed``)
    clauses = [c for c in cues if not _unaimed(c, words, military)] if len(cues) > 1 and (
        (bare & _B_RELATIVE and not _RELATIVE.isdisjoint(words))
        or ("شن" in s.form and any(c.tok_end < n and _LAUNCHES.match(words[c.tok_end]) for c in cues))) else ()
    coordinated = len(places) > 1 and _coordinated(places, words)
    out = []
    doers = None  # the actors that are not victims, for ``_choose_actor``
    tellers = None  # the actors named as a state or the Pentagon, for ``_reporting_state``
    for c in cues:
        _, etype, flags = c.value
        w0, w1 = c.tok, c.tok_end
        word = words[w0]  # (its first word)
        if "a" in flags and _unaimed(c, words, military):
            continue
        if "v" in flags and "ك" in c.prefix:
            continue  # a verb takes no ك ("as"): كفر is Kafr, not ك + فر "fled"
        if bare & _B_NONMIL_AFTER and _hitb(words, w1, w1 + 3, _B_NONMIL_AFTER):
            continue
        if not military and ("m" in flags or etype in {"withdrawal", "advance", "capture"}):
            continue
        if ("v" in flags and w0 > 0 and bare & _B_RELATIVE and _hitb(words, w0 - 1, w0, _B_RELATIVE)
                and not _hitb(words, w1, w1 + 3, _B_STATE_AFTER)
                and not (w0 >= 2 and _bare(words[w0 - 2]) == "وقت")):
            # الذين يسيطرون على المدينة: who control it, a state ("في الوقت الذي سيطر",
            # while it took, reports)
            continue
        if "t" in flags and not _any_of(words, w1, w1 + 6, TARGETS):
            continue  # هاجم aimed at a person or a state: words, not arms
        # The rules of the cue's own type (each a cue to drop, so their order is free: a
        # cue reads only those of its type)
        if etype == "advance":
            if bare & (_B_ELECTION | _B_BALLOT) and _vote_lead(words, w0, w1):
                continue  # "تقدم قائمة X في الانتخابات", "تقدم الحزب": a lead in a vote, no advance
            if w1 < n and words[w1] in {"علي", "ب"} and not _ASSAULT_ON.match(words[w1 - 1]):
                continue  # تقدم على / تقدم ب: to proceed to, to submit (but هجوما بريا على X: an offensive on X)
            if _bare(words[w1 - 1]).startswith(_OUTSKIRTS) and not _at_outskirts(c, words, actors):
                continue  # "مواقع على مشارف الحديدة", "فتحت أبوابها": where a thing lies, not an advance
            if (("قترب" in word or "قتراب" in word)
                    and _any_of(words, w1, w1 + 5, _PLANES)):
                continue  # "اقتراب مقاتلات قطرية من طائرة مدنية": aircraft near aircraft, no advance
            if _arrival(word) and not _force_arrives(c, words, actors):
                continue  # وصل المبعوث, وصول المساعدات, وصلت الحصيلة إلى: envoys, aid and tolls arrive too
        elif etype == "capture":
            if "v" in flags and w1 < n and words[w1] in _ON_IT and word.lstrip("وف")[:1] in "يت":
                continue  # "مناطق يسيطر عليها المسلحون": which they hold, a state
            if _control_of_fire(words, w1):
                continue  # "سيطرت قوات الدفاع المدني على حريق": firefighters put a fire under control
            if "n" in flags and _any_of(words, w0 - 3, w0, _NEAR_TO):
                continue  # "يقترب من الاستيلاء على الميناء", "اقتراب تحرير X": not yet taken
            if word.startswith(_ITS_CONTROL) and not _control_taken(c, words):
                continue  # "استغلال سيطرتها على", "خلال فترة سيطرتهم على": control held, not taken
        elif etype == "clash":
            if w0 > 0 and not _FRONTS.isdisjoint(_variants(words[w0 - 1])):
                continue  # جبهات القتال: "the frontlines", where forces are sent, not a fight
        elif etype == "siege":
            if "n" in flags and any(o.tok == w0 and "p" in o.value[2] for o in cues):
                continue  # المحاصرة read as "the besieged" (its "p" cue), not as "the siege"
            if w0 > 0 and words[w0 - 1] in ("دول", "الدول"):
                continue  # دول الحصار, الدول المحاصرة: the states boycotting Qatar
            if w1 < n and _bare(words[w1]) in ("امني", "امنيا"):
                continue  # طوقا أمنيا, تطويق أمني: a police cordon
        elif etype == "withdrawal":
            if _bare(word) in _FLEE and not _force_flees(c, actors, words):
                continue  # فرار الآلاف: people fleeing, not a force withdrawing
        elif etype == "strike":
            if not _WEAPONS.isdisjoint(_variants(word)):
                if not (military or bare & _B_HAPPENED):
                    continue  # صاروخ, طائرة بدون طيار, لضربات: a rocket launch, a delivery drone, a setback
                if _weapon_talk(words, w0):
                    continue
        elif etype == "attack":
            if _weapon_talk(words, w0):
                continue
            if _bare(word) == "طعن" and not _COURT.isdisjoint(words):
                continue  # "أيدت المحكمة ... رفض الطعن": an appeal in court, no stabbing
        if "t" in flags and _hitb(words, w0 - 3, w1 + 2, _B_AIR):
            etype = "strike"  # طائرات تهاجم قاعدة: aircraft attack by striking
        generic = "g" in flags  # explosions: the strike that caused them, if reported there
        if etype == "attack" and w0 > 0 and word in _RIGGED and (
                words[w0 - 1] in _AIRCRAFT or words[w0 - 1] == "طيار"):
            etype = "strike"  # طائرات مسيرة مفخخة: explosive drones strike
        if etype == "strike" and w1 < n and _bare(words[w1]) in _MUTUAL:
            etype = "clash"  # قصف متبادل: both sides fire, a clash
        if (etype == "strike" and bare & _B_AT_AIRCRAFT and _hitb(words, w1, w1 + 4, _B_AT_AIRCRAFT)
                and _aimed_at_aircraft(words, w1)):
            continue  # a missile fired at a drone or a plane: air defence, not a strike on a place
        if w0 > 0 and word in _AIRCRAFT and (
                # "صاروخ يستهدف طائرة مسيرة": the aircraft is the target, air defence
                words[w0 - 1] in _AT_AIRCRAFT
                # "أسقطت طائرة مسيرة": a drone shot down, that struck nothing ("استهدفت X")
                or (_hitb(words, w0 - 5, w0, _B_INTERCEPT) and not _any_of(words, w1, w1 + 6, _TARGETING))):
            continue
        if "a" in flags and w1 < n and words[w1] in _AIRCRAFT:
            continue  # an "a" cue aimed at an aircraft ("يستهدف طائرة مسيرة"): air defence
        if (bare & _B_BACKGROUND and _hitb(words, w0 - 5, w0, _B_BACKGROUND)) or (
                words.dated and _dated_before(words, w0)):
            # old background or a cause (ردا على هجوم X): kept aside, so that the item's
            # other mentions of that event are not reported either. Its doer, if named by
            # a nationality right after it (ردا على القصف الإسرائيلي), tells it from the
            # other side's events at the place; where rockets came from (من غزة) is not
            # the place they hit.
            if _SINCE.intersection(words[w0 - 5 if w0 > 5 else 0:w0]):
                # "منذ بدء حملة القصف على X": the start of a campaign whose new strikes
                # other sentences report; it hides none of them
                continue
            old = [p for p in _choose_places(c, places, words, actors)[:1]
                   if not (etype in {"strike", "attack"} and _origin(p, words, actors))]
            doer = next((a.value[1] for a in actors if a.tok == w1 and a.value[2]), None)
            out.extend((doer, False, (), {"type": etype, "place": p.value.as_dict(), "modality": "background",
                                          "evidence": None, "_generic": False}) for p in old)
            continue
        if "h" in flags:
            launched = w0 > 0 and _bare(words[w0 - 1]) in _LAUNCH
            kind = _window(words, w1, w1 + 2) if launched else ()
            if launched and not _ATTACK_KIND.isdisjoint(kind):
                pass  # نفذ هجوما كيماويا, شن هجوما انتحاريا: a launched attack of that kind, no offensive
            elif launched and not _MISSILE_KIND.isdisjoint(kind):
                etype = "strike"  # شنت هجمات صاروخية على X
            elif _hitb(words, w1, w1 + 2, _B_ATTACK_AIR):
                etype = "strike"
            elif _hitb(words, w1, w1 + 2, _B_ATTACK_LAND) or (
                    w0 > 0 and _bare(words[w0 - 1]) in _LAUNCH and not air and actors) or (
                    not air and _launched_by_force(words, w1, actors)):
                etype = "advance"
            elif not bare & _B_HAPPENED:
                continue  # talk about an attack (an inquiry, a count, a warning), not its report
            else:
                generic = True
        if etype == "advance" and _ASSAULT.match(_bare(word)) and _stormed_building(words, w1):
            # اقتحم مسلحون مبنى المحافظة, شن هجوما على قاعدة للتحالف: an assault on a
            # building or a post is an attack, not an advance on a place
            etype = "attack"
        modality = _modality(words, c, flags)
        if modality is None:
            continue
        if modality in {"reported", "claimed"} and (
                (question and w0 >= asked_from)
                # عملية لاستكمال تحرير X, معركة تحرير X: the aim
                or (etype == "capture" and "n" in flags and _hitb(words, w0 - 2, w0, _B_PURPOSE))
                # يطالب بالانسحاب, رهن بانسحاب, أوامره بانسحاب: what is asked or agreed
                # (بدأت الفصائل بالانسحاب: started withdrawing)
                or (etype == "withdrawal" and "n" in flags and c.prefix.lstrip("وف")[:1] == "ب"
                    and not any(map(_STARTED.match, words[max(w0 - 3, 0):w0])))):
            modality = "expected"
        chosen = _choose_places(c, places, words, actors, clauses, coordinated)
        if not chosen and s.field == "text":
            continue  # no place: ``detect_item`` drops it (only the title lends one, to RSS items)
        if tellers is None and etype in {"attack", "strike"}:
            # (only a state by its name or the Pentagon is read as telling of an attack:
            # most sentences name none)
            tellers = [a for a in actors if form[a.start:a.end] in _STATES_AND_BODIES]
        if "p" in flags:
            actor = _besieger(c, actors, words)
        elif etype in {"attack", "strike"} and tellers and any(
                _reporting_state(a, c, words, form, said_end) for a in tellers):
            # "الولايات المتحدة تقول إن X قتل في هجوم كيمياوي", "واشنطن: ...": the state
            # that tells of an attack is not its doer
            told = [a for a in actors if not _reporting_state(a, c, words, form, said_end)]
            actor = _choose_actor(c, told, words)
        else:
            if doers is None:
                doers = [a for a in actors if not _victim(a, words)]
            actor = _choose_actor(c, actors, words, doers)
            if actor is None and etype == "clash" and doers and doers[0].tok < w0:
                # "استعادت القوات الشرعية ... السيطرة على X بعد معارك استمرت أياما": far from
                # the fighting, the first side the sentence names
                actor = doers[0].value[1]
        # the forces whose positions an unnamed striker hit: not their own air force (``detect_item``)
        struck = [a.value[1] for a in actors if _any_of(words, a.tok - 2, a.tok, _POSITIONS)
                  ] if actor is None and etype == "strike" else ()
        evidence = {"sentence": s.text, "field": s.field, "start": s.start, "end": s.end,
                    "cues": [" ".join(words[w0:w1])]}
        for p in chosen or [None]:
            out.append((actor, intercept, struck, {"type": etype, "place": p.value.as_dict() if p else None,
                                                   "modality": modality, "evidence": evidence,
                                                   "_generic": generic}))
    return out


_COURT = _words("محكمه المحكمه محاكم المحاكم قاضي القاضي القضاء قضائي القضائيه الدعوي دعوي النيابه")
_FIRE = _words("حريق الحريق حرائق الحرائق النيران النار الحريقين")


def _vote_lead(words: _Words, w0: int, w1: int) -> bool:
    """Is the advance cue a lead in a vote: a word of the vote (``_ELECTION``) among the
    five words before it or the ten after it, or a list, a party or results
    (``_BALLOT``) among the two after it?"""
    return _hitb(words, w0 - 5, w1 + 10, _B_ELECTION) or _hitb(words, w1, w1 + 2, _B_BALLOT)


def _control_of_fire(words: list[str], w1: int) -> bool:
    """Is what is brought under control (the word after the first على from the cue's
    last word on) a fire?"""
    span = words[w1 - 1:w1 + 8]  # (w1, a cue's end, is at least 1)
    if "علي" not in span:
        return False
    i = w1 - 1 + span.index("علي")
    return i + 1 < len(words) and not _FIRE.isdisjoint(_variants(words[i + 1]))


# Near to, on the verge of (a capture not yet made: the advance is the event)
_NEAR_TO = _words("اقتراب يقترب تقترب اقترب اقتربت يقتربون وشك قاب قرب")
_ITS_CONTROL = ("سيطرته", "سيطرتها", "سيطرتهم")
_TAKING = _words("اعلن اعلنت يعلن تعلن اعلنوا يعلنون احكام استكمل استكملت يستكمل تستكمل استكمال")
_HOLDING = _words("""تعزيز يعزز تعزز عزز عززت استمرار رغم برغم قرب اقتراب يقترب تقترب اقترب اقتربت
    فقدان فقد فقدت يفقد تفقد""")


def _control_taken(c: _Mention, words: list[str]) -> bool:
    """"سيطرته على" (its control of) says control was taken where it is announced, made
    firm or completed (أعلن الجيش سيطرته على, بإحكام سيطرتها على, استكمل سيطرته على) or
    gained by something ("تقدما بسيطرتها على تلة"); not where it is used, kept or near
    (استغلال سيطرتها على, تعزيز سيطرته, يقترب من إحكام سيطرته)."""
    if "ب" in c.prefix.replace("ال", "", 1):
        return True
    near = _window(words, c.tok - 10, c.tok)
    return not _TAKING.isdisjoint(near) and _HOLDING.isdisjoint(near)


_TRAINING = _words("تدريب تدريبات")
_SITES = _words("موقع مواقع معسكر معسكرات مركز مراكز قاعده")


def _training_site_only(words: _Words) -> bool:
    """Is the sentence's only word of a non-military sense (``_NONMIL_SENT``) "training"
    naming a site ("قصف على موقع تدريب", "غارة على معسكر تدريب"), not a drill?"""
    hits = [i for i, m in enumerate(words.masks) if m & _B_NONMIL_SENT]
    return all(i > 0 and not _TRAINING.isdisjoint(_variants(words[i]))
               and not _SITES.isdisjoint(_variants(words[i - 1])) for i in hits)


def _weapon_talk(words: list[str], w0: int) -> bool:
    """Is the weapon of the cue made, tested, shipped or studied (خبراء الصواريخ, اختبرت
    صاروخا, منظومة صواريخ, مواد لصنع قنبلة): the weapon itself, no strike?"""
    return w0 > 0 and not _WEAPON_TALK.isdisjoint(_variants(words[w0 - 1]))


_LAUNCHES = re.compile(r"^[وف]?[يت]?شن(ه|ها|ته|وه|وها)?$")
_STARTED = re.compile(r"^[وف]?(بدا|بدات|بداوا|قام|قامت|قاموا|شرع|شرعت|شرعوا)$")
# The end of a land attack's cue (هجوما بريا, هجوم واسع): على after it names its target.
_ASSAULT_ON = re.compile(r"^(ال)?(بري|بريا|واسع|واسعا)$")
# Before a weapon: it is made, tested, shipped or studied, not fired at a place.
_WEAPON_TALK = _words("""خبراء خبير خبيري خبيرا برنامج برامج ترسانه تجربه تجارب اختبار اختبرت اختبر تختبر
    يختبر شحنه شحنات تهريب صفقه منظومه منظومات مصنع مصانع تطوير تزويد امتلاك امتلكت تمتلك يمتلك تصنيع
    صنع""")
# Storming and offensive words (اقتحمت, هجوما واسعا) and the kinds of attack after "هجوم".
_ASSAULT = re.compile("^[وف]?([يت]?قتحم|اقتحام|اقتحم|هجوم|هجمات)")
_ATTACK_KIND = _words("""كيماويا كيميائيا كيمياويا كيماوي كيميائي انتحاريا انتحاري ارهابيا ارهابي
    مسلحا مسلح بالغاز بالكلور الطعن طعن بالسكين بسكين الدهس دهس بالدهس""")
_MISSILE_KIND = _words("صاروخيه الصاروخيه صاروخيا بالصواريخ")
# What is stormed in an assault on a target (اقتحموا قاعدة عسكرية, مقر المؤسسة), not a
# place a force advances into (اقتحمت القوات مدينة X, مطار X).
_BUILDINGS = _words("""قاعده قواعد مقر مقرا مقرات مبني مبنى مباني نقطه حاجز ثكنه ثكنات سجن فندق
    كنيسه مسجد مخزن مخازن قنصليه سفاره مستشفي""")


def _stormed_building(words: list[str], w1: int) -> bool:
    """Is a building named among the four words after a verb of storming ("اقتحم 3 مسلحين
    مبنى المحافظة")? Not "معاقل تنظيم القاعدة", al-Qaeda's strongholds."""
    for i, w in enumerate(words[w1:w1 + 4], w1):
        if not _BUILDINGS.isdisjoint(_variants(w)) and words[i - 1] != "تنظيم":
            return True
    return False


# The edge of a place (على مشارف, أبواب, مداخل, أطراف): an advance only where a force is there.
_OUTSKIRTS = tuple(match_form(w).strip() for w in "مشارف ابواب مداخل اطراف".split())
_REACH = _words("بلغ بلغت تبلغ يبلغ بلغوا وصل وصلت تصل يصل وصلوا reached")
_STAND = _words("بات باتت باتوا باتا اصبح اصبحت اصبحوا صار صارت اضحت اضحي تقف يقف وقفت")
_TROOPS = _words("""القوات قوات الجيش جيش المقاتلين مقاتلو مقاتلي المسلحين مسلحو عناصر الوحدات وحدات طلائع
    رتل ارتال تعزيزات""")


def _arrival(word: str) -> bool:
    """Is the word "to arrive" or "arrival" (وصلت, ووصل, الوصول, بوصول)?"""
    # (its variants end the word: a word holding neither stem, most, is none)
    return ("وصل" in word or "وصول" in word) and any(v.startswith(("وصل", "وصول")) for v in _variants(word))


def _force_arrives(c: _Mention, words: _Words, actors) -> bool:
    """"وصلت قوات الشرعية", "القوات التركية وصلت", "وصول تعزيزات عسكرية": a force, named right
    next to the verb, arrives; not an envoy, aid, a cargo plane or a death toll."""
    w0, w1 = c.tok, c.tok_end
    for w in words[w1:w1 + 2] + words[w0 - 2 if w0 > 2 else 0:w0]:
        if not _TROOPS.isdisjoint(_variants(w)):
            return True
    for a in actors:
        if (0 <= a.tok - w1 <= 1 or 0 <= w0 - a.tok_end <= 1) and not _victim(a, words):
            return True
    return False


def _at_outskirts(c: _Mention, words: _Words, actors) -> bool:
    """"باتت القوات على مشارف X", "وصلت إلى مشارف X", "تبلغ مشارف X", "الجيش على أبواب
    X": a force has reached the edge of a place. "مواقع الحوثيين على مشارف X", "معارك على
    أطراف X", "فرارهم من مشارف X" say where something lies or happens; "أبوابها" is a door."""
    i = c.tok  # the word before the edge word: على, إلى, or a verb
    if words[i] != "علي":  # (the cue "على أطراف" starts with its على)
        if "ل" in c.prefix.replace("ال", "", 1):
            return True  # لمشارف: to the edge
        i -= 1
        if i < 0:
            return False
        if words[i] in ("الي", "حتي") or not _REACH.isdisjoint(_variants(words[i])):
            return True
        if words[i] != "علي":
            return False
    if i == 0:
        return False
    before = _variants(words[i - 1])
    return (not _STAND.isdisjoint(before) or not _TROOPS.isdisjoint(before)
            or any(a.tok_end == i and not _victim(a, words) for a in actors))


_BY = frozenset(("قبل", "by"))


def _besieger(c: _Mention, actors, words: _Words):
    """The force besieging the place before "المحاصرة" (the besieged): "معقل الفصائل
    المحاصر" names the besieged force before it, so it is a force named farther before
    it, or one after it as "من قبل X" (by X); another force after it belongs to the next
    clause ("الغوطة المحاصرة، بينما استعادت الفصائل بلدة"). A party that talks, mediates,
    evacuates or speaks about the place is none (``_parley``): then "@besieger", the
    default, and not the title's doer either."""
    w0 = c.tok
    cands = [a for a in actors if not 0 <= w0 - a.tok_end <= 5
             and (a.tok < w0 or words[a.tok - 1] in _BY) and not _parley(a, words)]
    return (_choose_actor(c, cands, words) if cands else None) or "@besieger"


# Talks, deals, offers, mediation, evacuation, aid and requests: the party named with
# them deals with a besieged place, it does not besiege it.
_PARLEY = _words("""تفاوض يتفاوض تتفاوض نتفاوض التفاوض مفاوضات المفاوضات محادثات اتفاق اتفاقا
    الاتفاق توصل التوصل عرض يعرض تعرض عرضت وساطه بوساطه وسيط الوسيط اجلاء لاجلاء باجلاء اخراج
    لاخراج اخلاء لاخلاء مساعدات المساعدات قافله قوافل طالب طالبت يطالب تطالب طلب طلبت
    negotiate negotiating negotiations talks deal agreement offered evacuation evacuate aid""")


def _parley(a: _Mention, words: list[str]) -> bool:
    """Is the force named as a party that talks, deals, evacuates or speaks: a word of
    ``_PARLEY`` among the three words before it or the four after it, a speaker's word
    (``_SPEAKER``) right before it or within two after it? "اتفاق مع روسيا على إجلاء
    المصابين من المنطقة المحاصرة", "الجيش الروسي يعرض على المسلحين في الغوطة المحاصرة",
    "قالت وزارة الدفاع الروسية". (Read only for "المحاصرة", a rare cue.)"""
    t, e = a.tok, a.tok_end
    return (_any_of(words, t - 3, t, _PARLEY) or _any_of(words, e, e + 4, _PARLEY)
            or _any_of(words, t - 1, t, _SPEAKER) or _any_of(words, e, e + 2, _SPEAKER))


def _speaker_prefix(s: Sentence, a: _Mention) -> bool:
    """Is the actor a state named alone before a title's colon ("واشنطن: ...")?"""
    return (":" in s.text and s.form[a.start:a.end] in _actors.STATE_NAMES
            and a.tok_end == len(match_form(s.text.split(":", 1)[0]).split()))


_SPEECH = _words("""قال قالت يقول تقول اعلن اعلنت يعلن تعلن اكد اكدت يؤكد تؤكد ذكر ذكرت اعتبر اعتبرت
    اتهم اتهمت يتهم تتهم زعم زعمت تزعم يزعم""")
# A speaker's words: "قالت وزارة الدفاع الروسية", "المتحدث باسم X", "روسيا تعلن".
_SPEAKER = _SPEECH | _words("المتحدث متحدث باسم بيان افاد افادت said says")


# A chemical weapon (كيماوي, كيميائي, كيمياوي, السارين, الكلور, غاز سام, غاز الأعصاب), in
# match form (كيميائي is كيميايي there).
_TOXIC = re.compile(r"كيم[يا]|سارين|كلور|اعصاب|(^| )\S{0,3}سام(ه)?( |$)")
_TELLING_BODIES = _words("البنتاغون Pentagon")
# Names of a state or a leader: they do not by themselves give a cue its military sense.
_UNARMED_NAMES = _actors.STATE_NAMES | _actors.LEADERS
_TELLERS = (_actors.STATE_NAMES - {"النظام"}) | _TELLING_BODIES
_STATES_AND_BODIES = _actors.STATE_NAMES | _TELLING_BODIES  # (those ``_reporting_state`` reads)


def _chemical(words: list[str], c: _Mention) -> bool:
    """Is the cue a chemical attack: a toxic word in it or in the three words after it
    ("هجوم كيماوي", "الهجوم الكيميائي المفترض", "لهجمات بغاز الكلور")?"""
    return bool(_TOXIC.search(" ".join(words[c.tok:c.tok_end + 3])))


def _reporting_state(a: _Mention, c: _Mention, words: list[str], form: str, said_end: int) -> bool:
    """Is the actor a state named as the one who tells of the cue's event: "واشنطن تقول
    إن ..." with the cue in what it says ("إنه/إنها", it did, keeps it the doer), or a
    title's "واشنطن: ..." (``said_end``: the words before the title's colon)? Of a chemical
    attack, a state named by its name (or the Pentagon) only tells of it, accuses or
    reacts ("فرنسا تدين الهجوم الكيماوي", "واشنطن ترى أن النظام شن هجوما كيماويا"): the
    accused, if named, is the doer."""
    name = form[a.start:a.end]
    if name not in _actors.STATE_NAMES:
        return name in _TELLING_BODIES and _chemical(words, c)
    if a.tok == 0 and a.tok_end == said_end <= c.tok:
        return True
    if name != "النظام" and _chemical(words, c):
        # (النظام, the Syrian regime, is the accused, and so is a state named as the
        # attack's owner right after it: "هجوم كيماوي مزعوم لتركيا", "من قبل X")
        return not (0 <= a.tok - c.tok_end <= 3
                    and ("ل" in a.prefix.replace("ال", "", 1) or words[a.tok - 1] in _BY))
    for i in range(a.tok_end, min(a.tok_end + 3, c.tok)):
        if not _SPEECH.isdisjoint(_variants(words[i])):
            return any(words[j] in ("ان", "that") for j in range(i + 1, min(i + 5, c.tok)))
    # the verb first ("أعلنت سوريا وروسيا أن الغارات ... نفذتها إسرائيل")
    if _any_of(words, a.tok - 3, a.tok, _SPEECH):
        return any(words[j] in ("ان", "that") for j in range(a.tok_end, min(a.tok_end + 3, c.tok)))
    return False


def _launched_by_force(words: list[str], w1: int, actors) -> bool:
    """"الهجوم الذي تشنه القوات الحكومية على X": an offensive a named force launches."""
    if w1 + 1 >= len(words) or words[w1] not in _RELATIVE or not _LAUNCHES.match(words[w1 + 1]):
        return False
    if _bare(words[w1 - 1]) != "هجوم":
        return False  # "الهجمات التي شنها": attacks, not one offensive
    return any(0 <= a.tok - (w1 + 2) <= 1 for a in actors)


def _force_flees(c: _Mention, actors: list[_Mention], words: list[str]) -> bool:
    """Is it a force that flees or falls back (فرار عناصر داعش, الحوثيون فروا)?"""
    w0, w1 = c.tok, c.tok_end
    if words[w0].endswith("هم"):
        return bool(actors)  # فرارهم: "their flight", the force named before
    if _hitb(words, w1, w1 + 2, _B_FORCE_AFTER):
        return True
    return any(0 <= a.tok - w1 <= 2 or 0 <= w0 - a.tok_end <= 2 for a in actors)


_LEVEL_RANK = {"country": 0, "region": 1, "locality": 2}


def _km(a: dict, b: dict) -> float:
    la1, lo1, la2, lo2 = map(radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = sin((la2 - la1) / 2) ** 2 + cos(la1) * cos(la2) * sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * asin(min(1.0, sqrt(h)))


def _same_event(a: dict, b: dict) -> bool:
    """Do two events of one type name the same place? A coarser place naming the area of
    a finer one does; two different neighbourhoods of one city in one text do not, but
    near places in the title and the summary are one event told twice."""
    pa, pb = a["place"], b["place"]
    if pa is None or pb is None:
        return pa is pb
    if pa["country"] != pb["country"]:
        return False
    if pa["name"] == pb["name"] or "country" in (pa["level"], pb["level"]):
        return True
    if pa["level"] == pb["level"] and a["evidence"]["field"] == b["evidence"]["field"]:
        return False
    return _km(pa, pb) <= 40.0


def _drop_generic(events: list[dict]) -> list[dict]:
    """A bare "attack" (الهجوم) at a place where the item reports a more specific event
    (the strike, the offensive, the fighting) names that event again."""
    out = []
    for ev in events:
        generic = ev.pop("_generic", False)
        if generic and any(o is not ev and o["type"] != "attack" and _same_event(o, ev) for o in events):
            continue
        out.append(ev)
    return out


_ACTOR_RANK = {"unknown": 0, "other": 1}


def _dedupe(events: list[dict]) -> list[dict]:
    """One event per (type, place): title and summary often state the same one. The
    merged event keeps the finer place and a named actor over an unknown one."""
    out: list[dict] = []
    by_type: dict[str, list[dict]] = {}  # the events of ``out`` of each type, in its order
    for ev in events:
        same_type = by_type.setdefault(ev["type"], [])
        for o in same_type:
            if _same_event(o, ev):
                if o["place"] and ev["place"] and _LEVEL_RANK[ev["place"]["level"]] > _LEVEL_RANK[o["place"]["level"]]:
                    o["place"] = ev["place"]
                    if _ACTOR_RANK.get(ev["actor"], 2) >= _ACTOR_RANK.get(o["actor"], 2) and ev["actor"] != "unknown":
                        o["actor"] = ev["actor"]
                # a named force wins over "other" (a force not in the list), which wins
                # over "unknown", and a named one over the default air force
                if (_ACTOR_RANK.get(o["actor"], 2) < _ACTOR_RANK.get(ev["actor"], 2)
                        or (o.get("_default") and not ev.get("_default") and ev["actor"] not in _ACTOR_RANK)):
                    o["actor"] = ev["actor"]
                    o["_default"] = ev.get("_default")
                break
        else:
            # (merged into in place: each event's dict is its own, made by ``_sentence_events``)
            out.append(ev)
            same_type.append(ev)
    return out


def guideline_record(item_id, detection: Detection) -> dict:
    """The eval format of GUIDELINES.md: {"id", "events": [{"type", "actor", "place"}]}."""
    events = detection.events if isinstance(detection, Detection) else detection["events"]
    return {"id": item_id, "events": [{"type": e["type"], "actor": e["actor"], "place": e["place"]}
                                      for e in events]}
