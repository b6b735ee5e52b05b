"""Watchlist rules: clitics, exact forms, proximity, none-terms, filters, errors, reload."""
from __future__ import annotations

import os

import pytest

from monitor.errors import ConfigError
from monitor.watchlists import Watchlist, WatchlistFile, load_rules, parse_rules


def rules(toml: str, tmp_path) -> Watchlist:
    path = tmp_path / "rules.toml"
    path.write_text(toml, encoding="utf-8")
    return load_rules(path)


def ids(watchlist: Watchlist, article) -> list[str]:
    return [h.rule_id for h in watchlist.match(article)]


ISIS = '[[rule]]\nid = "isis"\nall = ["داعش"]\n'


@pytest.mark.parametrize("text", ["قال «داعش» إن", "لداعش", "وداعش", "فداعش", "بداعش",
                                  "ولداعش", "الداعش", 'هجوم "داعش".', "داعش", "دَاعِش"])
def test_arabic_term_matches_with_clitics_and_punctuation(tmp_path, text):
    assert ids(rules(ISIS, tmp_path), text) == ["isis"]


@pytest.mark.parametrize("text", ["الداعشي", "داعشيون", "مداعش", "ساداعش", "crisis"])
def test_term_inside_another_word_does_not_match(tmp_path, text):
    assert ids(rules(ISIS, tmp_path), text) == []


def test_article_term_after_lam_drops_its_alef(tmp_path):
    w = rules('[[rule]]\nid = "raqqa"\nany = ["الرقة"]\n', tmp_path)
    assert ids(w, "عاد إلى للرقة") == ["raqqa"]
    assert ids(w, "وللرقه") == ["raqqa"]
    assert ids(w, "بالرقة") == ["raqqa"]
    assert ids(w, "الرقة") == ["raqqa"]
    assert ids(w, "كلرقة") == []


def test_exact_form_refuses_clitics(tmp_path):
    w = rules('[[rule]]\nid = "exact"\nany = ["=داعش"]\n'
              '[[rule]]\nid = "all-exact"\nall = ["داعش"]\nexact = true\n', tmp_path)
    assert ids(w, "قال «داعش» إن") == ["exact", "all-exact"]
    assert ids(w, "وداعش") == []
    assert ids(w, "لداعش") == []


def test_hit_reports_matched_terms_as_written(tmp_path):
    w = rules('[[rule]]\nid = "r"\ndescription = "d"\nall = ["داعش"]\nany = ["الرقة", "حلب", "attack*"]\n',
              tmp_path)
    [hit] = w.match({"title": "داعش في حلب", "text": "وفي الرقة"})
    assert hit.rule_id == "r" and hit.description == "d"
    assert set(hit.terms) == {"داعش", "الرقة", "حلب"}


def test_english_whole_words_case_and_prefix_wildcard(tmp_path):
    w = rules('[[rule]]\nid = "en"\nall = ["Islamic State"]\nany = ["attack*", "raid"]\n', tmp_path)
    assert ids(w, "The ISLAMIC STATE attacked a village") == ["en"]
    assert ids(w, "islamic state raids") == []          # no wildcard on raid
    assert ids(w, "Islamic Statement on attacks") == []  # the phrase must end a word


def test_all_any_none(tmp_path):
    w = rules('[[rule]]\nid = "r"\nall = ["داعش", "الرقة"]\nany = ["هجوم", "قصف"]\nnone = ["مسلسل"]\n',
              tmp_path)
    assert ids(w, "هجوم لداعش في الرقة") == ["r"]
    assert ids(w, "داعش في الرقة") == []               # no 'any' term
    assert ids(w, "هجوم لداعش") == []                  # an 'all' term missing
    assert ids(w, "هجوم لداعش في الرقة في مسلسل") == []  # a 'none' term


def test_none_term_respects_clitics_too(tmp_path):
    w = rules('[[rule]]\nid = "r"\nany = ["داعش"]\nnone = ["مسلسل"]\n', tmp_path)
    assert ids(w, "داعش والمسلسل") == []
    assert ids(w, "داعش ومسلسلات") == ["r"]


def test_proximity_within_words(tmp_path):
    w = rules('[[rule]]\nid = "near"\nall = ["داعش", "الرقة"]\nwithin = 3\n', tmp_path)
    assert ids(w, "داعش هاجم قرب الرقة") == ["near"]             # 3 words apart
    assert ids(w, "داعش هاجم مواقع قرب الرقة") == []             # 4 words apart
    assert ids(w, "الرقة: هاجم داعش") == ["near"]                # either order
    # one near pair is enough, wherever the other mentions are
    text = "داعش " + "كلمة " * 30 + "الرقة " + "كلمة " * 30 + "هجوم داعش على الرقة"
    assert ids(w, text) == ["near"]


