"""The guideline's canonical actors, recognised from their Arabic and English names.

Three kinds of name:

- a plain name (الحشد الشعبي, Houthis) names one actor;
- a *contextual* name ("@army": الجيش, government forces; "@coalition": التحالف...) names
  whichever force it means in the country the event is in;
- a *nisba* (إسرائيلي, التركية, Russian) names its country's forces only right after a
  military noun (قصف إسرائيلي, الطيران التركي, Turkish jets), not in "the Syrian
  Observatory" or "Turkish president".
"""
from __future__ import annotations

from monitor.normalize import match_form

CANONICAL = ("syria_gov", "russia", "iran", "hezbollah", "iraq_gov", "peshmerga", "isis", "sdf",
             "turkey", "syria_rebels", "hts", "us_coalition", "israel", "palestinian_factions",
             "houthis", "yemen_gov", "saudi_coalition", "lna", "libya_gov", "taliban",
             "afghan_gov", "al_shabaab", "other", "unknown")

NAMES: dict[str, str] = {
    "syria_gov": """الجيش السوري|الجيش العربي السوري|قوات الجيش السوري|قوات النظام|قوات النظام السوري|
        النظام السوري|جيش النظام|قوات الحكومة السورية|القوات الحكومية السورية|الحكومة السورية|
        القوات السورية|قوات الأسد|نظام الأسد|النظام|الطيران السوري|الطيران الحربي السوري|
        الطائرات السورية|المقاتلات السورية|ميليشيات النظام|الفرقة الرابعة|قوات النمر|
        القوات الموالية للحكومة السورية|القوات الموالية للنظام|الجيش النظامي|القوات النظامية|جيش الأسد|
        قوات الدفاع الوطني|الدفاع الوطني|الميليشيات الموالية للنظام|قوات موالية للنظام|قوات موالية للحكومة السورية|
        Syrian army|Syrian government forces|Syrian troops|Syrian forces|regime forces|Assad forces|
        Syrian government|Syrian regime|pro-Assad forces|Syrian warplanes|Syrian jets|
        بشار الأسد|الرئيس السوري|الرئيس بشار الأسد|الأسد|نظام الرئيس بشار الأسد|نظام بشار الأسد|
        الرئيس الأسد|Assad|Bashar al-Assad""",
    "russia": """روسيا|القوات الروسية|الطيران الروسي|الطائرات الروسية|المقاتلات الروسية|الجيش الروسي|
        وزارة الدفاع الروسية|موسكو|الشرطة العسكرية الروسية|
        بوتين|بوتن|الرئيس الروسي|
        Russia|Russian forces|Russian warplanes|Russian jets|Russian military|
        Russian air force""",
    "iran": """إيران|طهران|الحرس الثوري|الحرس الثوري الإيراني|القوات الإيرانية|الميليشيات الإيرانية|
        فيلق القدس|الباسيج|الميليشيات الموالية لإيران|ميليشيات موالية لإيران|الميليشيات الإيرانية|
        الفصائل الموالية لإيران|Iran|Iranian forces|Revolutionary Guards|IRGC|Quds Force""",
    "hezbollah": "حزب الله|ميليشيا حزب الله|ميليشيات حزب الله|Hezbollah|Hizbollah|Hizballah",
    "iraq_gov": """الجيش العراقي|القوات العراقية|القوات الأمنية العراقية|قيادة العمليات المشتركة|
        العمليات المشتركة|الحشد الشعبي|قوات الحشد|قوات الحشد الشعبي|جهاز مكافحة الإرهاب|
        الشرطة الاتحادية|القوات الجوية العراقية|الطيران العراقي|الحكومة العراقية|خلية الإعلام الأمني|
        قيادة عمليات|طيران الجيش العراقي|
        Iraqi forces|Iraqi army|Iraqi troops|Iraqi security forces|Popular Mobilization Forces|
        Popular Mobilisation|PMF|Hashd|Joint Operations Command|Counter-Terrorism Service""",
    "peshmerga": "البيشمركة|قوات البيشمركة|البشمركة|Peshmerga",
    "isis": """داعش|تنظيم داعش|تنظيم الدولة|الدولة الإسلامية|تنظيم الدولة الإسلامية|ولاية سيناء|الدواعش|
        عناصر داعش|مسلحي داعش|التنظيم الإرهابي|مسلحو داعش|مقاتلو داعش|مقاتلي داعش|الداعشي|دواعش|
        عناصر التنظيم|مسلحي التنظيم|مسلحو التنظيم|مقاتلي التنظيم|مقاتلو التنظيم|التنظيم المتطرف|أنصار بيت المقدس|
        جيش خالد بن الوليد|
        Islamic State|ISIS|ISIL|Daesh|IS militants|IS fighters""",
    "sdf": """قوات سوريا الديمقراطية|قسد|وحدات حماية الشعب|وحدات حماية الشعب الكردية|الوحدات الكردية|
        القوات الكردية|المقاتلين الأكراد|المسلحين الأكراد|وحدات حماية المرأة|المقاتلون الأكراد|
        المسلحون الأكراد|مقاتلون أكراد|مقاتلين أكراد|مجلس منبج العسكري|مجلس دير الزور العسكري|
        SDF|YPG|Syrian Democratic Forces|Kurdish forces|Kurdish fighters|Kurdish militia""",
    "turkey": """تركيا|أنقرة|الجيش التركي|القوات التركية|الطيران التركي|المقاتلات التركية|الطائرات التركية|
        القصف التركي|المدعومة من تركيا|المدعومين من تركيا|المدعومون من تركيا|الموالية لتركيا|
        الموالين لتركيا|المدعومة تركيا|درع الفرات|غصن الزيتون|الجيش الوطني السوري|
        أردوغان|إردوغان|الرئيس التركي|
        Turkey|Turkish forces|Turkish army|Turkish military|Turkish troops|Turkish jets|Turkish warplanes|
        Turkish-backed|Turkey-backed""",
    "syria_rebels": """المعارضة السورية المسلحة|المعارضة السورية|فصائل المعارضة|الفصائل المعارضة|
        المعارضة المسلحة|الفصائل المسلحة|الجيش السوري الحر|الجيش الحر|جيش الإسلام|فيلق الرحمن|
        أحرار الشام|حركة أحرار الشام|الجبهة الوطنية للتحرير|مسلحي المعارضة|مقاتلي المعارضة|
        الفصائل|مقاتلو المعارضة|مسلحو المعارضة|فصائل معارضة|الفصائل المقاتلة|فيلق الشام|جيش العزة|
        نور الدين الزنكي|حركة نور الدين الزنكي|الجبهة الجنوبية|جيش النصر|المعارضين المسلحين|
        Syrian rebels|rebels|rebel fighters|opposition fighters|Free Syrian Army|FSA|Jaish al-Islam|
        Faylaq al-Rahman|Ahrar al-Sham|insurgents""",
    "hts": """هيئة تحرير الشام|جبهة النصرة|النصرة|جبهة فتح الشام|تحرير الشام|HTS|Hayat Tahrir al-Sham|Tahrir al-Sham|
        Nusra Front|al-Nusra""",
    "us_coalition": """التحالف الدولي|التحالف الدولي بقيادة الولايات المتحدة|التحالف بقيادة واشنطن|
        القوات الأميركية|القوات الأمريكية|الجيش الأميركي|الجيش الأمريكي|الولايات المتحدة|واشنطن|
        الطيران الأميركي|الطيران الأمريكي|البنتاغون|القوات الأميركية في أفغانستان|
        المارينز|القيادة المركزية الأمريكية|القيادة المركزية الأميركية|ترامب|ترمب|
        الرئيس الأمريكي|الرئيس الأميركي|
        US-led coalition|U.S.-led coalition|US forces|U.S. forces|US military|U.S. military|
        American forces|US troops|United States|Pentagon|US warplanes|US aircraft""",
    "israel": """إسرائيل|تل أبيب|الجيش الإسرائيلي|الطيران الإسرائيلي|القوات الإسرائيلية|الاحتلال|قوات الاحتلال|
        جيش الاحتلال|الاحتلال الإسرائيلي|طائرات الاحتلال|سلاح الجو الإسرائيلي|جيش الدفاع الإسرائيلي|
        مدفعية الاحتلال|دبابات الاحتلال|نتنياهو|نتانياهو|
        Israel|Israeli army|Israeli military|IDF|Israeli forces|Israeli jets|Israeli warplanes|
        Israeli aircraft|Israeli troops""",
    "palestinian_factions": """حماس|حركة حماس|الجهاد الإسلامي|حركة الجهاد الإسلامي|سرايا القدس|
        كتائب القسام|الفصائل الفلسطينية|المقاومة الفلسطينية|كتائب عز الدين القسام|حركة الجهاد|
        كتائب شهداء الأقصى|ألوية الناصر صلاح الدين|لجان المقاومة الشعبية|فصائل المقاومة الفلسطينية|
        Hamas|Islamic Jihad|Palestinian militants|
        Palestinian gunmen""",
    "houthis": """الحوثيون|الحوثيين|الحوثي|ميليشيا الحوثي|ميليشيات الحوثي|مليشيات الحوثي|مليشيا الحوثي|
        جماعة الحوثي|أنصار الله|المتمردين الحوثيين|المتمردون الحوثيون|الميليشيات الحوثية|
        الميليشيا الحوثية|الميلشيات الحوثية|الانقلابيين|الميليشيات الانقلابية|المتمردون|المتمردين|
        Houthis|Houthi|Houthi rebels|Ansar Allah|Huthis|Huthi""",
    "yemen_gov": """الجيش اليمني|قوات الجيش اليمني|الجيش الوطني اليمني|قوات الشرعية|القوات الشرعية|
        القوات الحكومية اليمنية|المقاومة الشعبية|المقاومة اليمنية|المقاومة الجنوبية|
        القوات اليمنية المشتركة|القوات اليمنية|قوات المقاومة المشتركة|المقاومة المشتركة|
        ألوية العمالقة|العمالقة|الحزام الأمني|قوات النخبة|الحكومة اليمنية|المقاومة التهامية|
        المقاومة الوطنية|حراس الجمهورية|قوات حراس الجمهورية|الجيش الوطني اليمني|لواء العمالقة|
        Yemeni forces|Yemeni government forces|Yemeni army|Giants Brigades|pro-Hadi forces""",
    "saudi_coalition": """التحالف العربي|تحالف دعم الشرعية|التحالف العربي لدعم الشرعية|
        التحالف بقيادة السعودية|التحالف العربي بقيادة السعودية|التحالف الذي تقوده السعودية|
        مقاتلات التحالف|طيران التحالف|مقاتلات التحالف العربي|طيران التحالف العربي|القوات السعودية|
        القوات الإماراتية|القوات المسلحة الإماراتية|الدفاع الجوي السعودي|
        Saudi-led coalition|Arab coalition|Saudi-led|Saudi-UAE coalition|Saudi forces|Emirati forces""",
    "lna": """الجيش الوطني الليبي|الجيش الليبي|قوات حفتر|قوات الجيش الليبي|قوات الجيش الوطني الليبي|
        قوات القيادة العامة|القوات المسلحة الليبية|القوات المسلحة العربية الليبية|قوات الكرامة|
        قوات المشير خليفة حفتر|قوات المشير حفتر|قوات خليفة حفتر|حفتر|خليفة حفتر|المشير خليفة حفتر|
        المشير حفتر|
        Libyan National Army|LNA|Haftar's forces|Haftar forces""",
    "libya_gov": """حكومة الوفاق|قوات حكومة الوفاق|قوات الوفاق|المجلس الرئاسي|حكومة الوفاق الوطني|
        البنيان المرصوص|قوات البنيان المرصوص|بركان الغضب|
        GNA|Government of National Accord|GNA forces""",
    "taliban": "طالبان|حركة طالبان|مقاتلي طالبان|Taliban",
    "afghan_gov": """القوات الأفغانية|الجيش الأفغاني|قوات الأمن الأفغانية|القوات الأمنية الأفغانية|
        القوات الحكومية الأفغانية|Afghan forces|Afghan army|Afghan security forces|Afghan troops""",
    "al_shabaab": "حركة الشباب|الشباب الصومالية|حركة الشباب المجاهدين|al-Shabaab|Shabaab|al Shabaab",
    "other": """حزب العمال الكردستاني|بوكو حرام|القاعدة|تنظيم القاعدة|جيش ميانمار|طالبان باكستان|
        PKK|Kurdistan Workers' Party|Boko Haram|al-Qaeda|al Qaeda|AQAP""",
    # contextual names: resolved by the country of the event
    # (قوات الحكومة: "قوات الحكومة اليمنية" as often as the Syrian one)
    "@army": """الجيش|القوات الحكومية|قوات الحكومة|القوات الأمنية|قوات الأمن|القوات الموالية للحكومة|الجيش الوطني|
        القوات المشتركة|قوات الجيش|الحرس الوطني|المنطقة العسكرية|القوات المسلحة|الحرس الجمهوري|
        قوات الحرس الجمهوري|
        army|the military|government forces|security forces|
        pro-government forces|government troops|troops|soldiers""",
    "@coalition": "التحالف|the coalition|coalition forces|coalition warplanes|coalition aircraft",
    "@resistance": "المقاومة",
    "@air": """الطيران الحربي|الطائرات الحربية|المقاتلات|الطيران|مقاتلات حربية|طائرات حربية|
        warplanes|jets|fighter jets""",
    "@western": "بريطانيا|فرنسا|القوات البريطانية|القوات الفرنسية|Britain|France|British forces|French forces",
}

