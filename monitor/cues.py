"""The detector's word lists: event cues by type, and the words around a cue that give
its modality, show a non-military sense, or tell the doer from the victim.

Words are written plainly and compared in match form (``monitor.normalize.match_form``),
so spelling variants fold together and glued clitics are handled by the matcher.
Flags on a cue:
  v  a verb: the future prefix س makes it expected; after a relative pronoun
     (الذي يسيطر, "which controls") it states a situation, not an event
  n  a verbal noun: with ل glued (لتحرير, "to liberate") it states a purpose
  m  military sense only if the sentence names a force or a military word
  h  the word "attack": its type depends on what follows (land offensive, missiles, gas...)
  p  an adjective after its place (راوة المحاصرة, "besieged Rawa"): the place is before it
  a  a strike only after an air word (الطيران التركي يستهدف, "Turkish jets target")
  t  armed only against a target named within five words after it (``TARGETS``)
  o  its object is a force (طرد داعش, "expelling ISIS"): the force named right after it
     is the one driven out, unless another force is named before it or right after that
  g  a generic word (انفجارات, "explosions"): where the item reports a more specific event
     at the same place (the strike that caused them), it names that event again
"""
from __future__ import annotations

import re

from monitor.normalize import match_form


def _forms(text: str) -> list[str]:
    return [w.strip() for w in text.replace("\n", "|").split("|") if w.strip()]


def _words(text: str) -> frozenset[str]:
    """A set of single words in match form."""
    return frozenset(match_form(w).strip() for w in re.split(r"[|\s]+", text) if w.strip())


