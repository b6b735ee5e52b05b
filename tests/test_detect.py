"""The event detector: the seed article, negatives of each kind, English, and the dev set."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.detect import detect_item, guideline_record

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_06dc2b0018f97db1.txt"
EVAL = ROOT.parent / "shared" / "eval"


def events(title, summary="", text=""):
    return [(e["type"], e["actor"], e["place"]["name"] if e["place"] else None)
            for e in detect_item(title, summary, text).events]


@pytest.fixture(scope="module")
def seed():
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    return detect_item(title, "", body)


def _find(det, etype, place, actor=None):
    for e in det.events:
        if e["type"] == etype and e["place"] and e["place"]["name"] == place and actor in (None, e["actor"]):
            return e
    raise AssertionError(f"no {etype} {place} {actor} in {[(e['type'], e['actor'], e['place']) for e in det.events]}")


def test_seed_clash_in_deir_ez_zor(seed):
    e = _find(seed, "clash", "Deir ez-Zor", "syria_gov")
    assert abs(e["place"]["lat"] - 35.33) < 0.1


def test_seed_capture_hawijat_saqr(seed):
    e = _find(seed, "capture", "Hawijat Saqr", "syria_gov")
    assert abs(e["place"]["lat"] - 35.34) < 0.05 and abs(e["place"]["lon"] - 40.16) < 0.05


def test_seed_capture_al_ummal(seed):
    e = _find(seed, "capture", "Al-Ummal district", "syria_gov")
    assert e["place"]["country"] == "SY" and e["place"]["level"] == "locality"


def test_seed_advance_on_al_qaim(seed):
    e = _find(seed, "advance", "Al-Qaim", "iraq_gov")
    assert abs(e["place"]["lat"] - 34.37) < 0.05 and abs(e["place"]["lon"] - 41.09) < 0.05


def test_seed_siege_of_rawa(seed):
    e = _find(seed, "siege", "Rawa")
    assert abs(e["place"]["lat"] - 34.47) < 0.05 and abs(e["place"]["lon"] - 41.91) < 0.05


def test_evidence_quotes_the_original_sentence(seed):
    text = SEED.read_text(encoding="utf-8").partition("\n")[2]
    e = _find(seed, "siege", "Rawa")
    ev = e["evidence"]
    assert ev["field"] == "text" and text[ev["start"]:ev["end"]] == ev["sentence"]
    assert "راوة المحاصر" in ev["sentence"] and ev["cues"]
    assert e["modality"] in ("reported", "claimed")


def test_api_shape():
    det = detect_item("قصف الطيران الإسرائيلي مطار التيفور في ريف حمص")
    assert det.lang == "ar" and det.places and det.actors == ["israel"]
    rec = guideline_record("x1", det)
    assert rec == {"id": "x1", "events": [{"type": "strike", "actor": "israel", "place": det.events[0]["place"]}]}
    assert set(det.events[0]["place"]) == {"name", "country", "lat", "lon", "level"}


# --- Arabic events written for these tests ------------------------------------------------

@pytest.mark.parametrize("title,expected", [
    ("القوات العراقية تستعيد السيطرة على بلدة راوة", ("capture", "iraq_gov", "Rawa")),
    ("الحوثيون ينسحبون من مدينة حيس بعد معارك", ("withdrawal", "houthis", "Hays")),
    ("قوات سوريا الديمقراطية تحاصر مدينة الرقة", ("siege", "sdf", "Raqqa")),
    ("غارات للتحالف العربي على مواقع الحوثيين في صعدة", ("strike", "saudi_coalition", "Sa'dah")),
    ("اشتباكات بين الجيش السوري وداعش في البوكمال", ("clash", "syria_gov", "Abu Kamal")),
    ("مقتل 5 في تفجير انتحاري بسيارة مفخخة في كابول", ("attack", "unknown", "Kabul")),
    ("الجيش الليبي على مشارف درنة", ("advance", "lna", "Derna")),
    ("الحشد الشعبي يتقدم نحو القائم", ("advance", "iraq_gov", "Al-Qaim")),
])
def test_arabic_events(title, expected):
    assert expected in events(title)


def test_title_and_summary_deduplicated():
    got = events("غارات إسرائيلية على قطاع غزة",
                 "شنت طائرات الاحتلال الإسرائيلي غارات على مواقع في قطاع غزة فجر الاثنين.")
    assert got == [("strike", "israel", "Gaza Strip")]


# --- modality -----------------------------------------------------------------------------

def test_expected_events_kept_apart():
    det = detect_item("مصادر: القوات العراقية ربما تقتحم مدينة القائم خلال أيام")
    assert det.events == [] and det.expected and det.expected[0]["modality"] == "expected"


def test_future_prefix_is_expected():
    det = detect_item("الجيش السوري سيقصف مدينة إدلب")
    assert det.events == [] and det.expected


def test_qad_before_a_past_verb_reports_before_a_present_one_expects():
    # قد + past: it has happened; قد + present: it may happen
    det = detect_item("مصادر: قوات النظام قد سيطرت على بلدة خان شيخون")
    assert [e["modality"] for e in det.events] == ["reported"] and det.expected == []
    det = detect_item("مصادر: قوات النظام قد تسيطر على بلدة خان شيخون")
    assert det.events == [] and [e["modality"] for e in det.expected] == ["expected"]


def test_negated():
    det = detect_item("الجيش ينفي أنه قصف بلدة دوما")
    assert det.events == []


def test_claimed():
    det = detect_item("الحوثيون يقولون إنهم قصفوا مطار جازان بصاروخ باليستي")
    assert det.events and det.events[0]["modality"] == "claimed" and det.events[0]["actor"] == "houthis"


def test_relative_clause_is_a_state_not_a_capture():
    assert events("قتال عنيف مع الحوثيين الذين يسيطرون على مدينة الحديدة") == [("clash", "houthis", "Al Hudaydah")] \
        or all(t != "capture" for t, _, _ in events("قتال عنيف مع الحوثيين الذين يسيطرون على مدينة الحديدة"))


# --- negatives of each kind ---------------------------------------------------------------

@pytest.mark.parametrize("title,summary", [
    ("واشنطن تعلن الانسحاب من الاتفاق النووي مع إيران", "أعلن الرئيس الأميركي انسحاب بلاده من الاتفاق النووي"),
    ("تقدم في المحادثات بين الحكومة اليمنية والحوثيين في جنيف", "أحرز الطرفان تقدما في المفاوضات"),
    ("اتهامات لروسيا بالتدخل في الانتخابات الأميركية", "تحقيق في هجمات إلكترونية على الانتخابات"),
    ("هجوم إلكتروني يضرب شبكة وزارة الدفاع في تركيا", "قراصنة شنوا هجوما إلكترونيا على مواقع حكومية"),
    ("هجوم حاد من الرئيس التركي على نتنياهو", "شن أردوغان هجوما كلاميا على إسرائيل"),
    ("ليفربول يسحق روما في دوري أبطال أوروبا", "سجل المهاجم هدفين في المباراة على ملعب أنفيلد وهجوم الفريق كان قويا"),
    ("المنتخب السعودي يتقدم على مصر في المباراة", ""),
    ("دخول المساعدات إلى حلب", "دخلت قافلة مساعدات إنسانية إلى المدينة"),
    ("ترامب يحذر من هجوم على إدلب", "حذر الرئيس الأميركي من أي هجوم على إدلب"),
    ("القوات الأميركية والتركية تجري مناورات تحاكي اشتباكات قرب منبج", ""),
])
def test_non_military_senses_give_nothing(title, summary):
    assert events(title, summary) == []


# --- English ------------------------------------------------------------------------------

@pytest.mark.parametrize("title,expected", [
    ("Syrian government forces captured the town of Douma on Saturday", ("capture", "syria_gov", "Douma")),
    ("Iraqi forces advanced on Al-Qaim, the last Islamic State stronghold", ("advance", "iraq_gov", "Al-Qaim")),
    ("Saudi-led coalition air strikes hit Hodeidah", ("strike", "saudi_coalition", "Al Hudaydah")),
    ("Turkish jets pounded Kurdish positions in Afrin", ("strike", "turkey", "Afrin")),
    ("Houthi rebels withdrew from Hodeidah airport", ("withdrawal", "houthis", "Hodeidah Airport")),
])
def test_english_events(title, expected):
    det = detect_item(title)
    assert det.lang == "en"
    assert expected in events(title)


@pytest.mark.parametrize("title", [
    "US withdraws from Iran nuclear deal",
    "Progress reported in Yemen peace talks in Sweden",
    "Liverpool striker scores twice in Rome win",
    "Hackers launch cyber attack on Saudi ministry",
])
def test_english_negatives(title):
    assert events(title) == []


# --- the dev set, when present ------------------------------------------------------------

def test_dev_set_scores(tmp_path):
    if not (EVAL / "dev.jsonl").exists():
        pytest.skip(f"{EVAL} is absent: the dev-set score check needs ../shared/eval")
    out = subprocess.run([sys.executable, "-c", "from monitor.cli import main; main()", "detect",
                          str(EVAL / "dev.jsonl")], capture_output=True, check=True, cwd=ROOT).stdout
    pred = tmp_path / "dev-pred.jsonl"
    pred.write_bytes(out)
    res = subprocess.run([sys.executable, str(EVAL / "score.py"), str(EVAL / "dev-gold.jsonl"), str(pred), "--json"],
                         capture_output=True, check=True, text=True).stdout
    scores = json.loads(res)
    assert scores["strict"]["f1"] >= 0.55
    assert scores["item-level"]["f1"] >= 0.80


# --- precision rules (sentences written for these tests) -----------------------------------

@pytest.mark.parametrize("title,summary", [
    # a bare "attack" that is talked about, not reported
    ("لجنة تحقيق بريطانية تراجع ملف هجوم لندن", "البرلمان يناقش نتائج التحقيق في هجوم لندن"),
    # people fleeing are not a force withdrawing
    ("فرار آلاف المدنيين من بلدة تل رفعت", ""),
    # a ceasefire is about stopping the fighting
    ("مفاوضات في عمان لوقف القتال في درعا", ""),
    # a state name does not make "regaining" military
    ("روسيا تستعيد دورها في ليبيا", ""),
    # weapons named outside any fighting
    ("طائرات بدون طيار لتوصيل الطرود في دبي", ""),
    ("إطلاق صاروخ فضائي يحمل قمرا صناعيا من اليابان", ""),
    # a conditional withdrawal
    ("التحالف: العمليات لن تتوقف حتى انسحاب الحوثيين من الحديدة", ""),
    # an old attack given as background of a relative clause / a year
    ("كتاب جديد عن الجماعة التي نفذت هجوما بالغاز على مترو طوكيو عام 1995", ""),
])
def test_precision_negatives(title, summary):
    assert events(title, summary) == []


def test_aim_of_an_operation_is_not_a_capture():
    got = events("الجيش اليمني يطلق عملية عسكرية لاستكمال تحرير مديرية حيس")
    assert ("advance", "yemen_gov", "Hays") in got and all(t != "capture" for t, _, _ in got)


def test_bare_attack_counts_with_casualties():
    assert ("attack", "unknown", "Kabul") in events("مقتل 12 شخصا في هجوم على مسجد في كابول")


def test_bare_attack_merged_into_the_specific_event():
    got = events("طائرات إسرائيلية تقصف مطار التيفور", "وتصدت الدفاعات السورية للهجوم على المطار وأسفر عن مقتل جنديين")
    assert [t for t, _, _ in got] == ["strike"]


def test_force_fleeing_is_a_withdrawal():
    assert ("withdrawal", "isis", "Hajin") in events("فرار عناصر داعش من بلدة هجين")


def test_protests_give_no_clash():
    assert events("مواجهات على حدود غزة في مسيرة العودة", "إصابة عشرات المتظاهرين برصاص الجيش الإسرائيلي") == []


def test_air_defence_is_not_the_striker():
    got = events("الدفاعات الجوية السورية تتصدى لغارات إسرائيلية على مطار التيفور")
    assert got and all(a == "israel" for _, a, _ in got)


def test_coordinated_actors_first_leads():
    got = events("النظام السوري وروسيا يقصفان مدينة دوما")
    assert ("strike", "syria_gov", "Douma") in got


def test_besieged_place_actor_is_not_the_besieger():
    got = events("غارات على معقل الفصائل المعارضة المحاصر في الغوطة الشرقية")
    assert all(a != "syria_rebels" for _, a, _ in got)


def test_unnamed_air_strikes_in_yemen_are_the_coalition():
    assert ("strike", "saudi_coalition", "Sa'dah") in events("غارات جوية على مدينة صعدة تقتل خمسة")


def test_clitic_kaf_does_not_make_a_place():
    det = detect_item("الجيش يحرز تقدما كبيرا في جبهة القتال")
    assert all(p["name"] != "Beira" for p in det.places)


def test_strike_place_is_the_target_not_the_origin():
    assert events("الحوثيون يطلقون صاروخا باليستيا من اليمن على السعودية") == [
        ("strike", "houthis", "Saudi Arabia")]
    assert events("Iran fired missiles from Syria against Israel, the army said") == [
        ("strike", "iran", "Israel")]


def test_town_in_a_region_far_from_it_is_the_region():
    # an العقبة far from Al Jawf is another place of that name: the event is in Al Jawf
    assert events("اشتباكات بين الجيش اليمني والحوثيين في جبهة العقبة بالجوف") == [
        ("clash", "yemen_gov", "Al Jawf Governorate")]
    # a town that does lie in the region stays
    assert events("قصف مدفعي على مدينة القائم بالأنبار") == [("strike", "iraq_gov", "Al-Qaim")]


def test_town_named_with_a_governorate_is_its_governorate():
    names = {e[2] for e in events("الجيش اليمني يستعيد مواقع في لحج وتعز")}
    assert names == {"Lahij Governorate", "Taiz Governorate"}
    assert events("الجيش اليمني يستعيد مواقع في مدينة تعز") == [("capture", "yemen_gov", "Taiz")]


def test_intercepting_force_is_not_the_striker():
    assert events("قوات التحالف تعلن أنها اعترضت صاروخا باليستيا فوق جازان") == [
        ("strike", "unknown", "Jizan")]


def test_one_pass_over_the_item_finds_what_each_sentence_alone_would():
    from monitor import gazetteer
    from monitor.detect import _analyse_all
    from monitor.normalize import split_fields
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    sents = split_fields([("title", title), ("text", body)])
    gaz = gazetteer.load()

    def spans(rows):
        return [[(m.tok, m.tok_end, m.start, m.end) for m in kind] for row in rows for kind in row[1:]]

    together = _analyse_all(sents, "".join(s.form for s in sents), gaz, "ar")
    alone = [row for s in sents for row in _analyse_all([s], s.form, gaz, "ar")]
    assert spans(together) == spans(alone)
    assert sum(len(r[1]) for r in together) > 10


def test_province_named_with_an_administrative_word():
    # ولاية X is the province, also in another transliteration of its name
    assert events("مقتل 5 جنود في هجوم لطالبان في ولاية فراه") == [("attack", "taliban", "Farah Province")]
    assert events("مقتل 6 شرطيين في هجوم مسلح شنته طالبان في ولاية فاره") == [
        ("attack", "taliban", "Farah Province")]
    assert events("داعش يتبنى هجوما انتحاريا أسفر عن مقتل 10 في محافظة بالوتشيستان") == [
        ("attack", "isis", "Balochistan")]


def test_first_direction_of_a_compound_region():
    evs = events("الجيش المصري يعلن مقتل 12 مسلحا في اشتباكات شمال ووسط سيناء")
    assert [e[2] for e in evs] == ["North Sinai"]


def test_locator_after_a_place_gives_way_to_it():
    # "X جنوب محافظة Y": Y only says where X is
    evs = events("تقدم الجيش اليمني في مديرية القبيطة شمال محافظة لحج بعد معارك عنيفة مع الحوثيين")
    assert ("clash", "yemen_gov", "Al Qabbaytah") in evs
    assert all(e[2] != "Lahij Governorate" for e in evs)


def test_name_read_by_its_region_keeps_that_reading_in_the_item():
    evs = events("الجيش اليمني يصد هجوما للحوثيين في العقبة بالجوف",
                 "وقالت مصادر عسكرية إن مواجهات عنيفة دارت في جبهة العقبة بين الجيش والحوثيين.")
    assert evs and all(e[2] == "Al Jawf Governorate" for e in evs)


def test_sponsor_state_is_not_the_place():
    assert events("صواريخ الحوثيين المرتبطة بطهران تقصف مدينة مأرب") == [("strike", "houthis", "Marib")]
    assert events("قتل قيادي في غارة لطائرة بلا طيار تابعة للولايات المتحدة") == []


def test_questions_and_old_events_are_not_reported():
    assert events("كم هجوما تعرضت له مدينة حلب؟") == []
    assert events("تعرف على الجماعة التي نفذت هجوما بالغاز على مترو طوكيو في عام 1995") == []
    assert events("التحقيقات في بريطانيا بشأن هجوم مانشستر تكشف تفاصيل جديدة") == []


def test_missile_at_a_drone_is_no_strike():
    assert events("أطلقت إسرائيل صاروخا على طائرة مسيرة اقتربت من الجولان") == []


def test_coordinated_places_share_an_event_backwards():
    evs = events("سيطر الجيش اليمني على مواقع في لحج وتعز بعد مواجهات مع الحوثيين")
    assert {e[2] for e in evs if e[0] == "clash"} == {"Lahij Governorate", "Taiz Governorate"}


def test_named_foreign_air_force_wins_over_the_default():
    evs = events("طائرات تورنادو تقصف مخزن أسلحة في سوريا",
                 "بريطانيا تقول إنها نفذت الضربة العسكرية ضد سوريا.")
    assert evs == [("strike", "us_coalition", "Syria")]


def test_either_of_two_forces_is_the_first():
    evs = events("نفذت غارات من قبل العراقيين أو التحالف الدولي على مدينة هجين")
    assert [e[1] for e in evs] == ["iraq_gov"]


def test_purpose_of_a_battle_is_not_a_capture_even_when_claimed():
    evs = events("أعلنت الإمارات مقتل 3 من جنودها في معركة تحرير الحديدة")
    assert [e[0] for e in evs] == ["clash"]


# --- morphology, objects, holders (sentences written for these tests) ----------------------

@pytest.mark.parametrize("title,expected", [
    # attached pronouns on verbal nouns and on transitive verbs
    ("أعلن الحوثيون انسحابهم من مدينة حيس", ("withdrawal", "houthis", "Hays")),
    ("مدينة دوما قصفتها طائرات روسية", ("strike", "russia", "Douma")),
    # new cue verbs
    ("قوات النظام تستولي على بلدة كفر بطنا", ("capture", "syria_gov", "Kafr Batna")),
    ("الجيش التركي يتوغل في مدينة عفرين", ("advance", "turkey", "Afrin")),
    ("مغادرة جميع الفصائل المسلحة من دوما", ("withdrawal", "syria_rebels", "Douma")),
    # an offensive a named force launches, in a relative clause
    ("مقتل 10 في الهجوم الذي تشنه القوات الحكومية على مدينة الحديدة", ("advance", "yemen_gov", "Al Hudaydah")),
    # mutual shelling is fighting
    ("قصف مدفعي متبادل بين الجيش اليمني والحوثيين في صعدة", ("clash", "yemen_gov", "Sa'dah")),
    # the force before a verb is its subject, the one after it the object
    ("التحالف العربي يدك مواقع الحوثي في صعدة", ("strike", "saudi_coalition", "Sa'dah")),
    ("الميليشيات الموالية لإيران تقصف بلدة البوكمال", ("strike", "iran", "Abu Kamal")),
])
def test_general_forms(title, expected):
    assert expected in events(title)


def test_kaf_is_no_clitic_of_a_verb():
    # كفر (Kafr) is not ك + فر ("fled")
    assert [e[0] for e in events("قوات النظام تستولي على بلدة كفر بطنا")] == ["capture"]


def test_force_driven_out_is_not_the_doer():
    assert events("القوات العراقية تطرد داعش من بلدة راوة") == [("capture", "iraq_gov", "Rawa")]
    assert events("طردت القوات العراقية مسلحي داعش من بلدة راوة") == [("capture", "iraq_gov", "Rawa")]
    assert events("طرد داعش من بلدة راوة") == [("capture", "unknown", "Rawa")]
    assert events("الجيش السوري يعلن تحرير بلدة دوما من الفصائل") == [("capture", "syria_gov", "Douma")]


def test_holder_of_a_place_is_neither_capture_nor_striker():
    evs = events("غارات على قرى يسيطر عليها مقاتلو المعارضة في ريف إدلب")
    assert [e[0] for e in evs] == ["strike"] and evs[0][1] != "syria_rebels"


def test_victims_of_a_unit_and_a_nationality_of_another_noun():
    assert events("مقتل 5 من عناصر الجيش في هجوم مسلح في كابول") == [("attack", "unknown", "Kabul")]
    assert events("هجوم إرهابي أسفر عن مقتل 20 استهدف مقر الجيش والسفارة الفرنسية في كابول") == [
        ("attack", "unknown", "Kabul")]


def test_named_other_force_wins_over_unknown_when_merged():
    assert events("اشتباكات في ميانمار", "قتل 19 في اشتباكات بين جيش ميانمار ومجموعة مسلحة في ولاية شان") == [
        ("clash", "other", "Shan State")]


def test_football_pounding_is_no_strike():
    assert events("محمد صلاح يدك شباك روما بهدفين") == []


def test_place_of_another_event_in_a_relative_clause():
    # the strike hit the group's base; the town is where the group's own attack was
    evs = events("الجيش الإيراني يقصف سوريا",
                 "قال الحرس الثوري إنه قصف بالصواريخ مقر الجماعة التي نفذت هجوم الأهواز الشهر الماضي.")
    assert ("strike", "iran", "Ahvaz") not in evs
    assert any(e[0] == "strike" and e[2] == "Syria" for e in evs)


def test_direction_before_a_countryside_names_its_part():
    evs = events("طائرات حربية تقصف مواقع لداعش شرقي ريف حمص")
    assert [e[2] for e in evs] == ["Eastern Homs desert"]
    evs = events("اشتباكات عنيفة في محافظة شمالي سيناء")
    assert [e[2] for e in evs] == ["North Sinai"]


def test_direction_of_a_country_is_the_country():
    assert [e[2] for e in events("غارات جوية على مواقع للمسلحين غربي العراق")] == ["Iraq"]


def test_part_named_by_a_direction_is_finer_than_the_desert():
    evs = events("كمين لداعش في البادية السورية شرقي ريف حمص")
    assert [e[2] for e in evs] == ["Eastern Homs desert"]


def test_place_located_in_a_district_of_another_country():
    # a mountain the gazetteer knows only as a town of Jordan, located in a Yemeni district
    evs = events("القوات الحكومية تسيطر على جبال الرصيفة في مديرية كتاف بمحافظة صعدة")
    assert [e[2] for e in evs] == ["Kitaf"]


def test_homonym_settled_by_the_country_named():
    det = detect_item("مقتل جندي في اشتباكات بطرابلس",
                      "اندلعت اشتباكات مع مسلحين في المدينة الواقعة شمالي لبنان.")
    assert det.events and det.events[0]["place"]["country"] == "LB"


def test_force_that_suffers_losses_is_not_the_doer():
    evs = events("معارك عنيفة تكبدت خلالها ميليشيات الحوثي خسائر كبيرة في مديرية حيس")
    assert [(e[0], e[1]) for e in evs] == [("clash", "unknown")]


def test_force_whose_stronghold_is_hit_is_the_target():
    evs = events("مقتل 12 مدنيا في هجوم انتحاري على آخر معقل للفصائل المعارضة في إدلب")
    assert evs and all(e[1] != "syria_rebels" for e in evs)


def test_at_the_hands_of_names_the_doer():
    evs = events("تحرير مدينة الحديدة على أيدي قوات الشرعية")
    assert evs and evs[0][:2] == ("capture", "yemen_gov")


def test_possessed_military_operations_are_an_offensive():
    evs = events("القوات العراقية تواصل عملياتها العسكرية في قضاء الحويجة")
    assert [e[:2] for e in evs] == [("advance", "iraq_gov")]


def test_explosive_drones_strike():
    evs = events("هجوم بطائرات دون طيار مفخخة استهدف قاعدة حميميم")
    assert [e[0] for e in evs] == ["strike"]
    assert evs[0][1] == "unknown"  # who sends an unnamed drone is not said


def test_gas_attack_without_the_word_attack():
    evs = events("عشرات حالات الاختناق في بلدة سراقب بعد قصف بالغازات السامة")
    assert any(e[0] == "attack" and e[2] == "Saraqib" for e in evs)


def test_such_an_attack_is_spoken_of_not_reported():
    assert events("وزير: مثل هذا الهجوم على إدلب سيؤدي إلى مقتل المئات") == []


def test_title_question_after_a_colon_asks_only_the_rest():
    evs = events("كاتب عن حصار مضايا: متى يتحرك العالم؟")
    assert [e[0] for e in evs] == ["siege"]
    assert events("هل يبدأ حصار مضايا قريبا؟") == []


def test_air_force_targeting_is_a_strike():
    evs = events("الطيران الروسي يستهدف مواقع للمعارضة في ريف حماة")
    assert ("strike", "russia", "Hama Governorate") in evs or any(
        e[:2] == ("strike", "russia") for e in evs)
    assert events("الشركة تستهدف زيادة إنتاجها في حماة") == []


def test_fighting_fronts_are_not_a_clash():
    assert events("الحوثيون يرسلون مجندين جددا إلى جبهات القتال في الحديدة") == []


def test_suspects_of_an_attack_are_background():
    assert events("اعتقال خمسة مشتبه في ضلوعهم بهجمات دامية في القاهرة") == []


def test_arms_purchase_is_no_event():
    assert events("المغرب يشتري طائرات دون طيار تركية لجيشه") == []


def test_ambiguous_place_names_resolved_from_the_fighting_around_them():
    # القائم "existing" and حماة "protectors" are the towns when fighting is aimed at them
    assert events("سيطرت القوات العراقية على القائم") == [("capture", "iraq_gov", "Al-Qaim")]
    assert events("غارات جوية روسية على حماة") == [("strike", "russia", "Hama")]
    assert events("قال المسؤول إن الوضع القائم على الأرض صعب") == []


def test_suicide_bombers_dual_and_plural():
    evs = events("انتحاريان يفجران نفسيهما قرب مقر للشرطة في مدينة جلال آباد")
    assert any(e[0] == "attack" and e[2] == "Jalalabad" for e in evs)
    assert events("ذكرت دراسة أن نوعا من النحل يفجر نفسه دفاعا عن الخلية في كاليفورنيا") == []


def test_explosions_of_a_reported_strike_are_that_strike():
    evs = events("غارات للتحالف على مواقع الحوثيين في صنعاء وانفجارات عنيفة تهز المدينة")
    assert [e[0] for e in evs] == ["strike"]


def test_barrel_bomb_in_the_singular():
    evs = events("المرصد: مروحيات النظام تلقي 20 برميلا متفجرا على بلدة اللطامنة")
    assert any(e[0] == "strike" and e[1] == "syria_gov" for e in evs)


def test_a_drone_is_not_a_protest_march():
    evs = events("الحوثيون يعلنون قصف مطار أبها بطائرة مسيرة")
    assert any(e[0] == "strike" and e[1] == "houthis" and e[2] == "Abha" for e in evs)
    assert events("مسيرة حاشدة في صنعاء وسط إطلاق نار في الهواء") == []


def test_a_drone_shot_down_struck_nothing():
    assert events("الجيش اليمني يسقط طائرة مسيرة للحوثيين في جبهة حيس") == []
    assert events("صاروخ إسرائيلي يستهدف طائرة مسيرة قرب الجولان") == []
    evs = events("الدفاعات الروسية تسقط طائرة مسيرة استهدفت قاعدة حميميم")
    assert [e[:1] for e in evs] == [("strike",)] and evs[0][1] != "russia"


def test_the_besieged_place_and_its_unnamed_besieger():
    evs = events("مقتل 12 مدنيا في بلدات الغوطة الشرقية المحاصرة، بينما استعادت الفصائل بلدة حمورية")
    assert ("siege", "syria_gov", "East Ghouta towns") in evs
    assert ("capture", "syria_rebels", "Hamouriyah") in evs
    assert ("siege", "israel", "Gaza Strip") in events("غارة تستهدف موقعا في قطاع غزة المحاصر")


def test_strikes_on_the_armys_positions_are_not_its_air_force():
    evs = events("صواريخ مجهولة تستهدف مواقع لقوات النظام في ريف حماة")
    assert evs and all(e[1] != "syria_gov" for e in evs)


def test_a_direction_of_the_country_is_the_country():
    evs = events("مقتل 5 جنود عراقيين في هجوم لداعش غربي البلاد")
    assert ("attack", "isis", "Iraq") in evs


def test_summary_borrows_the_place_of_the_titles_event():
    evs = events("اليمن: الحوثيون يقصفون الرياض بصاروخ باليستي",
                 "قالت الجماعة إنها قصفت بصاروخ بعيد المدى هدفا عسكريا.")
    assert all(e[2] == "Riyadh" for e in evs if e[0] == "strike")


def test_hopes_resolve_and_agreements_are_not_events():
    assert events("أردوغان يأمل أن يسيطر الجيش التركي على تل رفعت قريبا") == []
    assert events("اتفاق يقضي بانسحاب المسلحين من مدينة دوما") == []
    assert events("دمشق عازمة على تحرير إدلب من الإرهابيين") == []


def test_nuclear_bombs_floods_and_sit_ins_are_no_events():
    assert events("السعودية ستطور قنبلة نووية إذا فعلت إيران ذلك") == []
    assert events("السيول تحاصر مئات السكان في قرى محافظة حضرموت") == []
    assert events("قوات الأمن تطوق المعتصمين أمام مقر الحكومة في عمان") == []


def test_to_attack_a_target_is_armed_a_person_or_state_is_words():
    assert events("حركة الشباب تهاجم قاعدة عسكرية قرب مقديشو") == [("attack", "al_shabaab", "Mogadishu")]
    assert events("مسلحون هاجموا نقطة تفتيش في مدينة سرت") == [("attack", "unknown", "Sirte")]
    assert events("طائرات مسيرة تهاجم قاعدة حميميم") == [("strike", "unknown", "Hmeimim Air Base")]
    assert events("أردوغان يهاجم ماكرون ويتهم باريس بدعم الإرهاب") == []
    assert events("واشنطن تهاجم موسكو بسبب دورها في سوريا") == []


def test_the_boycotting_states_besiege_nothing():
    assert events('قطر تطالب "دول الحصار" بالجلوس للتفاوض') == []
    assert events("وزير الخارجية يتهم الدول المحاصرة للدوحة بافتعال الأزمة") == []



def test_the_edge_of_a_place_is_an_advance_only_where_a_force_stands():
    assert events("باتت القوات الحكومية على مشارف مدينة حيس") == [("advance", "yemen_gov", "Hays")]
    assert events("القوات الحكومية على أطراف مدينة حيس") == [("advance", "yemen_gov", "Hays")]
    # what lies or happens at the edge, and the doors of a mosque
    assert events("التحالف يقصف مواقع الحوثيين على مشارف مدينة حيس") == [("strike", "saudi_coalition", "Hays")]
    assert events("دمرت الطائرات مواقع الحوثيين الواقعة على أطراف مدينة حيس") == []
    assert events("معارك عنيفة على أطراف مدينة حيس") == [("clash", "unknown", "Hays")]
    assert events("قوات الاحتلال تعيد فتح أبواب المسجد الأقصى") == []


def test_a_land_attack_on_a_place_is_an_advance():
    assert events("القوات الحكومية تشن هجوما بريا على بلدة راوة") == [("advance", "iraq_gov", "Rawa")]
    assert events("شنت القوات الحكومية هجوما واسعا على مواقع المسلحين في بلدة راوة") == [
        ("advance", "iraq_gov", "Rawa")]
    assert events("الجيش السوري يحشد قواته وسط توقعات بهجوم بري على إدلب") == []
    assert events("الجيش يتقدم على منافسيه في استطلاع الرأي") == []


def test_missiles_made_tested_or_studied_are_no_strike():
    assert events("مقتل خبيري صواريخ إيرانيين بغارة للتحالف في صعدة") == [("strike", "saudi_coalition", "Sa'dah")]
    assert events("كوريا الشمالية تختبر صاروخا باليستيا جديدا في بحر اليابان") == []


def test_threats_and_attempts_are_not_reported():
    assert events("مبعوث روسي يبحث في طهران التهديدات الغربية بتوجيه ضربة عسكرية إلى النظام السوري") == []
    assert events("قتل عشرات المسلحين خلال محاولتهم التقدم نحو مدينة دير الزور") == []


def test_an_exchange_of_shelling_is_a_clash():
    assert events("تبادل للقصف بين الجيش السوري وفصائل المعارضة في ريف حماة") == [
        ("clash", "syria_gov", "Hama Governorate")]


def test_a_lifeline_and_a_drill_are_not_military():
    assert events("الصادرات الزراعية طوق النجاة لاقتصاد مصر") == []
    assert events("نظمت قوات الأمن اليمنية مناورة عسكرية اقتحمت خلالها مواقع وهمية في مأرب") == []


def test_expelling_diplomats_captures_nothing():
    assert events("قوات الأمن تطرد السفير الإسرائيلي من أنقرة") == []


def test_the_holder_of_the_areas_struck_is_not_the_striker():
    assert events("قصف جوي على مناطق سيطرة فصائل المعارضة في ريف درعا") == [
        ("strike", "syria_gov", "Daraa Governorate")]


def test_the_force_whose_air_defences_intercept_does_not_strike():
    evs = events("اعترضت الدفاعات الجوية التابعة لقوات التحالف صاروخين باليستيين استهدفا جازان")
    assert [e[1] for e in evs] == ["unknown"]


def test_plots_and_bomb_hoaxes_are_not_attacks():
    assert events("السجن لرجلين خططا لتفجير سفارة في عمان") == []
    assert events("طائرة تهبط اضطراريا في مطار القاهرة بعد بلاغ بوجود قنبلة") == []


def test_gas_supplied_is_no_gas_attack():
    assert events("إسرائيل تبدأ تزويد الأردن بالغاز") == []
    assert events("مقتل العشرات في هجوم بالغازات السامة على دوما") == [("attack", "unknown", "Douma")]


def test_a_lifeline_a_racist_attack_and_a_coach_are_not_military():
    assert events("الصادرات طوق نجاة لاقتصاد مصر") == []
    assert events("مهاجر سوري تعرض لهجوم عنصري في برلين") == []
    assert events("المدرب يؤكد أن الهجوم الذي شنه فريقه أسفر عن ثلاثة أهداف في موسكو") == []


def test_unnamed_shells_are_not_the_air_forces():
    assert events("مقتل مدنيين بسقوط قذيفة هاون على حي في دمشق") == [("strike", "unknown", "Damascus")]
    assert events("قذيفة إسرائيلية تقتل فلسطينيا في غزة") == [("strike", "israel", "Gaza")]


def test_only_a_force_arriving_is_an_advance():
    assert events("وصلت قوات الجيش اليمني إلى مدينة حيس") == [("advance", "yemen_gov", "Hays")]
    assert events("القوات التركية وصلت إلى مدينة عفرين") == [("advance", "turkey", "Afrin")]
    # envoys, aid and death tolls arrive too
    assert events("وصل المبعوث الأممي إلى صنعاء لبحث وقف القتال مع الحوثيين") == []
    assert events("ارتفعت حصيلة المعارك في الحديدة بعد أن وصلت إلى عشرات القتلى") == [
        ("clash", "unknown", "Al Hudaydah")]


def test_a_police_cordon_and_sanctions_besiege_nothing():
    assert events("الشرطة البريطانية فرضت طوقا أمنيا قرب مبنى في لندن") == []
    assert events("واشنطن تطوق طهران بعقوبات جديدة") == []


def test_readiness_and_options_are_expected():
    assert events("القوات الحكومية تتأهب للتقدم نحو ميناء الحديدة") == []
    assert events("القوات تواصل استعدادها لحسم معركة الحديدة") == []
    assert events("وضع المخططون العسكريون خيارات تشمل شن ضربات صاروخية على سوريا") == []


def test_a_withdrawal_asked_for_or_agreed_is_not_reported():
    assert events("دمشق ترهن المفاوضات بانسحاب القوات الأمريكية من التنف") == []
    assert events("هادي يؤكد ضرورة انسحاب الحوثيين من الحديدة") == []
    assert events("ترامب أبلغ مستشاريه برغبته في انسحاب القوات الأميركية من سوريا") == []
    assert events("بدأت الفصائل بالانسحاب من بلدات ريف درعا") == [
        ("withdrawal", "syria_rebels", "Daraa Governorate")]


def test_an_offensive_that_has_not_begun_is_not_reported():
    assert events("مسؤول سوري: الهجوم البري على محافظة إدلب لم يبدأ بعد") == []


def test_a_cause_of_the_other_side_does_not_hide_an_event():
    # the factions' shelling is reported; the Israeli shelling it answers is the cause
    assert events("فصائل فلسطينية تقصف مواقع إسرائيلية في محيط قطاع غزة ردا على القصف الإسرائيلي "
                  "على مواقعها") == [("strike", "palestinian_factions", "Gaza Strip")]
    # rockets fired from Gaza (where they came from) are not strikes on Gaza
    assert events("مقتل طفل في غارات إسرائيلية على قطاع غزة",
                  "قالت إسرائيل إن الغارات جاءت ردا على إطلاق صواريخ على بلداتها من قطاع غزة") == [
        ("strike", "israel", "Gaza Strip")]


def test_only_a_year_or_a_span_dates_an_event_as_old():
    assert events("الأمين العام للأمم المتحدة يدين الغارات الجوية على مدينة دوما") == [
        ("strike", "syria_gov", "Douma")]
    assert events("عام 2014 سيطر تنظيم داعش على مدينة الموصل") == []
    assert events("زار الوزير مدينة الموصل بعد عام على تحريرها من تنظيم داعش") == []


def test_a_warning_after_strikes_reports_the_strikes():
    assert ("strike", "houthis", "Sa'dah") not in events("الحكومة تحذر الحوثيين من غارات جوية على مدينة صعدة")
    assert [e[0::2] for e in events("الحكومة تحذر الحوثيين بعد غارات جوية على مدينة صعدة")] == [
        ("strike", "Sa'dah")]
    assert events("التحالف يكشف خطة ما بعد تحرير مدينة الحديدة") == []


def test_control_announced_or_made_firm_is_a_capture():
    assert events("أعلن الجيش اليمني سيطرته على مديرية التحيتا") == [("capture", "yemen_gov", "At Tuhayta")]
    assert ("capture", "unknown", "Daraa") in events("حققت القوات تقدما بسيطرتها على تلة قرب مدينة درعا")
    # control used, kept or near is not taken
    assert events("الحوثيون يستغلون سيطرتهم على ميناء الحديدة لتهريب الأسلحة") == []
    assert [e[0] for e in events("الجيش يقترب من إحكام سيطرته على مدينة درعا")] == ["advance"]


def test_two_shells_strike():
    assert events("أطلقت الفصائل الفلسطينية قذيفتين على مدينة عسقلان") == [
        ("strike", "palestinian_factions", "Ashkelon")]


def test_villages_of_a_town_and_a_sponsor_by_a_verb():
    assert events("الجيش السوري يعلن السيطرة على قرى تابعة لمدينة دير الزور بعد اشتباكات مع قوات "
                  "سوريا الديمقراطية التي تدعمها أمريكا") == [
        ("capture", "syria_gov", "Deir ez-Zor"), ("clash", "syria_gov", "Deir ez-Zor")]


def test_a_training_site_is_a_target_a_drill_is_no_event():
    assert events("غارة إسرائيلية على موقع تدريب لحماس شمال قطاع غزة") == [("strike", "israel", "Gaza Strip")]
    assert events("الجيش الإسرائيلي يجري تدريبات عسكرية قرب قطاع غزة بعد قصف مدفعي") == []


def test_while_it_took_reports_the_capture():
    assert ("capture", "syria_gov", "Jindires") in events(
        "في الوقت الذي سيطر الجيش السوري على بلدة جنديرس، تواصلت المعارك في عفرين")
    assert [e[0] for e in events("الفصائل التي سيطرت على بلدة جنديرس تتقدم نحو عفرين")] == ["advance"]


@pytest.mark.parametrize("title, place", [
    ("قتلى في هجوم انتحاري في مدينة كويتا الباكستانية", "Quetta"),
    ("قصف صاروخي على مقر حزب كردي في مدينة كوي سنجق", "Koysinceq"),
    ("صواريخ إسرائيلية تقصف موقعا عسكريا قرب مطار النيرب", "Nayrab Air Base"),
    ("غارات على معسكرات للحوثيين في جبل نقم", "Jabal Nuqum"),
])
def test_places_of_the_wars_gazetteer_lacked(title, place):
    assert [e[2] for e in events(title)] == [place]


def test_strikes_named_with_their_doer_pronoun():
    assert events("كثفت طائرات التحالف غاراتها على مواقع الحوثيين في محافظة صعدة") == [
        ("strike", "saudi_coalition", "Saada Governorate")]
    assert events("الجيش السوري يواصل غاراته على مدينة دوما") == [("strike", "syria_gov", "Douma")]


def test_control_imposed_or_by_fire():
    assert events("القوات المشتركة فرضت سيطرتها على مطار الحديدة") == [
        ("capture", "yemen_gov", "Hodeidah Airport")]
    assert [e[0::2] for e in events("أصبح مطار الحديدة تحت السيطرة النارية للقوات المشتركة")] == [
        ("advance", "Hodeidah Airport")]


def test_besieged_forces_are_not_the_besieger():
    assert events("حوصرت عناصر الميليشيات داخل مطار الحديدة") == [("siege", "unknown", "Hodeidah Airport")]
    # people trapped (in a cave, by a flood) are no siege
    assert events("حوصر عشرات المتسلقين داخل كهف في مدينة صعدة") == []


def test_an_officer_speaking_makes_the_sentence_military():
    assert [e[0::2] for e in events("قال العميد أحمد المسماري إن غرفة عمليات الكرامة أعلنت سيطرتها "
                                    "على مواقع في درنة")] == [("capture", "Derna")]


def test_a_shell_that_killed_is_reported():
    assert [e[0::2] for e in events("لقي أربعة أشخاص مصرعهم إثر سقوط قذيفة على مخيم للنازحين في طرابلس")] == [
        ("strike", "Tripoli")]
    assert events("القوات السورية تخلي قواعدها تحسبا لضربات صاروخية على سوريا") == []


def test_the_coalitions_leader_is_no_place():
    assert events("غارة شنتها قوات التحالف الذي تتزعمه السعودية على مدينة صعدة") == [
        ("strike", "saudi_coalition", "Sa'dah")]


def test_a_missile_strikes_its_target_not_its_launch_site():
    assert [e[2] for e in events("صاروخ باليستي أطلق من اليمن استهدف مدينة نجران")] == ["Najran"]
    assert events("الحوثيون يطلقون صاروخا من صعدة باتجاه مدينة جازان") == [("strike", "houthis", "Jizan")]


def test_a_possible_attack_is_expected_a_suspected_gas_attack_is_reported():
    assert events("صفارات الإنذار تحذر من هجوم صاروخي محتمل على مدينة عسقلان") == []
    assert events("مقتل العشرات بهجوم كيماوي محتمل على مدينة دوما") == [("attack", "unknown", "Douma")]


def test_government_forces_are_the_countrys():
    assert events("هجوم واسع لقوات الحكومة اليمنية على مطار الحديدة") == [
        ("advance", "yemen_gov", "Hodeidah Airport")]
    assert events("قوات الحكومة تقصف مدينة درعا") == [("strike", "syria_gov", "Daraa")]


def test_a_state_telling_of_an_attack_is_not_its_doer():
    assert events("الولايات المتحدة تقول إن معارضا قتل في هجوم كيمياوي في مدينة دوما") == [
        ("attack", "unknown", "Douma")]
    assert events("واشنطن: تقارير مقلقة عن هجوم كيماوي في مدينة دوما",
                  "قالت الخارجية إن عشرات قتلوا في الهجوم الكيماوي على مدينة دوما") == [
        ("attack", "unknown", "Douma")]
    # a side that says it struck keeps the strike
    assert events("إسرائيل تقول إنها قصفت مواقع إيرانية في مدينة دمشق") == [("strike", "israel", "Damascus")]


def test_the_force_whose_targets_are_struck_is_not_the_striker():
    assert events("قال الجيش الإسرائيلي إنه ضرب عشرين هدفا لحماس بغارات جوية في قطاع غزة") == [
        ("strike", "israel", "Gaza Strip")]


def test_storming_a_base_is_an_attack_storming_a_town_an_advance():
    assert events("مسلحون من حركة الشباب تقتحم قاعدة عسكرية في جنوب الصومال") == [
        ("attack", "al_shabaab", "Somalia")]
    assert events("القوات اليمنية تقتحم مطار الحديدة") == [("advance", "yemen_gov", "Hodeidah Airport")]


def test_a_launched_attack_of_a_kind_keeps_its_type():
    assert events("أكدت واشنطن أن النظام السوري نفذ هجوما كيماويا على مدينة دوما") == [
        ("attack", "syria_gov", "Douma")]
    assert events("الحوثيون شنوا هجمات صاروخية على مدينة جازان") == [("strike", "houthis", "Jizan")]
    assert events("قال مسؤول إن الرجل الذي نفذ هجوم الطعن في ميونخ ينتمي إلى تنظيم داعش") == [
        ("attack", "isis", "Munich")]
    # an offensive launched on positions stays an advance
    assert events("شنت قوات الجيش اليمني هجوما واسعا على مواقع الحوثيين في مديرية باقم") == [
        ("advance", "yemen_gov", "Baqim")]


def test_a_capital_that_names_its_state_is_no_place():
    assert events("مقتل جنود أتراك في منطقة عفرين حيث تشن أنقرة عملية عسكرية ضد المقاتلين الأكراد") == [
        ("advance", "turkey", "Afrin")]


def test_an_offensive_threatened_or_warned_against_is_expected():
    assert events("قال أردوغان إن تركيا ستشن عمليات عسكرية جديدة في شمال سوريا") == []
    assert events("أردوغان يتوعد المسلحين الأكراد في العراق بشن عملية عسكرية في سنجار") == []
    assert events("حذر الوزير الرئيس السوري من شن هجوم على محافظة إدلب") == []


def test_a_backer_is_not_the_doer():
    assert events("أحرز الجيش اليمني مسنودا بقوات التحالف العربي تقدما جديدا في مديرية نهم") == [
        ("advance", "yemen_gov", "Nihm District")]
    assert events("عملية عسكرية واسعة كبدت الحوثيين خسائر فادحة في مديرية باقم") == [
        ("advance", "unknown", "Baqim")]


def test_a_sponsor_is_no_place_and_an_isis_affiliate_is_isis():
    assert events("استعادت قوات سوريا الديمقراطية المدعومة من قبل أمريكا بلدة هجين") == [
        ("capture", "sdf", "Hajin")]
    assert events("سيطر جيش خالد بن الوليد على بلدة حيط في ريف درعا")[0][1] == "isis"


def test_a_capture_not_yet_made_is_no_capture():
    assert events("قوات الشرعية تقترب من الاستيلاء على ميناء الحديدة") == [
        ("advance", "yemen_gov", "Hodeidah Port")]
    assert events("ضربات جوية للتحالف على طريق تحرير مدينة الحديدة") == [
        ("strike", "saudi_coalition", "Al Hudaydah")]


def test_an_unidentified_strike_is_no_air_forces():
    assert events("غارة جوية مجهولة تستهدف معسكرا قرب مدينة بني وليد") == [("strike", "unknown", "Bani Walid")]


def test_plots_bomb_making_fires_and_protests_are_no_events():
    assert events("ثلاثة رجال متهمين بالتآمر لتفجير كنيسة في مدينة ميونخ") == []
    assert events("الشرطة تعثر على مواد لصنع قنبلة في شقة بمدينة مانيلا") == []
    assert events("سيطرت قوات الدفاع المدني على حريق ضخم في مدينة جدة") == []
    assert events("مقتل متظاهر في اشتباكات بين محتجين وقوات الأمن في مدينة البصرة") == []


def test_the_force_inside_an_entry_cue_enters():
    assert events("تحصن مسلحو داعش في الأحياء القريبة من بلدة القائم عقب دخول القوات العراقية إليها") == [
        ("capture", "iraq_gov", "Al-Qaim")]


def test_the_force_killed_by_a_named_doer_is_the_victim():
    assert events("قالت الشرطة إن طالبان قتلت 20 من قوات الأمن في كمين بولاية غزنة") == [
        ("attack", "taliban", "Ghazni Province")]


def test_a_state_that_announces_a_strike_is_not_its_doer():
    assert events("أعلنت روسيا أن الغارات التي استهدفت مطار التيفور نفذتها إسرائيل") == [
        ("strike", "israel", "Tiyas (T4) Airbase")]


def test_a_missile_aimed_at_a_countrys_lands_strikes_that_country():
    assert events("أطلق الحوثيون صاروخا من محافظة صعدة باتجاه الأراضي السعودية") == [
        ("strike", "houthis", "Saudi Arabia")]


def test_english_attacks_bombings_and_allied_forces():
    assert events("Taliban fighters attacked a police checkpoint in Farah province") == [
        ("attack", "taliban", "Farah Province")]
    assert events("Russian warplanes bombed the town of Saraqib in Idlib province") == [
        ("strike", "russia", "Saraqib")]
    assert events("Turkish troops and allied rebels entered the town of Jandairis") == [
        ("capture", "turkey", "Jindires")]
    assert events("The minister attacked the government's policy in Baghdad") == []


def test_aircraft_approaching_aircraft_is_no_advance():
    assert events("الإمارات تدين اقتراب مقاتلات قطرية من طائرة مدنية في أجواء البحرين") == []
    assert events("القوات التركية تقترب من مدينة عفرين") == [("advance", "turkey", "Afrin")]


def test_a_battle_still_to_come_is_no_clash():
    assert events("مقاتلات التحالف تقصف مواقع الحوثيين في الحديدة قبيل معركة الحسم") == [
        ("strike", "saudi_coalition", "Al Hudaydah")]


def test_an_appeal_in_court_and_gas_fired_at_protesters_are_no_attacks():
    assert events("أيدت المحكمة العليا رفض الطعن المقدم من الوزير في مدينة لاهور") == []
    assert events("احتجاجات على حدود غزة", "أصيب عشرات الفلسطينيين بالاختناق بالغاز إثر قمع الجيش "
                  "الإسرائيلي مظاهرات قرب حدود قطاع غزة") == []
    # a stabbing is an attack
    assert events("مقتل شخصين في هجوم طعن في مدينة ميونخ") == [("attack", "unknown", "Munich")]


def test_a_country_across_the_border_is_neither_place_nor_doer():
    assert events("انفجار قنبلة يقتل جنودا أتراكا في منطقة قريبة من الحدود مع العراق وإيران") == []
    # across the border is in that country
    assert [e[2] for e in events("مقتل 22 من عناصر الحشد الشعبي في ضربة جوية عبر الحدود مع سوريا")] == ["Syria"]


def test_states_joined_to_a_doer_state_are_doers_not_places():
    # "وبريطانيا وفرنسا" joined by و to a state named as the doer: doers, and the strikes'
    # place is the one after the preposition
    assert events("غارات جوية شنتها الولايات المتحدة وبريطانيا وفرنسا على مواقع في مدينة حمص") == [
        ("strike", "us_coalition", "Homs")]
    assert events("الضربات التي نفذتها الولايات المتحدة مع فرنسا وبريطانيا استهدفت مواقع في دمشق") == [
        ("strike", "us_coalition", "Damascus")]
    # joined to a place after a preposition, a state is a place too
    assert [e[2] for e in events("طائرات حربية تقصف مواقع في سوريا والعراق")] == ["Syria", "Iraq"]


def test_the_start_of_a_campaign_hides_none_of_its_new_strikes():
    # "منذ بدء حملة القصف": since the campaign began; the title's new strikes are reported
    assert events("غارات جديدة لقوات النظام على مدينة دوما",
                  "وترتفع الحصيلة إلى 700 قتيل منذ بدء حملة القصف العنيف لمدينة دوما في شباط") == [
        ("strike", "syria_gov", "Douma")]
    # an attack the item gives as a cause is not reported by its other sentences
    assert events("هجوم على حاجز للجيش في مدينة دوما",
                  "قصف الجيش المدينة ردا على الهجوم على حاجز في مدينة دوما") == [
        ("strike", "syria_gov", "Douma")]


def test_two_attacks_and_the_force_they_are_by():
    # the dual (هجومين, تفجيرين) is a cue as the singular is; "لطالبان" after the attack
    # is its doer, also where the dead are named before it
    assert events("قتلى في هجومين لحركة طالبان في ولاية بادغيس") == [("attack", "taliban", "Badghis Province")]
    assert events("عشرات القتلى في تفجيرين بسيارتين مفخختين في مدينة كركوك") == [("attack", "unknown", "Kirkuk")]
    assert events("قتلى بهجوم لداعش في مدينة كركوك") == [("attack", "isis", "Kirkuk")]
    # the dead of a force are still its losses, not its attack
    assert events("قتلى من داعش بقصف للتحالف على مدينة كركوك") == [("strike", "us_coalition", "Kirkuk")]


def test_to_besiege_is_military_only_where_a_force_or_weapon_is_named():
    assert events("قوات النظام تحاصر مدينة دوما") == [("siege", "syria_gov", "Douma")]
    assert events("النيران تحاصر قرية في محافظة إدلب") == []  # fire closing in
    assert events("أوروبا تضيق الخناق على موسكو في قضية الجاسوس") == []
    # "the besieged X" needs no force: it is said of a place under siege
    assert events("قافلة مساعدات تدخل الغوطة الشرقية المحاصرة") == [("siege", "syria_gov", "Eastern Ghouta")]


def test_attacks_abroad_have_their_country():
    assert events("مقتل أربعة أشخاص في إطلاق نار في كندا") == [("attack", "unknown", "Canada")]
    assert events("ثلاثة مسلحين يهاجمون مسجدا في جنوب أفريقيا") == [("attack", "unknown", "South Africa")]


def test_weapons_in_the_accusative_and_the_republican_guard_name_their_force():
    # "صاروخا حوثيا", "صاروخين إسرائيليين": a nationality after a weapon names its force
    assert events("الدفاعات الجوية تتصدى لصاروخين إسرائيليين استهدفا منطقة الكسوة") == [
        ("strike", "israel", "Al Kiswah")]
    # the Republican Guard is the army of the country it fights in
    assert events("قوات الحرس الجمهوري تتقدم في مدينة دوما") == [("advance", "syria_gov", "Douma")]
    # Tel Aviv, like Moscow or Ankara, names its state where it speaks or acts
    assert events("تل أبيب تقصف مواقع في مدينة القنيطرة") == [("strike", "israel", "Quneitra")]


def test_a_clash_named_far_from_any_force_is_the_first_sides():
    assert events("استعادت القوات الشرعية بإسناد من مقاتلات التحالف العربي يوم الأحد السيطرة على ثلاث تلال "
                  "استراتيجية ومواقع أخرى في مديرية باقم شمالي محافظة صعدة بعد معارك عنيفة") == [
        ("capture", "yemen_gov", "Baqim"), ("clash", "yemen_gov", "Baqim")]


def test_a_party_to_talks_about_a_besieged_place_is_not_its_besieger():
    # offering, agreeing, negotiating: the default besieger, not the party
    assert events("الجيش الروسي يعرض على المقاتلين في الغوطة الشرقية المحاصرة الخروج مع عائلاتهم") == [
        ("siege", "syria_gov", "Eastern Ghouta")]
    assert events("الفصائل تعلن التوصل إلى اتفاق مع روسيا لإجلاء الجرحى من مدينة دوما المحاصرة") == [
        ("siege", "syria_gov", "Douma")]
    # nor the title's party to talks
    assert events("روسيا تؤجل المفاوضات مع الفصائل",
                  "أجلت لجنة التفاوض اجتماعها بشأن مدينة دوما المحاصرة") == [("siege", "syria_gov", "Douma")]
    # a force named as besieging, or doing the title's event, still is
    assert events("افتتاح مدرسة جديدة في مدينة تعز المحاصرة من قبل ميليشيات الحوثي") == [
        ("siege", "houthis", "Taiz")]
    assert ("siege", "turkey", "Afrin") in events(
        "القوات التركية تقترب من مدينة عفرين", "نزح آلاف المدنيين من المدينة المحاصرة خلال اليومين الماضيين")


def test_a_state_telling_of_a_chemical_attack_is_not_its_doer():
    assert events("الولايات المتحدة ترى أن هجوما كيماويا استهدف مدينة دوما") == [("attack", "unknown", "Douma")]
    assert events("واشنطن تدين الهجوم الكيماوي في دوما",
                  "قتل عشرات المدنيين في هجوم بغاز الكلور على مدينة دوما") == [("attack", "unknown", "Douma")]
    # the accused is the doer, also after "على أن" (evidence that)
    assert events("فرنسا تتهم النظام السوري بشن هجوم كيماوي على بلدة دوما") == [("attack", "syria_gov", "Douma")]
    assert events("فرنسا تقول إن لديها أدلة على أن النظام السوري نفذ الهجوم الكيماوي في دوما") == [
        ("attack", "syria_gov", "Douma")]
    # a state named as the attack's owner
    assert [a for _, a, _ in events("مصادر طبية: هجوم كيماوي مزعوم لتركيا على قرية المزينة في عفرين")] == ["turkey"]


def test_a_lead_in_a_vote_is_no_advance():
    assert events("تقدم قائمة الحشد الشعبي في الانتخابات البرلمانية في البصرة") == []
    assert events("يتقدم الحزب المقرب من الجيش في مدينة الموصل") == []
    assert events("تقدم مرشح قوات الحشد في كركوك بفارق كبير") == []
    # voices (الأصوات) raised far from an advance do not make it a vote
    assert events("قوات الجيش تتقدم نحو مدينة درنة وسط ارتفاع الأصوات المطالبة بحماية المدنيين") == [
        ("advance", "lna", "Derna")]


def test_a_leader_named_as_the_doer_is_his_forces():
    assert ("capture", "turkey", "Jindires") in events("أردوغان يعلن السيطرة على مدينة جنديرس بعد معارك عنيفة")
    assert ("capture", "lna", "Derna") in events("المشير خليفة حفتر يعلن تحرير مدينة درنة بعد معارك عنيفة")
    assert ("advance", "syria_gov", "Daraa") in events(
        "الرئيس السوري بشار الأسد يبدأ هجوما بريا واسعا على مدينة درعا وسط معارك عنيفة")
    # a leader by name, like a state, gives no word a military sense by himself
    assert events("حفتر يسيطر على معظم شرق ليبيا منذ سنوات") == []


def test_a_leader_named_in_the_title_reacts_to_the_summarys_chemical_attack():
    assert events("ترامب يعقد اجتماعا مع قادة الجيش",
                  "بحث الاجتماع الهجوم الكيماوي الذي قتل العشرات في مدينة دوما") == [
        ("attack", "unknown", "Douma")]


def test_a_place_in_a_foreign_forces_name_is_no_place():
    # فيلق القدس: Iran's Quds Force, not Jerusalem
    assert events("سلاح الجو الإسرائيلي استهدف مواقع لفيلق القدس الإيراني داخل سوريا") == [
        ("strike", "israel", "Syria")]


def test_the_air_force_targeting_is_a_strike():
    assert events("سلاح الجو الإسرائيلي يستهدف موقعا لحماس في بيت لاهيا") == [
        ("strike", "israel", "Bayt Lāhyā")]
    assert events("الجيش الإسرائيلي يعلن أن مقاتلاته استهدفت مخزن أسلحة في خان يونس") == [
        ("strike", "israel", "Khan Yunis")]


def test_tightening_the_noose_is_a_siege():
    assert events("قوات النظام ضيقت الخناق على بلدة كفربطنا في الغوطة الشرقية") == [
        ("siege", "syria_gov", "Kafr Batna")]
