"""Word lists: ANERGazet (compiled into the model folder at train time), countries with ISO codes, trigger words.

All keys are in matching form (``tokens.norm``) so lookups are spelling-tolerant.
"""
from __future__ import annotations

from pathlib import Path

from nlp.ner.tokens import norm, norm_text

# Arabic country names (CLDR-style short forms plus common news variants) -> ISO 3166-1 alpha-2.
# Written here by hand (no pycountry dependency); keys are normalized by ``norm`` at import.
_COUNTRIES_RAW: dict[str, tuple[str, ...]] = {
    "IQ": ("العراق",), "SY": ("سوريا", "سورية"), "LB": ("لبنان",), "JO": ("الأردن",),
    "PS": ("فلسطين",), "IL": ("إسرائيل",), "EG": ("مصر",), "SA": ("السعودية", "المملكة العربية السعودية"),
    "AE": ("الإمارات", "الإمارات العربية المتحدة"), "KW": ("الكويت",), "QA": ("قطر",), "BH": ("البحرين",),
    "OM": ("عمان", "سلطنة عمان"), "YE": ("اليمن",), "IR": ("إيران",), "TR": ("تركيا",), "LY": ("ليبيا",),
    "TN": ("تونس",), "DZ": ("الجزائر",), "MA": ("المغرب",), "MR": ("موريتانيا",), "SD": ("السودان",),
    "SS": ("جنوب السودان",), "SO": ("الصومال",), "DJ": ("جيبوتي",), "KM": ("جزر القمر",),
    "AF": ("أفغانستان",), "PK": ("باكستان",), "IN": ("الهند",), "CN": ("الصين",), "JP": ("اليابان",),
    "KR": ("كوريا الجنوبية",), "KP": ("كوريا الشمالية",), "RU": ("روسيا",), "UA": ("أوكرانيا",),
    "US": ("الولايات المتحدة", "أمريكا", "أميركا", "الولايات المتحدة الأمريكية", "الولايات المتحدة الأميركية"),
    "GB": ("بريطانيا", "المملكة المتحدة"), "FR": ("فرنسا",), "DE": ("ألمانيا",), "IT": ("إيطاليا",),
    "ES": ("إسبانيا", "اسبانيا"), "PT": ("البرتغال",), "NL": ("هولندا",), "BE": ("بلجيكا",), "CH": ("سويسرا",),
    "AT": ("النمسا",), "SE": ("السويد",), "NO": ("النرويج",), "DK": ("الدنمارك",), "FI": ("فنلندا",),
    "PL": ("بولندا",), "GR": ("اليونان",), "CY": ("قبرص",), "CA": ("كندا",), "MX": ("المكسيك",),
    "BR": ("البرازيل",), "AR": ("الأرجنتين",), "VE": ("فنزويلا",), "CU": ("كوبا",), "AU": ("أستراليا",),
    "ID": ("إندونيسيا",), "MY": ("ماليزيا",), "ET": ("إثيوبيا",), "ER": ("إريتريا",), "NG": ("نيجيريا",),
    "KE": ("كينيا",), "ZA": ("جنوب أفريقيا", "جنوب إفريقيا"), "TD": ("تشاد",), "ML": ("مالي",), "NE": ("النيجر",),
    "SN": ("السنغال",), "AZ": ("أذربيجان",), "AM": ("أرمينيا",), "GE": ("جورجيا",), "KZ": ("كازاخستان",),
    "UZ": ("أوزبكستان",), "BD": ("بنغلاديش",), "LK": ("سريلانكا",), "TH": ("تايلاند",), "VN": ("فيتنام",),
    "PH": ("الفلبين",), "IE": ("أيرلندا",), "HU": ("المجر",), "CZ": ("التشيك",), "RS": ("صربيا",),
    "BA": ("البوسنة",), "AL": ("ألبانيا",), "BG": ("بلغاريا",), "RO": ("رومانيا",), "BY": ("بيلاروسيا",),
    "VA": ("الفاتيكان",), "NZ": ("نيوزيلندا",), "CO": ("كولومبيا",), "CL": ("تشيلي",), "PE": ("بيرو",),
    "MM": ("ميانمار",), "NP": ("نيبال",), "TJ": ("طاجيكستان",), "TM": ("تركمانستان",), "KG": ("قرغيزستان",),
}
# Nationality adjectives (masculine stem; feminine/plural forms are derived) -> ISO code.
_NATIONALITY_RAW: dict[str, str] = {
    "عراقي": "IQ", "سوري": "SY", "لبناني": "LB", "أردني": "JO", "فلسطيني": "PS", "إسرائيلي": "IL", "مصري": "EG",
    "سعودي": "SA", "إماراتي": "AE", "كويتي": "KW", "قطري": "QA", "بحريني": "BH", "عماني": "OM", "يمني": "YE",
    "إيراني": "IR", "تركي": "TR", "ليبي": "LY", "تونسي": "TN", "جزائري": "DZ", "مغربي": "MA", "سوداني": "SD",
    "روسي": "RU", "أمريكي": "US", "أميركي": "US", "بريطاني": "GB", "فرنسي": "FR", "ألماني": "DE", "صيني": "CN",
    "ياباني": "JP", "أوكراني": "UA", "إيطالي": "IT", "باكستاني": "PK", "أفغاني": "AF", "هندي": "IN",
}