# type -> flags -> phrases
CUES = {
    "capture": {
        "v": """سيطر|سيطرت|سيطروا|سيطرا|سيطرتا|يسيطر|تسيطر|يسيطرون|يسيطران|تسيطران|استعاد|استعادت|
            استعادوا|يستعيد|تستعيد|يستعيدون|حرر|حررت|حرروا|يحرر|انتزع|انتزعت|ينتزع|تنتزع|
            دخلت القوات|دخل الجيش|دخلت قوات|احكم|احكمت|بسط|بسطت|يبسط|تبسط|فرضت وجودها|فرض وجوده|
            تمكنت من السيطره|تمكن من السيطره|تعيد فرض|يعيد فرض|اعادت فرض|اعاد فرض|
            استولي|استولت|استولوا|يستولي|تستولي|يستولون|استرجع|استرجعت|استرجعوا|يسترجع|تسترجع|
            استرد|استردت|استردوا|يسترد|تسترد|
            فرضت سيطرتها|فرض سيطرته|فرضوا سيطرتهم|تفرض سيطرتها|يفرض سيطرته""",
        # to drive out: the force named right after it is the one driven out
        "vo": "طردت|طردوا|يطرد|تطرد|يطردون|دحرت|دحروا|يدحر|تدحر|يدحرون",
        "no": "طرد|دحر",
        "n": """السيطره علي|استعاده السيطره|السيطره الكامله|تحرير|دخول القوات|دخول الجيش|
            الاستيلاء علي|استيلاء|استرجاع|استرداد|
            سيطرته علي|سيطرتها علي|سيطرتهم علي""",
        "": """captured|recaptured|retook|retaken|seized|seized control|took control|taken control|
            gained control|liberated|liberation of|capture of|recapture of|fell to|regained control|
            control of|entered the town|entered the city|drove out|overran|overrun|wrested|wrested control""",
    },
    "advance": {
        "v": """تقدم|تقدمت|تقدموا|يتقدم|تتقدم|يتقدمون|اقترب|اقتربت|يقترب|تقترب|تحرز تقدما|يحرز تقدما|
            احرز تقدما|احرزت تقدما|اطلق عمليه|اطلقت عمليه|يطلق عمليه|تطلق عمليه|بدات عمليه|بدا عمليه|
            شن هجوما بريا|شنت هجوما بريا|وصلت|وصل|اقتحمت|يقتحم|تقتحم|اقتحام|
            يسيطر ناريا|تسيطر ناريا|سيطر ناريا|سيطرت ناريا|
            توغل|توغلت|توغلوا|يتوغل|تتوغل|يتوغلون|زحف|زحفت|يزحف|تزحف|
            بات علي بعد|باتت علي بعد|باتوا علي بعد|اصبح علي بعد|اصبحت علي بعد|اصبحوا علي بعد""",
        "n": """تقدما|تقدم ميداني|تقدم نوعي|اقتراب|وصول|مشارف|ابواب|مداخل|عمليه عسكريه|عمليات عسكريه|
            بدء معركه|هجوم بري|هجوما بريا|الهجوم البري|هجوم واسع|هجوما واسعا|حمله عسكريه|حمله ضاريه|
            توغل|علي اطراف|انطلاق معركه|انطلقت معركه|بدء الهجوم|
            بدء هجوم|السيطره الناريه|تقدمه|تقدمها|تقدمهم|عملياتها العسكريه|عملياته العسكريه|عملياتهم العسكريه|
            عمليتها العسكريه|عمليته العسكريه""",
        "": """advanced|advancing|advance on|advance towards|advance toward|pushed into|closing in|
            outskirts of|gates of|launched an offensive|offensive on|offensive against|ground offensive|
            approached|edge of|pushed toward|pushed towards|stormed|incursion into|moved into""",
    },
    "withdrawal": {
        "v": """انسحب|انسحبت|انسحبوا|ينسحب|تنسحب|ينسحبون|تراجع|تراجعت|تراجعوا|اخلت|اخلي|فروا|فر|
            اخلوا|يخلي|انسحبا|انسحبتا|غادرت|غادروا|تغادر|يغادر|يغادرون""",
        "n": """انسحاب|الانسحاب|خروج المسلحين|خروج مقاتلي|خروج مسلحي|اجلاء المقاتلين|اجلاء مقاتلين|
            اجلاء مئات المقاتلين|اجلاء المسلحين|فرار|فرارهم|تراجع مسلحي|انسحابا|
            خروج الفصائل|خروج فصائل|خروج المقاتلين|خروج مقاتلين|خروج مسلحين|
            اجلاء مقاتلي|
            مغادره المسلحين|مغادره مسلحي|مغادره مقاتلي|مغادره الفصائل|مغادره فصائل|مغادره جميع الفصائل|
            مغادره جميع فصائل|ترحيل مقاتلي|ترحيل المسلحين|ترحيل مسلحي|اجلاء مسلحي|اجلاء الفصائل|
            اخلاء مواقع|اخلاء مواقعها|اخلاء مواقعه|اخلاء مواقعهم""",
        "": """withdrew|withdrawn|withdrawal of|pulled out|retreated|retreat from|evacuation of fighters|
            evacuated fighters|fled|pulled back|pullout|pull-out""",
    },
    "siege": {
        "vm": """حاصر|حاصرت|حاصروا|يحاصر|تحاصر|يحاصرون|طوق|طوقت|يطوق|تطوق|فرض حصارا|فرضت حصارا|تضيق الخناق|
            يضيق الخناق|ضيقت الخناق|ضيق الخناق|ضيقوا الخناق|يفرض حصارا|تفرض حصارا|يفرضون حصارا|
            فرضوا حصارا|فرض طوقا|فرضت طوقا|ضربت طوقا|ضرب طوقا""",
        "n": """حصار|الحصار|محاصره|تطويق|تضييق الخناق|طوق|تشديد الحصار|شددت الحصار|شدد الحصار""",
        "p": "المحاصر|المحاصره|المحاصرين|المحاصرتين|المطوقه|المطوق",
        # besieged (حوصرت عناصر الميليشيا): the force named right after it is the besieged one
        "vmo": "حوصر|حوصرت|حوصروا",
        "": "besieged|siege|encircled|surrounded|under siege|blockade",
    },
    "clash": {
        "m": """اشتباكات|اشتباك|اشتبك|اشتبكت|مواجهات|معارك|معركه|قتال|القتال|اقتتال|اشتدت المعارك|
            تبادل لاطلاق النار|تبادل اطلاق النار|تبادلا لاطلاق النار|اشتبكوا|يشتبك|تشتبك|يشتبكون|تبادل القصف|
            تبادل للقصف|تبادلا للقصف|
            clashes|clashed|fighting|battle|battles|fought|firefight|gun battle|gunbattle""",
    },
    "strike": {
        "v": """قصف|قصفت|قصفوا|قصفا|يقصف|تقصف|يقصفون|يقصفان|تقصفان|اغارت|اغار|استهدفت الطائرات|شنت غارات|شن غارات|
            اطلقت صواريخ|اطلق صواريخ|اطلقوا صواريخ""",
        "vm": "دكت|يدك|تدك|دكوا",  # to pound: also "to pound the net" in football
        # to target: a strike when warplanes, drones or missiles are its subject
        "va": "استهدف|استهدفت|يستهدف|تستهدف|استهدفوا|يستهدفون|bombed",
        "": """القصف|قصف جوي|قصف مدفعي|قصف صاروخي|غاره|غارات|الغارات|غارتين|غاره جويه|غارات جويه|
            غاراتها|غاراته|غاراتهم|ضرباتها|ضرباته|ضرباتهم|
            ضربه جويه|ضربات جويه|ضربات|ضربه عسكريه|الضربه العسكريه|الضربات العسكريه|ضربات صاروخيه|
            هجمات جويه|هجوم جوي|صاروخ|صواريخ|صاروخا|صاروخين|صاروخان|صواريخ باليستيه|صاروخ باليستي|
            قذائف|قذيفه|
            براميل متفجره|البراميل المتفجره|برميل متفجر|برميلا متفجرا|
            طائره مسيره|طائرات مسيره|طائره بدون طيار|طائرات بدون طيار|
            قذيفتين|قذيفتان|
            طائره دون طيار|طائرات دون طيار|طائرتين دون طيار|طائره بلا طيار|مقذوفات|رشقات صاروخيه|رشقه صاروخيه|
            airstrike|airstrikes|air strike|air strikes|air raid|air raids|shelling|shelled|bombarded|
            bombardment|missile strike|missile attack|rocket attack|rockets|missiles|drone strike|
            struck|pounded|barrel bombs""",
    },
    "attack": {
        "": """تفجير|تفجيرات|تفجيرين|تفجيران|انفجار عبوه|عبوه ناسفه|عبوات ناسفه|قنبله|سياره مفخخه|مفخخه|
            انتحاري|انتحاريه|انتحاريان|انتحاريين|انتحاريون|انتحاريتان|فجر نفسه|فجرت نفسها|فجرا نفسيهما|فجروا انفسهم|
            فجر انتحاري|
            هجوم انتحاري|هجوم مسلح|هجوم ارهابي|هجمات ارهابيه|كمين|اطلاق نار|الطعن|طعن|اقتحموا|اقتحم مسلحون|
            هجوم كيماوي|هجوم كيميائي|غاز سام|بالغازات|غازات سامه|الغازات السامه|
            بغاز الكلور|لغاز الكلور|بالكلور|بغاز السارين|بالسارين|استخدام غاز الكلور|استخدام غاز السارين|
            حزام ناسف|احزمه ناسفه|حزاما ناسفا|انفجار لغم|لغم ارضي|
            suicide bomber|suicide bombing|suicide attack|car bomb|roadside bomb|bomb attack|bombing|
            ambush|gunmen|shooting attack|stabbing|explosive device|IED|chemical attack|gas attack""",
        "h": "هجوم|هجمات|الهجوم|هجوما|هجومين|هجومان|attack|attacks",
        # to attack: armed only against a target ("هاجم مسلحون نقطة تفتيش"), not a person
        # or a state ("هاجم الرئيس الصحافة", "واشنطن تهاجم موسكو")
        "vt": "هاجم|هاجمت|هاجموا|يهاجم|تهاجم|يهاجمون|attacked",
        # explosions: often those of a strike the item reports
        "g": "انفجارات",
        # the present tense also says what something does (النمل يفجر نفسه, ants that blow themselves up)
        # (and "with gas": natural gas is also supplied, تزويد مصر بالغاز)
        "m": "يفجر نفسه|تفجر نفسها|يفجرون انفسهم|بالغاز",
    },
}