# Who a contextual name means, by the country where the event happens.
CONTEXT = {
    "@army": {"SY": "syria_gov", "IQ": "iraq_gov", "YE": "yemen_gov", "LY": "lna", "AF": "afghan_gov",
              "IL": "israel", "PS": "israel", "TR": "turkey", "IR": "iran", "RU": "russia", "LB": "other"},
    "@coalition": {"YE": "saudi_coalition", "SA": "saudi_coalition", "SY": "us_coalition",
                   "IQ": "us_coalition", "AF": "us_coalition"},
    "@resistance": {"YE": "yemen_gov", "PS": "palestinian_factions", "IL": "palestinian_factions",
                    "LB": "hezbollah"},
    "@air": {"SY": "syria_gov", "YE": "saudi_coalition", "SA": "saudi_coalition", "IQ": "iraq_gov",
             "PS": "israel", "LY": "lna", "AF": "us_coalition"},
    "@western": {"SY": "us_coalition", "IQ": "us_coalition"},
    # an unnamed besieger: who besieges places there (the Syrian army round Eastern Ghouta,
    # Israel round Gaza); in Yemen either side besieges, so it is not guessed
    "@besieger": {"SY": "syria_gov", "PS": "israel", "IL": "israel"},
}
CONTEXT_DEFAULT = {"@army": "other", "@coalition": "unknown", "@resistance": "other",
                   "@air": "unknown", "@western": "other",
                   "@besieger": "unknown"}