COUNTRY_ISO: dict[str, str] = {}
for _iso, _names in _COUNTRIES_RAW.items():
    for _n in _names:
        COUNTRY_ISO[norm_text(_n)] = _iso
NATIONALITY_ISO: dict[str, str] = {}
for _adj, _iso in _NATIONALITY_RAW.items():
    _b = norm(_adj)
    for _form in (_b, _b + "ه", _b + "ين", _b + "ون"):
        NATIONALITY_ISO[_form] = _iso
        NATIONALITY_ISO["ال" + _form] = _iso

# Trigger words (normalized): titles before person names, heads of organization and location names.
_TITLES = """وزير وزيرة رئيس رئيسة الرئيس الرئيسة نائب النائب الملك الامير أمير الأمير الشيخ السيد السيدة الدكتور د
المتحدث المتحدثة الناطق الناطقة مستشار المستشار قائد القائد الجنرال العميد اللواء العقيد الفريق المدير مدير
سفير السفير المبعوث مبعوث المرشح المدرب اللاعب النجم الفنان الكاتب الصحفي الصحافي المطرب البابا الإمام السلطان
زعيم الزعيم مساعد الأمين أمين حاكم الحاكم محافظ المحافظ الوزير نظيره نظيرها ونظيره نظيريه القاضي المحامي""".split()
_ORG_HEADS = """وزارة الوزارة هيئة الهيئة قوات القوات حزب الحزب جبهة حركة الحركة منظمة المنظمة مجلس المجلس شركة الشركة
جامعة الجامعة بنك البنك مصرف وكالة الوكالة اتحاد الاتحاد جمعية الجمعية لجنة اللجنة كتائب ألوية سرايا جيش الجيش
نادي النادي فريق محكمة المحكمة مؤسسة المؤسسة صندوق الصندوق برلمان البرلمان حكومة الحكومة تحالف التحالف
المؤتمر مؤتمر مركز المركز معهد المعهد الأمم البنك صحيفة صحيفه قناة تلفزيون إذاعة""".split()
_LOC_HEADS = """مدينة المدينة محافظة المحافظة بلدة البلدة قرية القرية منطقة المنطقة ولاية الولاية إقليم الإقليم
جزيرة جزر نهر بحر البحر جبل جبال مخيم المخيم معبر مطار ميناء ريف حي شارع ساحة عاصمة العاصمة دولة جمهورية""".split()
_REPORT = """قال وقال فقال أكد وأكد أشار وأشار لفت ولفت أعلن وأعلن اعتبر واعتبر أضاف وأضاف أوضح وأوضح ذكر وذكر
صرح وصرح تابع وتابع بين وبين رأى ورأى شدد وشدد كشف وكشف نقل ونقل قالت وقالت أكدت وأكدت أشارت وأشارت
أعلنت وأعلنت أضافت وأضافت أوضحت وأوضحت ذكرت وذكرت دعا ودعا طالب وطالب""".split()
TRIGGERS: dict[str, str] = {}
for _cls, _words in (("TITLE", _TITLES), ("ORGH", _ORG_HEADS), ("LOCH", _LOC_HEADS), ("RV", _REPORT)):
    for _w in _words:
        TRIGGERS.setdefault(norm(_w), _cls)


def read_anergazet(root: str | Path) -> dict[str, set[str]]:
    """ANERGazet folder -> {"LOC"|"ORG"|"PER": set of normalized entries (multi-word entries space-joined)}."""
    root = Path(root)
    out: dict[str, set[str]] = {}
    for typ, sub in (("LOC", "AlignedLocGazetteer"), ("ORG", "AlignedOrgGazetteer"), ("PER", "AlignedPersGazetteer")):
        entries = set()
        for line in (root / sub / "data").read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or set(line) <= set("=*"):
                continue
            n = norm_text(line)
            if n:
                entries.add(n)
        out[typ] = entries
    return out


def write_gazetteer(entries: dict[str, set[str]], path: str | Path) -> None:
    """One ``TYPE<TAB>entry`` line each, sorted, so the shipped file diffs cleanly."""
    lines = [f"{t}\t{e}" for t in sorted(entries) for e in sorted(entries[t])]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_gazetteer(path: str | Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    p = Path(path)
    if not p.exists():
        return out
    for line in p.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            t, e = line.split("\t", 1)
            out.setdefault(t, set()).add(e)
    return out


def with_builtin(entries: dict[str, set[str]]) -> dict[str, set[str]]:
    """ANERGazet plus the built-in country names as LOC."""
    out = {k: set(v) for k, v in entries.items()}
    out.setdefault("LOC", set()).update(COUNTRY_ISO)
    return out