# Attached object and possessive pronouns (حررها "liberated it", انسحابهم "their
# withdrawal", سيطرتها على "its control of"): the matcher needs whole words, so each
# one-word verb or verbal noun of these groups also gets its suffixed forms.
_PRONOUNS = ("ه", "ها", "هم", "هما")
_SUFFIXED = {"capture": ("v", "n"), "advance": ("v", "n"), "withdrawal": ("v", "n"), "siege": ("vm", "n"),
             "strike": ("v",), "attack": ("h",)}


def _bare_word(word: str) -> str:
    return word[2:] if word.startswith("ال") else word


def _suffixed(word: str) -> list[str]:
    """The word with each attached pronoun: ة (ه in match form) becomes ت (سيطرته →
    سيطرتها), final وا loses its alef (حرروا → حرروها), final ى/ي becomes ا (أخلى → أخلاها)."""
    if " " in word or len(word) < 3 or not re.fullmatch(r"[\u0621-\u064a]+", word):
        return []
    if word.endswith("ا") and not word.endswith("وا"):
        return []  # an accusative noun (تقدما), not a verb
    if word.startswith("ال"):
        word = word[2:]
    if word.endswith("ه"):
        stem = word[:-1] + "ت"
    elif word.endswith("وا"):
        stem = word[:-1]
    elif word.endswith("ي"):
        stem = word[:-1] + "ا"
    else:
        stem = word
    return [stem + p for p in _PRONOUNS]


