"""Text normalization for Arabic and English news, sentence splitting, and phrase matching.

Matching never runs on the original text: every sentence gets a *match form* in which
Arabic spelling variants are folded together (alef forms, ى/ي, ة/ه, Persian letters,
diacritics, tatweel), digits are ASCII, English is lower case and every punctuation
mark is a space. Sentences keep their offsets in the original field, so an alert
quotes the sentence as it was published.
"""
from __future__ import annotations

import codecs
import html
import importlib
import re
import unicodedata
from dataclasses import dataclass
from operator import attrgetter

import ahocorasick

# --- character folding -------------------------------------------------------------

_DELETE = (
    [chr(c) for c in range(0x064B, 0x0653)]  # tanwin, harakat, shadda, sukun
    + ["\u0653", "\u0654", "\u0655", "\u0670", "\u0640"]  # madda/hamza marks, dagger alef, tatweel
    + ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff"]  # zero-width, bidi marks
)
_FOLD = {
    # alef forms and hamza seats: writers use them interchangeably
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي",
    # final forms: ى/ي and ة/ه are often swapped (داميه / دامية)
    "ى": "ي", "ة": "ه",
    # Persian, Urdu and Kurdish letters in names written by non-Arabic sources
    "ک": "ك", "ی": "ي", "ې": "ي", "ۍ": "ي", "ە": "ه", "ۀ": "ه", "ہ": "ه", "ھ": "ه",
    "گ": "ك", "پ": "ب", "چ": "ج", "ژ": "ز", "ڤ": "ف",
    # Arabic punctuation to its ASCII role, so sentence and word splitting need one rule
    "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".", "٬": ",", "۔": ".",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
}
_FOLD.update({chr(0x0660 + i): str(i) for i in range(10)})  # Arabic-Indic digits
_FOLD.update({chr(0x06F0 + i): str(i) for i in range(10)})  # Persian digits
_TABLE = str.maketrans({**{c: None for c in _DELETE}, **_FOLD})