# Nationality adjectives (stem without ال or endings) and the forces they name.
NISBA = {
    "israel": ["اسرائيلي", "Israeli"], "us_coalition": ["اميركي", "امريكي", "American", "US", "U.S."],
    "turkey": ["تركي", "Turkish"], "russia": ["روسي", "Russian"], "iran": ["ايراني", "Iranian"],
    "iraq_gov": ["عراقي", "Iraqi"], "syria_gov": ["سوري", "Syrian"], "yemen_gov": ["يمني", "Yemeni"],
    "saudi_coalition": ["سعودي", "اماراتي", "Saudi", "Emirati"], "lna": ["ليبي", "Libyan"],
    "afghan_gov": ["افغاني", "Afghan"], "houthis": ["حوثي"], "palestinian_factions": ["فلسطيني"],
    "@western": ["بريطاني", "فرنسي", "British", "French"],
    "other": ["مصري", "جزائري", "تونسي", "اردني", "باكستاني", "Egyptian", "Pakistani"],
}
# Military nouns a nisba must follow to name forces (match forms, without ال).
MILITARY_NOUNS = frozenset(match_form(w).strip() for w in """
جيش قوات طيران طائرات طائره مقاتلات مقاتله قصف غاره غارات ضربه ضربات صاروخ صواريخ هجوم هجمات
بحريه مدفعيه قذائف قذيفه جنود دبابات مسيره مسيرات دفاعات عسكريين حرس سلاح جوي جويه صاروخي صاروخيه
بري بريه مدفعي حربيه حربي ميليشيات مليشيات ميليشيا فصائل وحدات مهاجم مسلح مسلحين طيار
صاروخا صاروخين صاروخان هجوما قصفا
army forces troops jets warplanes aircraft strike strikes airstrike airstrikes air raid raids
shelling artillery missile missiles rocket rockets drone drones military navy soldiers
""".split())