# Verbs that take an object (a place): انسحب, تقدم, سيطر (على) and اقترب (من) do not.
_TRANSITIVE = re.compile("حرر|تعيد|تعاد|عادوا|نتزع|بسط|حكم|حاصر|طوق|قصف|قتحم|اخلي|اخلت")
# Verbal nouns whose possessive names the event (انسحابهم, حصارها); "its gates", "his
# arrival", "its approach" (أبوابها, وصوله, اقترابها) name other things far more often.
_POSSESSED = re.compile("^(تحرير|انسحاب|حصار|محاصره|تطويق|فرار|هجوم|هجمات)$")
# A verb with ه is spelt as a verbal noun in match form (استعاده "he regained it" and
# "regaining", طوقه): such forms are left to the verbal nouns.
_MASDAR_LIKE = re.compile("^(استعاده|استعادت|طوقه|طوقت)")


for _type, _flags in _SUFFIXED.items():
    for _f in _flags:
        _have = {match_form(w).strip() for w in _forms(CUES[_type].get(_f, ""))}
        _takes = (lambda w: _TRANSITIVE.search(w)) if "v" in _f else (lambda w: _POSSESSED.match(_bare_word(w)))
        _new = [x for w in sorted(_have) if _takes(w) for x in _suffixed(w)
                if x not in _have and not _MASDAR_LIKE.match(x)]
        if _new:
            CUES[_type][_f] = CUES[_type][_f] + "|" + "|".join(dict.fromkeys(_new))