def test_proximity_counts_phrases_from_their_edges(tmp_path):
    w = rules('[[rule]]\nid = "near"\nall = ["ريف حلب الشمالي"]\nany = ["قصف", "اشتباك"]\nwithin = 2\n',
              tmp_path)
    assert ids(w, "بريف حلب الشمالي بعد قصف") == ["near"]
    assert ids(w, "قصف اليوم على مواقع بريف حلب الشمالي") == []


def test_filters_on_the_enriched_record(tmp_path):
    w = rules('[[rule]]\nid = "f"\nany = ["داعش"]\nlang = ["ar"]\ntags = ["syria"]\n'
              'places = ["Raqqa"]\nactors = ["isis"]\nevents = ["attack"]\n', tmp_path)
    article = {"title": "داعش", "lang": "ar", "tags": ["Syria"], "places": [{"name": "Raqqa", "country": "SY"}],
               "events": [{"type": "attack", "actor": "isis", "place": {"name": "Raqqa", "country": "SY"}}]}
    assert ids(w, article) == ["f"]
    for change in ({"lang": "en"}, {"tags": []}, {"places": [], "events": []},
                   {"events": [{"type": "strike", "actor": "isis"}]}):
        assert ids(w, {**article, **change}) == [], change


def test_place_filter_accepts_country_codes(tmp_path):
    w = rules('[[rule]]\nid = "f"\nany = ["attack"]\nplaces = ["SY"]\n', tmp_path)
    event = {"type": "attack", "place": {"name": "Raqqa", "country": "SY"}}
    assert ids(w, {"title": "attack", "events": [event]}) == ["f"]


def test_many_rules_share_one_automaton(tmp_path):
    toml = "".join(f'[[rule]]\nid = "r{i}"\nall = ["word{i}", "common"]\n' for i in range(500))
    w = rules(toml, tmp_path)
    assert len(w) == 500
    assert ids(w, "common word17 word3 word170") == ["r3", "r17", "r170"]


@pytest.mark.parametrize("toml, message", [
    ('[[rule]]\nall = ["x"]\n', "rule #1: missing or empty 'id'"),
    ('[[rule]]\nid = "a"\n', "rule 'a' (#1): needs at least one term"),
    ('[[rule]]\nid = "a"\nall = "x"\nnun = ["y"]\n', "rule 'a' (#1): unknown key(s) ['nun']"),
    ('[[rule]]\nid = "a"\nall = [1]\n', "rule 'a' (#1): 'all' must be a list of strings"),
    ('[[rule]]\nid = "a"\nall = ["«»"]\n', "rule 'a' (#1): term '«»' in 'all' has no letters"),
    ('[[rule]]\nid = "a"\nall = ["x", "y"]\nwithin = -1\n', "rule 'a' (#1): 'within' must be"),
    ('[[rule]]\nid = "a"\nany = ["x", "y"]\nwithin = 3\n', "rule 'a' (#1): 'within' needs at least two"),
    ('[[rule]]\nid = "a"\nall = ["x"]\n[[rule]]\nid = "a"\nall = ["y"]\n', "rule 'a' (#2): duplicate id"),
    ('[[rule]]\nid = "a"\nall = ["x"]\nlang = []\n', "rule 'a' (#1): 'lang' must be a non-empty list"),
    ('[[rule]]\nid = "a"\nall = ["x"]\nexact = "yes"\n', "rule 'a' (#1): 'exact' must be true or false"),
    ('[[rules]]\nid = "a"\n', "unknown top-level key(s) ['rules']"),
    ('[[rule]\nid = "a"\n', "not valid TOML"),
])
def test_bad_rule_files_name_the_rule_and_the_problem(tmp_path, toml, message):
    with pytest.raises(ConfigError) as err:
        rules(toml, tmp_path)
    assert message in str(err.value)
    assert "rules.toml" in str(err.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_rules(tmp_path / "nope.toml")


def test_empty_rule_set_matches_nothing():
    assert Watchlist(parse_rules({})).match("داعش") == []


def _touch(path, text, bump):
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))