def _nisba_forms(stem: str) -> list[str]:
    if stem.isascii():
        return [stem]
    return [stem, stem + "ه", stem + "ين", stem + "ون"]


# Names of states and their capitals: they name a government as often as its forces, so
# they do not by themselves give a word like تقدم or استعاد a military sense.
STATE_NAMES = frozenset(match_form(w).strip() for w in """
روسيا|موسكو|إيران|طهران|تركيا|أنقرة|الولايات المتحدة|واشنطن|إسرائيل|تل أبيب|بريطانيا|فرنسا|النظام|
بوتين|بوتن|الرئيس الروسي|أردوغان|إردوغان|الرئيس التركي|ترامب|ترمب|الرئيس الأمريكي|الرئيس الأميركي|
نتنياهو|نتانياهو|
Russia|Iran|Turkey|United States|Israel|Britain|France""".split("|"))
# Leaders named as their forces ("بشار الأسد شن هجوما", "حفتر يعلن تحرير درنة"): the doer
# of what their forces do, but, like a state's name, no sign by itself that a word like
# يسيطر or فرار is military ("حفتر يسيطر على الشرق الليبي" tells who holds it).
LEADERS = frozenset(match_form(w).strip() for w in """
بشار الأسد|الرئيس السوري|الرئيس بشار الأسد|الأسد|الرئيس الأسد|خليفة حفتر|المشير خليفة حفتر|
المشير حفتر|حفتر|Assad|Bashar al-Assad""".split("|"))


def lexicon() -> list[tuple[str, tuple]]:
    """(phrase, value) pairs for the phrase matcher: value is ("actor", canonical or
    @context name, is_nisba)."""
    out = []
    for actor, names in NAMES.items():
        for name in names.split("|"):
            name = name.strip()
            if name:
                out.append((name, ("actor", actor, False)))
    for actor, stems in NISBA.items():
        for stem in stems:
            for form in _nisba_forms(stem):
                out.append((form, ("actor", actor, True)))
    return out


def resolve(actor: str, country: str | None) -> str:
    """A canonical actor for a name found in an event in ``country``."""
    if actor.startswith("@"):
        return CONTEXT[actor].get(country or "", CONTEXT_DEFAULT[actor])
    return actor