# Before a cue: the event is expected, planned, threatened or asked for, not reported.
EXPECTED = """ربما|قد|سوف|المتوقع|يتوقع|متوقع|مرتقب|المرتقب|المرتقبه|مرتقبه|محتمل|المحتمل|محتمله|يعتزم|تعتزم|
    تستعد|يستعد|تهدد|يهدد|هدد|هددت|يحذر|تحذر|حذر|حذرت|تحذيرات|تحذير|مغبه|يتوعد|توعد|خطه|يخطط|تخطط|
    دعا|دعت|يدعو|تدعو|دعوه|تطالب|يطالب|طالب|امكانيه|احتمال|اي|لصد|مستعد|مستعده|استعدادات|التحضير|
    تنوي|ينوي|يرجح|ترجح|قريبا|وشيك|الوشيك|حتي|لحين|شرط|بشرط|اذا|لو|مقابل|استبعد|استبعدت|يستبعد|
    تستبعد|مغبه|تداعيات|توقعات|وتوقعات|التوقعات|بوجود|خيارات|الخيارات|استعداد|استعدادها|استعداده|
    استعدادهم|استعدادا|تتاهب|يتاهب|تحسبا|
    قبيل|ضروره|بضروره|رهن|يرهن|ترهن|رهنا|متمسك|متمسكه|يتمسك|تتمسك|شروط|شروطا|رغبه|رغبته|برغبته|
    مقترح|مقترحات|اقتراح|مطالب|مطالبه|مطالبات|
    التخطيط|بالتخطيط|خطط|خططا|خططوا|مخطط|مخططا|مخططات|مخاوف|يخشي|تخشي|خشيه|مفترض|المفترض|محاوله|سعي|باي|لاي|
    يامل|تامل|نامل|امله|املها|املهم|يتطلع|تتطلع|يطمح|تطمح|عازم|عازمه|عازمون|مصمم|مصممه|
    نيه|نيته|نيتها|نيتهم|عزمه|عزمها|يقضي|تقضي|ينص|تنص|
    حاول|حاولت|حاولوا|يحاول|تحاول|يحاولون|محاولات|محاولته|محاولتها|محاولتهم|محاولتهما|
    تهديد|تهديدات|التهديدات|بتهديد|تهديده|تهديدها|تهديدهم|
    may|might|could|would|will|plan|plans|planned|planning|threat|threatens|threatened|warns|warned|warning|
    expected|expects|prepares|preparing|vows|vowed|possible|potential|looming|imminent|any|ready"""
NEGATED = """لم|لن|لا|ليس|نفي|نفى|نفت|ينفي|تنفي|نافيا|نافيه|عدم|تنفي|كذب|ينكر|تنكر|
    وقف|لوقف|بوقف|انهاء|لانهاء|هدنه|منع|لمنع|احباط|افشال|
    not|no|never|denied|denies|deny|didn|rejected"""
# Before a cue: the event is old background, a cause, or the subject of a trial (and
# "عام" before a year, ``detect._dated_before``: "العام" alone is also "general", الأمين العام).
BACKGROUND = """منذ|ذكري|ردا|منفذ|منفذو|منفذي|المتهم|المتهمين|محاكمه|اعقاب|التحقيقات|التحقيق|تحقيقات|
    ضلوع|ضلوعه|ضلوعهم|بالضلوع|تورط|تورطه|تورطهم|بالتورط|مشتبه|المشتبه|بتهمه|تهمه|
    متهم|متهمين|متهمون|بالتامر|التامر|تامروا
    since|anniversary|trial|convicted|accused|retaliation"""
CLAIMED = """قال|قالت|قالوا|يقولون|اعلنوا|يؤكد|تؤكد|تعلن|يعلن|اعلن|اعلنت|اكد|اكدت|افاد|افادت|ذكر|ذكرت|
    بحسب|وفقا|حسب|يقول|تقول|زعم|زعمت|ادعي|
    تبني|تبنت|اعلنت مسؤوليتها|نقلت|according|said|says|claimed|claims|announced|reported"""