def test_watchlist_file_reloads_on_change_at_most_once_per_interval(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(ISIS, encoding="utf-8")
    now = [1000.0]
    wf = WatchlistFile(path, check_interval=1.0, clock=lambda: now[0])
    assert [h.rule_id for h in wf.match("داعش")] == ["isis"]

    _touch(path, '[[rule]]\nid = "raqqa"\nany = ["الرقة"]\n', 5)
    now[0] += 0.5                      # too soon to look at the file again
    assert [h.rule_id for h in wf.match("داعش الرقة")] == ["isis"]
    now[0] += 0.6
    assert [h.rule_id for h in wf.match("داعش الرقة")] == ["raqqa"]
    assert wf.reloads == 1

    # a broken edit keeps the previous rules and says why
    _touch(path, '[[rule]]\nid = "raqqa"\n', 10)
    now[0] += 2
    assert [h.rule_id for h in wf.match("الرقة")] == ["raqqa"]
    assert wf.last_error is not None and "needs at least one term" in str(wf.last_error)

    # fixing it again is picked up, and clears the error
    _touch(path, ISIS, 15)
    now[0] += 2
    assert [h.rule_id for h in wf.match("داعش")] == ["isis"]
    assert wf.last_error is None


def test_watchlist_file_first_load_raises(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="missing or empty 'id'"):
        WatchlistFile(path)


def test_one_key_as_whole_word_prefix_and_exact_in_different_rules(tmp_path):
    w = rules('[[rule]]\nid = "whole"\nany = ["attack"]\n'
              '[[rule]]\nid = "prefix"\nany = ["attack*"]\n'
              '[[rule]]\nid = "exact"\nany = ["=attack"]\n', tmp_path)
    assert ids(w, "an attack today") == ["whole", "prefix", "exact"]
    assert ids(w, "attacks today") == ["prefix"]
    assert ids(w, "counterattack") == []


def test_lam_form_of_one_term_equal_to_another_term(tmp_path):
    # "لرقه" is both الرقة after ل (للرقة) and a term of its own
    w = rules('[[rule]]\nid = "raqqa"\nany = ["الرقة"]\n[[rule]]\nid = "lrqh"\nany = ["لرقة"]\n', tmp_path)
    assert ids(w, "للرقة") == ["raqqa", "lrqh"]
    assert ids(w, "لرقة") == ["lrqh"]


def test_match_form_accepts_text_already_folded(tmp_path):
    from monitor.normalize import match_form
    w = rules(ISIS, tmp_path)
    assert [h.rule_id for h in w.match_form(match_form("وداعش"), {})] == ["isis"]
    assert [h.rule_id for h in w.match_form("وداعش", {})] == ["isis"]


def test_multi_word_terms_take_clitics_on_their_first_word_only(tmp_path):
    w = rules('[[rule]]\nid = "is"\nany = ["الدولة الإسلامية"]\n'
              '[[rule]]\nid = "exact"\nany = ["=الدولة الإسلامية"]\n', tmp_path)
    assert ids(w, "بيان الدولة الإسلامية اليوم") == ["is", "exact"]
    assert ids(w, "ضد الدولة «الإسلامية»") == ["is", "exact"]
    assert ids(w, "وللدولة الإسلامية") == ["is"]               # و + ل, alef of ال dropped
    assert ids(w, "بالدولة الإسلامية") == ["is"]
    assert ids(w, "الدولة والإسلامية") == []                   # no clitics inside the phrase
    assert ids(w, "الدولة") == [] and ids(w, "الإسلامية الدولة") == []


def test_three_word_term_and_prefix_on_the_last_word_of_a_phrase(tmp_path):
    w = rules('[[rule]]\nid = "rif"\nany = ["ريف حلب الشمالي"]\n'
              '[[rule]]\nid = "is"\nany = ["islamic sta*"]\n', tmp_path)
    assert ids(w, "في ريف حلب الشمالي") == ["rif"]
    assert ids(w, "في ريف حلب الجنوبي") == []
    assert ids(w, "ريف حلب") == []
    assert ids(w, "the Islamic States and") == ["is"]
    assert ids(w, "islamic") == [] and ids(w, "islamic staff") == ["is"]
    assert ids(w, "islamic xstate") == []


def test_repeated_matching_gives_the_same_hits_with_a_small_word_cache(tmp_path, monkeypatch):
    import monitor.watchlists as watchlists
    monkeypatch.setattr(watchlists, "_CACHE_MAX", 3)
    w = rules('[[rule]]\nid = "r"\nall = ["داعش"]\nany = ["الرقة", "حلب"]\n'
              '[[rule]]\nid = "p"\nany = ["ريف حلب"]\n', tmp_path)
    texts = ["داعش في الرقة", "وداعش بريف حلب", "حلب", "لداعش وحلب والرقة", "داعش"]
    first = [[h.as_dict() for h in w.match(t)] for t in texts]
    again = [[h.as_dict() for h in w.match(t)] for t in texts * 3][:len(texts)]
    assert first == again
    assert [[h["rule_id"] for h in hits] for hits in first] == [["r"], ["r", "p"], [], ["r"], []]
    assert first[3][0]["terms"] == ["داعش", "الرقة", "حلب"]