_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")
# In the match form anything that is not a letter or digit separates words.
_NON_WORD = re.compile(r"[^\w]+|_+")

ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0660-\u0669\u066E-\u06D3\u06FA-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def strip_html(text: str) -> str:
    """Remove tags and decode entities (summaries from feeds often carry HTML)."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def normalize(text: str) -> str:
    """Folded text: NFKC, Arabic letter variants unified, diacritics gone, case-folded,
    whitespace folded. Punctuation is kept (as its ASCII counterpart)."""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE).lower()
    return _SPACE.sub(" ", text).strip()


def _match_char(c: str) -> str:
    """What one character becomes in the match form."""
    if c in _DELETE:
        return ""
    return "".join(ch if ch.isalnum() else " " for ch in _FOLD.get(c, c)).lower()


# The characters news text most often holds that the match form changes, most frequent
# first, then every letter and digit that folds (those are word characters, so the check
# in ``match_form`` could not catch one left over).
_FREQUENT = "ةأ،إ.ىئ#\"ً_:ؤآـ-؟ّ()%ُ!/«»َ,ٍِ؛*'ٌْ\n\t\r“”’‘"
_STEPS = [(c, _match_char(c)) for c in dict.fromkeys(_FREQUENT + "".join(k for k in _FOLD if k.isalnum()))]


def _match_form_slow(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TABLE).lower()
    return " " + " ".join(_NON_WORD.sub(" ", text).split()) + " "


# --- the match form through the Arabic code page ------------------------------------
#
# Nearly all Arabic news (99% of the corpus's fields) is written in characters of the
# Windows Arabic code page, cp1256, which gives each of them one byte. Encoded so, a text
# is folded by one ``bytes.translate`` (a C table lookup per byte, where ``str`` methods
# go through the Unicode database character by character), and a character's offset in
# the text is its byte's offset, so one encoding of a whole field serves all of its
# sentences. Texts with a character outside the code page take the ``str`` path.
_CODEPAGE = "cp1256"
# The code page's tables, for ``codecs.charmap_encode``/``charmap_decode`` called directly:
# ``str.encode(name)`` looks the codec up and goes through a Python wrapper at each call,
# a third of the cost of encoding a title.
_CP_TABLES = importlib.import_module("encodings." + _CODEPAGE)
_CP_ENCODING, _CP_DECODING = _CP_TABLES.encoding_table, _CP_TABLES.decoding_table


def _byte_rule(b: int) -> bytes | None:
    """What the code page's byte ``b`` becomes in the match form, by the steps of
    ``_match_form_slow``: b"" (deleted), b" " (a separator), the byte of the folded letter
    or digit, or None if that is more than one character or none of the code page
    ("™" becomes "tm", "µ" the Greek "μ")."""
    c = bytes([b]).decode(_CODEPAGE)
    folded = unicodedata.normalize("NFKC", c).translate(_TABLE).lower()
    if not folded:
        return b""
    if not _NON_WORD.sub("", folded):
        return b" "
    if len(folded) == 1:
        try:
            return folded.encode(_CODEPAGE)
        except UnicodeEncodeError:
            return None
    return None


def _byte_tables() -> tuple[bytes, bytes, bytes]:
    """The translation table, the bytes to delete, and the bytes that the fast path cannot
    take (a text holding one goes the ``str`` way)."""
    table, delete, unsafe = bytearray(range(256)), bytearray(), bytearray()
    for b in range(256):
        rule = _byte_rule(b)
        if rule is None:
            unsafe.append(b)
        elif rule:
            table[b] = rule[0]
        else:
            delete.append(b)
    return bytes(table), bytes(delete), bytes(unsafe)


_BYTE_FOLD, _BYTE_DELETE, _BYTE_UNSAFE = _byte_tables()


def _encode(text: str) -> bytes | None:
    """``text`` in the code page, one byte a character; None if it cannot go that way."""
    try:
        raw = codecs.charmap_encode(text, "strict", _CP_ENCODING)[0]
    except UnicodeEncodeError:
        return None
    # A handful of bytes, each looked for as an int (one memchr; see ``_fold_spaces``).
    for b in _BYTE_UNSAFE:
        if b in raw:
            return None
    return raw


def _fold_spaces(raw: bytes) -> bytes:
    """``raw`` with each run of spaces made one space, without making an object of each
    word. (``find``, not ``in``: ``bytes.__contains__`` first tries its operand as an int,
    and the TypeError that raises, made and dropped at each call, costs more than the
    search.)"""
    while raw.find(b"  ") >= 0:
        raw = raw.replace(b"  ", b" ")
    return raw


def _byte_form(raw: bytes) -> str:
    """``match_form`` of an encoded text (or of a slice of one)."""
    folded = _fold_spaces(raw.translate(_BYTE_FOLD, _BYTE_DELETE))
    return (b" " + folded.strip(b" ") + b" ").decode(_CODEPAGE)


# Joins the slices for ``_byte_forms``: "™", a byte of the code page that no
# text taking the byte path holds (it folds to two letters) and that nothing folds to.
_BYTE_JOIN = b"\x99"
_JOIN_STR = _BYTE_JOIN.decode(_CODEPAGE)
assert _BYTE_JOIN in _BYTE_UNSAFE and _BYTE_FOLD[_BYTE_JOIN[0]] == _BYTE_JOIN[0]
assert _BYTE_JOIN not in _BYTE_FOLD[:_BYTE_JOIN[0]] + _BYTE_FOLD[_BYTE_JOIN[0] + 1:]


def _byte_forms(slices: list[bytes]) -> list[str]:
    """``match_form`` of each encoded slice, made in one pass: the slices joined by
    " ™ ", folded, decoded and split again. Each part is then " words " (one space at
    each end), or " " for a slice without words, whose form is "  "."""
    joined = _fold_spaces((b" " + b" \x99 ".join(slices) + b" ").translate(_BYTE_FOLD, _BYTE_DELETE))
    parts = codecs.charmap_decode(joined, "strict", _CP_DECODING)[0].split(_JOIN_STR)
    return [p if p != " " else "  " for p in parts]


def match_form(text: str) -> str:
    """The form patterns and sentences are compared in: normalized words separated by
    single spaces, with a space at each end so that word boundaries are plain spaces."""
    raw = _encode(text)
    if raw is not None:
        return _byte_form(raw)
    return _match_form_str(text)



def _match_form_str(text: str) -> str:
    """``match_form`` of a text outside the code page.

    ``str.translate`` and a ``\\W`` regex are slow on Arabic text (they go character by
    character in Python-object space); replacing the few characters a text really holds,
    each with one C-speed ``str.replace``, is 3-5x faster. A text holding a rarer
    character takes the slow path, which gives the same result."""
    text = unicodedata.normalize("NFKC", text)
    for c, r in _STEPS:
        if c in text:
            text = text.replace(c, r)
    text = text.lower()
    if not text.replace(" ", "").isalnum():
        return _match_form_slow(text)
    # Only letters, digits and spaces are left: fold runs of spaces (as ``" ".join(
    # text.split())`` would, without making a string of each word).
    while "  " in text:
        text = text.replace("  ", " ")
    return " " + text.strip(" ") + " "


def detect_language(text: str) -> str:
    """'ar', 'en' or 'other', by which script dominates the letters."""
    sample = text[:400]
    if sample.isascii():
        ar = 0
        lat = len(sample.encode("ascii").translate(None, _NOT_LATIN))
    else:
        ar = _count_arabic(sample)
        lat = len(LATIN_LETTER.findall(sample)) if ar * 2 < len(sample) else 0
    if ar == 0 and lat == 0:
        return "other"
    if ar >= lat:
        return "ar"
    # Latin script: English unless another language's function words outnumber its own.
    words = re.findall(r"[a-z]+", sample.lower())
    en = sum(w in _EN_COMMON for w in words)
    other = sum(w in _OTHER_COMMON for w in words)
    return "en" if en >= other else "other"


_NOT_LATIN = bytes(b for b in range(128) if not chr(b).isalpha())
# The commonest Arabic letters (after folding, but counted before it: a sample of them
# is enough to see which script dominates).
_ARABIC_COMMON = "اأإلمنيىوهةرتبعدسفقكحجشصطخزضثذظغئؤء"

# The same letters as bytes of the code page (each has one), and every other byte.
_NOT_ARABIC_COMMON = bytes(b for b in range(256) if b not in _ARABIC_COMMON.encode(_CODEPAGE))


def _count_arabic(sample: str) -> int:
    """How many of the sample's characters are letters of ``_ARABIC_COMMON``: its bytes in
    the code page (the characters outside it dropped), less the bytes of other characters.
    One encoding and one ``bytes.translate``, where counting each letter is 35 passes."""
    return len(codecs.charmap_encode(sample, "ignore", _CP_ENCODING)[0].translate(None, _NOT_ARABIC_COMMON))


_EN_COMMON = frozenset("the of and in on to a is was for by with from at said says has have "
                       "that it as were are after".split())
# French, Spanish, Italian, German, Portuguese function words.
_OTHER_COMMON = frozenset("le la les des du et est une un pour dans sur avec au aux el los las del y "
                          "por con il di che und der die das ist den mit von em os da do".split())


# --- sentences ---------------------------------------------------------------------

@dataclass(slots=True, init=False)
class Sentence:
    """Made by ``split_fields``, which sets each slot: an item has dozens of sentences, and
    a Python ``__init__`` would cost more than the rest of making one."""
    field: str   # "title", "summary" or "text"
    start: int   # offsets in the original field text
    end: int
    text: str    # the original sentence, as published
    form: str    # its match form

    @property
    def index(self) -> int:
        return self.start


# A sentence ends at . ! ? (or Arabic ؟) followed by a space or directly by an Arabic
# letter (feeds often drop the space: "على الأقل.وقال"), and at line breaks. A dot
# between digits (4.8) or after a single capital (U.S.) does not end a sentence.
# (Written to start with one of ``_MARKS``, where ``_bounds`` tries it; the lookbehinds
# come after the first mark and so include it.)
_SENT_END = re.compile(r"[.!?؟\n](?:(?<=\n)\n*|(?<![A-Z]\.[A-Z][.!?؟])(?<!\b[A-Z][.!?؟])[.!?؟]*"
                       r"(?:[\"'»”)]*)(?=\s|[\u0621-\u064A]|$))")


_MARKS = ".!?؟"  # the characters other than the line break that ``_SENT_END`` starts with


def _end_marks(text: str) -> list[int]:
    """Where ``text`` holds one of ``_MARKS``, in order. A regex search tries its first
    character class at every character (about 90 instructions each on Arabic text);
    ``str.find`` skips to the few candidates at C speed, and ``_SENT_END.match`` at each
    finds what ``finditer`` would (its lookbehinds see the text before the position, and
    matches do not overlap: see ``_bounds``)."""
    out = []
    for c in _MARKS:
        i = text.find(c)
        while i >= 0:
            out.append(i)
            i = text.find(c, i + 1)
    out.sort()
    return out


def _bounds(text: str, field: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each sentence of ``text``, trimmed, empty ones left out.

    A line break always ends a sentence, and a run of them is one end whose breaks the
    trimming drops, so the text is cut into its lines by one ``str.split``; a line is one
    sentence unless it holds one of the other marks (most lines do not). A match of
    ``_SENT_END`` at one of those stays inside its line: only a match at a line break
    takes line breaks."""
    out: list[tuple[int, int, str]] = []
    if field == "title":
        _add_trimmed(out, text, 0)
        return out
    marks = _end_marks(text)
    k, n = 0, len(marks)
    match = _SENT_END.match
    pos = 0  # where the line starts
    for line in text.split("\n"):
        end = pos + len(line)
        start = pos  # where the line's next sentence starts
        while k < n and marks[k] < end:
            i = marks[k]
            k += 1
            if i < start:
                continue  # inside the previous match ("?!")
            if text[i + 1:i + 2].isspace() and not ("A" <= text[i - 1:i] <= "Z"):
                cut = i + 1  # most ends (a mark, then a space or the line's end): what
                # the regex would match, without running it
            else:
                m = match(text, i)
                if m is None:
                    continue
                cut = m.end()
            _add_trimmed(out, text[start:cut], start)
            start = cut
        _add_trimmed(out, line if start == pos else text[start:end], start)
        pos = end + 1
    return out