# Right after a cue: the word is used in a non-military sense (also "حصار قطر", the Gulf states'
# boycott of Qatar, "قنبلة نووية", a weapons programme, "طوق النجاة", a lifeline, and "طرد
# السفير", expelling diplomats).
NON_MILITARY_AFTER = """الاتفاق|اتفاق|الاتفاقيه|اتفاقيه|الاتحاد|التكتل|المعاهده|الانتخابات|الانتخابيه|
    انتخابيه|السباق|المنافسه|البطوله|الائتلاف|المفاوضات|المحادثات|الصفقه|الاسواق|السوق|المنظمه|النووي|
    الموازنه|المرض|سياسيه|قضائيه|كلاميه|كلاميا|لفظي|لفظيا|اعلاميا|سياسيا|الكترونيا|قانونيه|دبلوماسيه|اعلاميه|بالبرلمان|البرلمان|الكترونيه|
    الكتروني|التعليقات|بحق|لاذع|لاذعا|حاد|حادا|جارح|سيبراني|اسعار|الاسعار|الدولار|العمله|الاسهم|البورصه|
    المباراه|الدوري|الكاس|مونديال|الحكم|السلطه|الرئاسه|الاستقاله|استقالته|باستقالتها|للاعلام|
    دور|دورها|دوره|مكانه|مكانتها|مكانته|الثقه|ثقه|الهدوء|عافيته|عافيتها|توازنه|انفاسه|زمام|المبادره|
    ذكريات|الاقتصاد|الاقتصادي|الاستثمار|
    قطر|الذريه|ذريه|النوويه|نوويه|النجاه|نجاه|عنصري|عنصريه|بعقوبات|
    السفير|للسفير|سفير|سفيرها|سفيره|سفراء|القنصل|للقنصل|دبلوماسيين|الدبلوماسيين|دبلوماسيا|للدبلوماسيين|
    deal|agreement|accord|treaty|talks|negotiations|election|elections|race|league|cup|match|
    tournament|verbal|cyber|prices|market|markets|stocks"""
# Anywhere in the sentence: a simulation, a protest, sport, a cyber attack, a trial, a
# natural disaster (floods or an earthquake "trap" people: تحاصر).
NON_MILITARY_SENTENCE = """محاكاه|تحاكي|مناورات|مناوره|المناوره|تدريبات|تدريب|المتظاهرين|متظاهرين|متظاهرون|المحتجين|
    محتجين|محتجون|
    الاحتجاجات|احتجاجات|العوده|مسيرات|حاشده|جماهيريه|اعتصام|الاعتصام|اعتصاما|اعتصامات|المعتصمين|
    معتصمين|قراصنه|هاكرز|الكترونيه|الكتروني|سيبراني|
    اختراق|المنتخب|مباراه|لاعب|الدوري|ملعب|النادي|بطوله|شباك|الشباك|هدفين|بهدفين|
    مدرب|المدرب|ركلات|ركله|المونديال|مونديال|لاعبيه|
    شراء|لشراء|بشراء|شرائها|تشتري|يشتري|اشترت|اشتري|صفقه|صفقات|
    فيضانات|الفيضانات|سيول|السيول|زلزال|الزلزال|اعصار|الاعصار|امطار|الامطار|تسونامي|
    exercise|exercises|drill|drills|simulation|protesters|protest|protests|hackers|cyber|cyberattack|
    football|match|striker|tournament|league"""
# Near an advance (تقدم, "to lead" as well as "to advance"): a vote, its results and its
# lists, not a front ("تقدم قائمة X في الانتخابات", "يتقدم نتائج الفرز"). Words of the
# vote are read in the clause around the cue, the lists and parties right after it
# ("تقدم الحزب الحاكم"; "قائمة" is also "ongoing", المعارك لا تزال قائمة).
ELECTION = """الانتخابات|انتخابات|الانتخابيه|انتخابيه|الانتخابي|انتخابي|الاقتراع|اقتراع|
    الفرز|فرز|استطلاعات|الاستطلاعات|استطلاع|مقاعد|المقاعد|مقعدا|الناخبين|ناخبين|التصويت|الاستفتاء|
    election|elections|vote|votes|polls|ballot"""
BALLOT = """قائمه|القائمه|قائمتين|قوائم|القوائم|لائحه|اللائحه|لوائح|مرشح|المرشح|مرشحي|المرشحين|مرشحين|
    الحزب|الاحزاب|احزاب|نتائج|النتائج|الاصوات|اصوات|party|list|candidate|candidates"""
