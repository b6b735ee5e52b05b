"""Unit tests for monitor.normalize: one per folding rule, sentences, clitic matching."""
from monitor.normalize import PhraseMatcher, detect_language, match_form, normalize, split_sentences, strip_html


def test_nfkc_presentation_forms():
    assert normalize("\ufefb") == "لا"  # lam-alef ligature


def test_diacritics_and_tatweel_removed():
    assert normalize("قَصْفٌ") == "قصف"
    assert normalize("الـمـوصل") == "الموصل"


def test_alef_forms():
    assert normalize("أإآٱ") == "اااا"


def test_alef_maqsura_and_ta_marbuta():
    assert normalize("مستشفى") == normalize("مستشفي")
    assert normalize("دامية") == normalize("داميه")


def test_persian_and_kurdish_letters():
    assert normalize("کرکوک") == normalize("كركوك")
    assert normalize("ی") == "ي"
    assert normalize("ە") == "ه"


def test_digits():
    assert normalize("٢٠١٨ ۱۲") == "2018 12"


def test_arabic_punctuation():
    assert normalize("«نعم»، لا؛ لماذا؟") == '"نعم", لا; لماذا?'
    assert match_form("«الرقة»،") == " الرقه "


def test_html_stripped_and_whitespace_folded():
    assert strip_html("<p>قصف&nbsp;<b>حلب</b></p>").split() == ["قصف", "حلب"]
    assert normalize("  a \n\t b ") == "a b"


def test_english_case_folded_and_punctuation_spaces():
    assert match_form("Deir ez-Zor's") == " deir ez zor s "


def test_language():
    assert detect_language("قصف الطيران مدينة حلب") == "ar"
    assert detect_language("Syrian forces captured the town") == "en"
    assert detect_language("Les forces syriennes ont pris la ville de Homs hier") == "other"
    assert detect_language("12345") == "other"


def test_sentences_keep_offsets():
    text = "قصفت الطائرات حلب. وقال المرصد إن الاشتباكات مستمرة.وأضاف أن 4.5 ألف نزحوا"
    sents = split_sentences(text, "summary")
    assert len(sents) == 3
    for s in sents:
        assert text[s.start:s.end] == s.text
    assert sents[2].text.startswith("وأضاف") and "4.5" in sents[2].text


def test_title_is_one_sentence():
    assert len(split_sentences("تعز.. الجيش يستعيد مواقع", "title")) == 1


def _matcher():
    m = PhraseMatcher()
    for name in ("الرقة", "دير الزور", "الموصل", "حلب"):
        m.add(name, name)
    return m.build()


def test_clitics_match():
    m = _matcher()
    for text, name in [("وفي الرقة", "الرقة"), ("بدير الزور", "دير الزور"), ("للموصل", "الموصل"),
                       ("وبالرقة", "الرقة"), ("ولحلب", "حلب"), ("فالموصل", "الموصل")]:
        assert [x.values[0] for x in m.find(match_form(text))] == [name], text


def test_no_match_inside_words():
    m = _matcher()
    for text in ("الرقةالجديدة", "مستحلب", "حلبة السباق", "الموصلات"):
        assert m.find(match_form(text)) == [], text


def test_split_fields_is_split_sentences_per_field():
    from monitor.normalize import split_fields
    title, summary = "تعز.. الجيش يستعيد مواقع", "قصفت الطائرات حلب. وقال U.S. officials إن 4.5 ألف نزحوا؟\nوأضاف"
    joined = split_fields([("title", title), ("summary", summary)])
    assert joined == split_sentences(title, "title") + split_sentences(summary, "summary")
    assert [s.form for s in joined] == [match_form(s.text) for s in joined]


def test_lam_before_article_only_with_clitics_before():
    m = _matcher()
    assert [x.values[0] for x in m.find(match_form("وللموصل"))] == ["الموصل"]
    assert m.find(match_form("الموصل"))[0].prefix == ""
    assert m.find(match_form("مللموصل")) == []


def test_code_page_path_is_the_str_path():
    # Texts in cp1256 are folded byte by byte; every character and every pair of them
    # (NFKC composes pairs) must fold as the str path folds them.
    from monitor.normalize import _byte_form, _encode, _match_form_slow, _match_form_str
    chars = [bytes([b]).decode("cp1256") for b in range(256)]
    for x in chars:
        for y in chars:
            for text in (x + y, "ب" + x + y + "a"):
                raw = _encode(text)
                if raw is not None:
                    assert _byte_form(raw) == _match_form_slow(text) == _match_form_str(text), repr(text)
    assert _encode("a ™") is None and _encode("٢٠١٨") is None  # "tm", and a character outside cp1256


def test_split_fields_mixes_code_page_and_other_fields():
    from monitor.normalize import split_fields
    fields = [("title", "قصف حلب™.. الجيش"), ("summary", "سَقَطَ ٣ قتلى. وقال «المرصد»: لا"),
              ("text", "الـقـصـف على إدلب.\n\n؟ . وأضاف أن 4.5 ألف نزحوا")]
    sents = split_fields(fields)
    assert sents == [s for name, text in fields for s in split_sentences(text, name)]
    for s in sents:
        assert s.form == match_form(s.text)
        assert dict(fields)[s.field][s.start:s.end] == s.text
    assert [s.form for s in sents if s.text in ("؟", ".")] == ["  ", "  "]  # sentences without words


def test_language_counts_arabic_letters_as_before():
    from monitor.normalize import _ARABIC_COMMON, _count_arabic
    assert len(set(_ARABIC_COMMON)) == len(_ARABIC_COMMON)
    for text in ("قصفت الطائرات حلب وإدلب؟ 12 قتيلا", "Homs حمص ٢٠١٨ 🌊 ی", ""):
        assert _count_arabic(text) == sum(map(text.count, _ARABIC_COMMON))


def test_sentence_ends_found_as_a_regex_search_finds_them():
    # ``_bounds`` tries ``_SENT_END`` only where a mark is; a plain ``finditer`` is the
    # reference (lookbehinds before the mark, runs of marks and line breaks, the end)
    from monitor.normalize import _SENT_END, _bounds

    def by_search(text):
        raw, pos = [], 0
        for m in _SENT_END.finditer(text):
            raw.append((pos, m.end()))
            pos = m.end()
        raw.append((pos, len(text)))
        return [(s, e) for s, e in ((s + len(text[s:e]) - len(text[s:e].lstrip()),
                                      e - len(text[s:e]) + len(text[s:e].rstrip())) for s, e in raw) if e > s]

    for text in ("قصف على الأقل.وقال مسؤول؟! ثم\n\n\nانسحب", "The U.S. struck at 4.8 km. Then?! \"No.\" End.",
                 "By U. S. forces. Mr. X. A.\nB.\n\nC", ". x", "\n x", "x.\t\u00a0y", "غارات. قتلى\n ثم",
                 "...", "\n\n", "A. B", "سقط 3 قتلى؟", "x.\ny!\n", ""):
        bounds = _bounds(text, "text")
        assert [(s, e) for s, e, _ in bounds] == by_search(text), text
        assert all(text[s:e] == t for s, e, t in bounds), text