def _add_trimmed(out: list, text: str, start: int) -> None:
    """Append (start, end, text) for ``text``, found at ``start``, without the spaces at
    its ends, unless nothing is left. (``str.strip`` takes the spaces that ``isspace``
    tells; the first character left is the first one of ``text`` that is no space.)"""
    trimmed = text.strip()
    if trimmed:
        if len(trimmed) != len(text):
            start += text.find(trimmed[0])
        out.append((start, start + len(trimmed), trimmed))


# Joins sentences into one text for a single ``match_form`` call: a letter (so it stays a
# word of its own in the match form) that news text does not use.
_JOIN = "\u01c2"


def split_fields(fields) -> list[Sentence]:
    """Sentences of several (field name, text) pairs, as ``split_sentences`` gives them.
    The sentences of the fields in the code page get their forms from one fold of all
    their encoded slices; those of the other fields from one ``match_form`` call."""
    out, pending, coded, slices = [], [], [], []
    for name, text in fields:
        if not text:
            continue
        raw = _encode(text)
        for s, e, sentence_text in _bounds(text, name):
            sentence = Sentence()
            sentence.field = name
            sentence.start = s
            sentence.end = e
            sentence.text = sentence_text
            out.append(sentence)
            if raw is None:
                pending.append(sentence)
            else:
                coded.append(sentence)
                slices.append(raw[s:e])
    if coded:
        for sentence, form in zip(coded, _byte_forms(slices)):
            sentence.form = form
    if pending:
        _set_forms(pending)
    return out