_ELECTION, _BALLOT = _words(ELECTION), _words(BALLOT)
# (the words are single: "مسيرة" alone is as often a drone, طائرة مسيرة, as a march)
_PROTEST = _words("""المتظاهرين متظاهرين متظاهرون المحتجين الاحتجاجات احتجاجات مسيرات العوده
    محتجين محتجون مظاهرات المظاهرات تظاهرات التظاهرات
    protesters protest protests""")
# Words that show an attack happened (killed, wounded, carried out): a bare "attack"
# (هجوم) with none of them in its sentence is talk about an attack, not the report of one.
_HAPPENED = _words("""مقتل قتل قتلي قتيل قتيلا قتلت قتلوا جرحي جريح اصابه اصابات اصيب مصرع حتفه ضحايا اسفر
    اسفرت مصرعهم حتفهم خلف شن شنت شنه شنته شنوا نفذ نفذت نفذه تبني تبنت وقع وقعت استهدف استهدفت يستهدف تستهدف
    استشهاد استشهد دامي داميه الدامي مسلح مسلحون انتحاري مفخخه تعرض تعرضت اصابت اودي
    killed wounded injured dead died launched carried claimed targeted""")
# What an armed attack is aimed at (flag t): bases, checkpoints, convoys, towns, forces.
TARGETS = _words("""قاعده قواعد نقطه نقاط معسكر معسكرا معسكرات موكب موكبا مقر مقرا مقرات مواقع موقع
    موقعا ثكنه ثكنات حاجز حاجزا حواجز دوريه دوريات مركز مركزا مخفر قريه قري بلده بلدات مدينه معاقل
    معقل سجن مطار تجمعات تجمع قافله رتل ارتال قوات جنود عناصر مبني مبنى فندق كنيسه
    مسجد مسجدا مساجد كنائس سفاره
    base bases checkpoint checkpoints post outpost convoy patrol camp barracks headquarters airport
    station town village city positions troops soldiers forces""")
# Words of shooting down or fending off: the force named with them defends, it does not strike.
_DEFENCE = _words("الدفاع الدفاعات دفاعات منظومه منظومات")
# Before a verbal noun of capture: it is the aim (عملية لاستعادة السيطرة, معركة تحرير,
# على طريق تحرير: on the way to liberating).
_PURPOSE = _words("""لاستكمال استكمال بهدف هدف اجل معركه لمعركه بمعركه معارك عمليه عمليات عملياتها
    حمله محاوله محاولات سعي سعيها لاستعاده لتحرير لبسط لفرض لاحكام لطرد لانتزاع طريق""")
# Before a force: its positions, bases or gatherings are what a strike hit.
_POSITIONS = _words("""مواقع مقرات مقر مقار قواعد قاعده معسكر معسكرات تجمعات تحصينات مخازن مستودعات
    ثكنه ثكنات تمركزات ضد positions bases""")
_FORCE_AFTER = _words("""مسلحي مقاتلي عناصر المسلحين المقاتلين العناصر قوات القوات ميليشيات مليشيات الميليشيات
    جنود الجنود عسكريين مرتزقه الارهابيين ارهابيي fighters militants troops forces""")


# Military words that give an ambiguous cue (معارك, fighting) its military sense.
MILITARY = """مسلحين|المسلحين|مسلحي|مقاتلين|المقاتلين|مقاتلي|عناصر|ميليشيات|مليشيات|ميليشيا|الجيش|جيش|قوات|
    القوات|عسكري|عسكريه|العسكريه|الجبهه|جبهات|عنيفه|قتلي|مقتل|جنود|المتمردين|الارهابيين|ارهابيين|
    مدفعي|عميد|عقيد|forces|troops|militants|fighters|army|soldiers|rebels|killed|military"""
# After "attack": what kind of attack it is.
ATTACK_LAND = "بري|بريا|واسع|واسعا|عسكري|عسكريا|العسكري|عنيف|عنيفا|ground|offensive"
ATTACK_AIR = """صاروخي|صاروخيا|الصاروخي|جويا|بصواريخ|بالصواريخ|جوي|جويه|الجوي|بطائرات|بطائره|بطائرة|بالطائرات|مسيره|
    missile|rocket|drone|air"""
# Words for being killed or wounded: a force named after them is the victim.
# (also a force that suffers or is dealt losses, تكبدت ميليشيات X خسائر, كبدت الانقلابيين
# خسائر, and one whose stronghold, barracks, staff or targets are hit: معقل للفصائل,
# هيئة أركان الجيش, أهدافا لحماس)
VICTIM = """مقتل|قتل|قتلي|اصابه|اصابة|جرح|مصرع|خسائر|تكبد|تكبدت|تكبدوا|يتكبد|تتكبد|كبدت|كبدوا|يكبد|
    معقل|اركان|ثكنه|ثكنات|
    استهدف|استهدفت|يستهدف|تستهدف|ضد|علي|مواقع|هدفا|اهداف|اهدافا|تجمعات|صفوف|معاقل|مقار|مقر|مقرات|تحصينات|مخزن|مخازن|
    مستودعات|معسكر|معسكرات|قواعد|قاعده|تمركزات|killing|killed|against|on"""
RELATIVE = "الذي|التي|الذين|اللذين|اللتين|اللواتي|which|that|who"
AIR_WORDS = """طيران|الطيران|طائرات|طائره|مقاتلات|المقاتلات|صاروخ|صواريخ|مدفعي|مدفعيه|جوي|جويه|الجو|
    مقاتلاته|مقاتلاتها|طائراته|طائراتها|
    warplanes|jets|aircraft|drone"""


_EXPECTED, _NEGATED, _BACKGROUND, _CLAIMED = map(_words, (EXPECTED, NEGATED, BACKGROUND, CLAIMED))
_NONMIL_AFTER, _NONMIL_SENT, _MILITARY = map(_words, (NON_MILITARY_AFTER, NON_MILITARY_SENTENCE, MILITARY))
_ATTACK_LAND, _ATTACK_AIR, _VICTIM, _RELATIVE, _AIR = map(
    _words, (ATTACK_LAND, ATTACK_AIR, VICTIM, RELATIVE, AIR_WORDS))
_PREPOSITIONS = _words("""في علي الي ضد نحو باتجاه اتجاه صوب من داخل عبر قرب
    in on into against across toward towards inside near at from""")
_TARGET_PREPOSITIONS = _words("في علي الي ضد نحو باتجاه اتجاه صوب داخل in on into against toward towards inside")
_ARTICLE = re.compile(r"^[وفبلك]?(?:ال|لل)")

_STATE_AFTER = _words("ناريا")
_YEAR = re.compile(r"^(19\d\d|200\d|201[0-6])$")
_LAUNCH = _words("شن شنت يشن تشن شنه شنته شنوا شنها نفذ نفذت")

_SUPPORT = _words("الموالي المواليه الموالين موالي مواليه المرتبطه المرتبط "
                  "المدعومه المدعوم المدعومين مدعومه مدعوم بدعم باسناد اسناد بغطاء غطاء بمسانده "
                  "تساندها تسانده يسانده يساندها بمشاركه ضمن "
                  # backed by (الجيش مسنودا بقوات التحالف): the backer is not the doer
                  "مسنودا مسنوده مسنودين مسنودون مدعوما مدعومين مدعومون")

_WEAPONS = _words("""صاروخ صواريخ صاروخا صاروخين قذائف قذيفه قذيفتين قذيفتان طائره طائرات طائرتين ضربات ضربه مقذوفات
    rockets missiles struck""")
# (and to leave: diplomats, convoys and civilians leave places as often as fighters do)
_FLEE = _words("""فرار فروا فر فرارهم تراجع تراجعت تراجعوا هروب هربوا هرب نزوح
    غادرت غادروا تغادر يغادر يغادرون""")