def _set_forms(sentences: list[Sentence]) -> None:
    """Give sentences outside the code page their match forms, with one ``match_form``
    call for all of them instead of one per sentence."""
    joined = f" {_JOIN} ".join(s.text for s in sentences)
    if joined.count(_JOIN) == len(sentences) - 1:
        parts = match_form(joined).split(_JOIN)
        if len(parts) == len(sentences):
            for s, p in zip(sentences, parts):
                s.form = " " + p.strip() + " "
            return
    for s in sentences:
        s.form = match_form(s.text)


def split_sentences(text: str, field: str = "text") -> list[Sentence]:
    """Sentences of ``text`` with their offsets in it. Titles are one sentence:
    their ".." separates a topic (often the place) from the news, not two sentences."""
    return split_fields(((field, text),))


# --- phrase matching ---------------------------------------------------------------

# Arabic proclitics that may be glued to a word: conjunction (و ف), preposition
# (ب ل ك), future marker (س, on verbs), and the article (ال, or ل after ل: للرقة).
_CLITICS = re.compile(r"^[وف]?[بلكس]?(?:ال|ل)?$")
# The same sequences as a set (a set lookup per hit is cheaper than a regex match).
_CLITIC_SET = frozenset(a + b + c for a in ("", "و", "ف") for b in ("", "ب", "ل", "ك", "س")
                        for c in ("", "ال", "ل"))
_LAM_BEFORE = frozenset(("", "و", "ف"))  # what may precede لل (وللموصل)

# The characters of match forms, the commonest in the news first (measured on the corpus:
# Arabic, then English by its own frequencies, then digits). The automaton finds where a
# character leads by going through a node's children in the order they were added, so
# patterns are added sorted by this order: each node then tries the commonest characters
# first (a pass over an Arabic article costs 4-8% less than with the patterns in the
# order they are listed; the matches are the same).
_BY_FREQUENCY = " اليموهنرتبعدسفقكحجشصطخضزثذغءظ" "etaoinsrhldcumfpgwybvkxjqz" "0123456789"
# Each of them as a character that sorts in that order (and before any other character).
_FREQUENCY_RANK = str.maketrans({c: chr(i + 1) for i, c in enumerate(_BY_FREQUENCY)})


@dataclass(slots=True)
class Match:
    start: int    # offsets in the match form
    end: int
    key: str      # the pattern as matched
    prefix: str   # the clitics glued in front of it ("" for none)
    values: tuple
    ws: int = -1  # where its word starts (with the prefix)

    def word_start(self) -> int:
        return self.ws if self.ws >= 0 else self.start - len(self.prefix)


class PhraseMatcher:
    """Whole-word multi-pattern matching over match forms, tolerant of Arabic clitics.

    Built on pyahocorasick: one pass over a sentence (or over the sentences of a whole
    item joined) finds every pattern. A match counts only if it ends at a word end and
    what precedes it in its word is a clitic sequence, so "بدير الزور" and "وفي الرقة"
    match but a name inside another word does not.

    The automaton holds the patterns reversed, the space after them first (" هقرلا"
    for "الرقه " ending a word), and runs over the reversed text: every pattern starts
    at a word boundary, so inside a word the automaton sits at its root, which has a
    single transition, instead of trying every pattern's first letter at every letter
    (twice as fast on Arabic text; the matches are the same).
    """

    def __init__(self) -> None:
        self._auto = ahocorasick.Automaton()
        self._values: dict[str, list] = {}
        self._built = False

    def add(self, phrase: str, value, *, normalized: bool = False) -> None:
        """Index ``phrase`` (already in match form, without the edge spaces, if
        ``normalized``) with ``value``; a phrase added twice keeps both values."""
        key = phrase if normalized else match_form(phrase).strip()
        if not key:
            return
        self._values.setdefault(key, []).append(value)
        # ل before the article drops its alef (ل + الموصل = للموصل): also index the
        # name without its alef, to be found after a ل.
        if key.startswith("ال") and len(key) > 3:
            self._values.setdefault("\x00" + key[1:], []).append(value)

    def build(self) -> PhraseMatcher:
        # Each pattern is stored with the text it is reported as, its length in the text,
        # whether it is the ل+ال form, its number of words (which the detector's token
        # spans need), and its values. The ل+ال form is searched with both lams (للموصل),
        # not as the suffix لموصل, which every الموصل would also hit.
        patterns = {}
        for key, vals in self._values.items():
            lam = key.startswith("\x00")
            needle = "ل" + key[1:] if lam else key
            # The space (a trailing one, reversed) makes the automaton report only
            # matches that end a word.
            rev = " " + needle[::-1]
            old = patterns.get(rev)
            if old is not None:
                if old[2] != lam:
                    continue  # a name that itself starts with لل: it wins
                vals = list(old[4]) + vals
            patterns[rev] = (key.lstrip("\x00"), len(needle), lam, key.count(" ") + 1, tuple(vals))
        for rev in sorted(patterns, key=lambda rev: rev.translate(_FREQUENCY_RANK)):
            self._auto.add_word(rev, patterns[rev])
        self._auto.make_automaton()
        self._built = True
        return self

    def find(self, form: str, *, ordered: bool = True) -> list[Match]:
        """All acceptable matches in a match form (as made by ``match_form``, or several
        joined), by their end, the longest first where they end together; with
        ``ordered=False`` by their start, then their end (``longest_matches`` gives the
        same for both orders)."""
        out = []
        rfind = form.rfind
        clitics = _CLITIC_SET
        last = len(form) - 1
        for e, (needle, n, lam, _, vals) in self._auto.iter(form[::-1]):
            start = last - e  # where the pattern's first letter is in ``form``
            end = start + n   # the space after its last letter
            ws = rfind(" ", 0, start) + 1
            if lam:
                if ws != start and form[ws:start] not in _LAM_BEFORE:
                    continue
                start += 1  # reported as ل glued to لموصل, as before the article's alef
                prefix = form[ws:start]
            elif ws == start:
                prefix = ""
            else:
                prefix = form[ws:start]
                if prefix not in clitics:
                    continue
            out.append(Match(start, end, needle, prefix, vals, ws))
        # found from the end of the text, the longest first where they start together
        out.reverse()
        if ordered:
            out.sort(key=_END)
        return out

    def longest(self, form: str) -> list[tuple]:
        """``longest_matches(self.find(form))`` as plain tuples, in the same order: (word
        start, end, start, prefix, key, number of words, values), as in ``Match``; no
        ``Match`` is made for each hit.

        A hit is dropped if a longer hit of its word holds it, or one starting in an
        earlier word ends no sooner. The automaton gives the hits from the end of the text
        back, a word's hits together, the longest first where patterns start together.
        Kept on a stack in that order, the hits that a new hit holds are the ones on top,
        so one pass settles every hit, without sorting them all first."""
        kept = [(-1, len(form))]  # a bottom that holds no hit and that no hit holds
        top_ws, top_end = -1, len(form)  # the hit on top of ``kept``
        push, pop = kept.append, kept.pop
        rfind = form.rfind
        clitics = _CLITIC_SET
        last = len(form) - 1
        for e, (needle, n, lam, words, vals) in self._auto.iter(form[::-1]):
            start = last - e
            if form[start - 1] == " ":
                # the pattern starts its word (most hits): no prefix to slice or check
                # (a ل+ال pattern's prefix is then its first ل)
                ws = start
                prefix = "ل" if lam else ""
            else:
                ws = rfind(" ", 0, start) + 1
                prefix = form[ws:start]
                if lam:
                    if prefix not in _LAM_BEFORE:
                        continue
                    prefix += "ل"
                elif prefix not in clitics:
                    continue
            end = start + n
            if end < top_end:
                if ws == top_ws:
                    continue  # inside a longer hit of its word
            elif ws != top_ws or end != top_end:  # (the same words read two ways: both kept)
                # it holds the hit on top, and maybe more below
                while end >= top_end and (ws != top_ws or end != top_end):
                    pop()
                    top_ws, top_end = kept[-1][0], kept[-1][1]
            push((ws, end, start + 1 if lam else start, prefix, needle, words, vals))
            top_ws, top_end = ws, end
        return kept[:0:-1]

    def any(self, form: str) -> bool:
        """Does the match form hold at least one acceptable match? Stops at the first."""
        rfind = form.rfind
        last = len(form) - 1
        for e, (_, _, lam, _, _) in self._auto.iter(form[::-1]):
            start = last - e
            if form[start - 1] == " ":
                return True  # the pattern starts its word
            ws = rfind(" ", 0, start) + 1
            if ws == start or form[ws:start] in (_LAM_BEFORE if lam else _CLITIC_SET):
                return True
        return False


_END = attrgetter("end")


def longest_matches(matches: list[Match]) -> list[Match]:
    """Drop matches lying inside a longer one (ريف حلب الشمالي over حلب)."""
    matches = sorted(matches, key=lambda m: (m.ws, m.ws - m.end) if m.ws >= 0
                     else (m.word_start(), -(m.end - m.word_start())))
    out: list[Match] = []
    last_ws = last_end = -1
    for m in matches:
        ws = m.ws if m.ws >= 0 else m.word_start()
        if out and ws >= last_ws and m.end <= last_end:
            if (ws, m.end) != (last_ws, last_end):
                continue
        out.append(m)
        last_ws, last_end = ws, m.end
    return out
