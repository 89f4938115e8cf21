from nlp.linking import LinkedEntity, link, skeleton, strip_clitics, summarize
from nlp.ner import Mention


def _mentions(text, spans):
    out = []
    for surface, typ in spans:
        i = text.index(surface)
        out.append(Mention(i, i + len(surface), typ))
    return out


def test_clitics_stripped_from_canonical():
    assert strip_clitics("بالعراق") == "العراق"
    assert strip_clitics("للعراق") == "العراق"
    assert strip_clitics("والعراق") == "العراق"
    assert strip_clitics("وسوريا") == "سوريا"      # a country name
    assert strip_clitics("بغداد") == "بغداد"       # ب is part of the name
    assert strip_clitics("لبنان") == "لبنان"
    assert strip_clitics("وليد") == "وليد"


def test_spelling_variants_share_a_skeleton():
    assert skeleton("الديموقراطية") == skeleton("الديمقراطية")
    assert skeleton("أمريكا") == skeleton("امريكا")
    assert skeleton("العراق") != skeleton("الإمارات")


def test_surname_and_clitic_forms_group():
    text = "قال رئيس الوزراء محمد شياع السوداني إن بالعراق أمنا. وأكد السوداني أن العراق بخير."
    ms = _mentions(text, [("محمد شياع السوداني", "PER"), ("بالعراق", "LOC")])
    k = text.index("وأكد السوداني") + 5
    w = text.index("العراق بخير")
    ms += [Mention(k, k + 8, "PER"), Mention(w, w + 6, "LOC")]
    ents = link(text, ms)
    by_text = {e.text: e for e in ents}
    assert by_text["محمد شياع السوداني"].canonical == "محمد شياع السوداني"
    assert by_text["السوداني"].canonical == "محمد شياع السوداني"
    iraq = [e for e in ents if e.canonical == "العراق"]
    assert len(iraq) == 2 and all(e.id == "iso:IQ" for e in iraq)
    assert all(text[e.start:e.end] == e.text for e in ents)
    assert by_text["بالعراق"].translit == "AlςrAq"


def test_acronym_in_parentheses_and_table():
    text = "بالاتفاق مع قوات سوريا الديموقراطية (قسد) اليوم. وقالت قسد إن ..."
    ms = _mentions(text, [("قوات سوريا الديموقراطية", "ORG")])
    i = text.index("(قسد)") + 1
    ms.append(Mention(i, i + 3, "ORG"))
    j = text.index("قسد إن")
    ms.append(Mention(j, j + 3, "ORG"))
    ents = link(text, ms)
    assert [e.canonical for e in ents] == ["قوات سوريا الديموقراطية"] * 3
    alone = link("أعلنت قسد السيطرة", [Mention(6, 9, "ORG")])
    assert alone[0].canonical == "قوات سوريا الديمقراطية"  # built-in table


def test_spelling_variants_link():
    text = "قوات سوريا الديموقراطية و قوات سوريا الديمقراطية"
    ms = [Mention(0, 23, "ORG"), Mention(26, len(text), "ORG")]
    ents = link(text, ms)
    assert ents[0].canonical == ents[1].canonical


def test_summary():
    text = "زار بغداد وزير. وفي بغداد قال."
    ents = link(text, _mentions(text, [("بغداد وزير", "LOC")])[:0] + [Mention(4, 9, "LOC"), Mention(20, 25, "LOC")])
    s = summarize(ents)
    assert s == [{"canonical": "بغداد", "type": "LOC", "id": None, "mentions": 2, "spans": [[4, 9], [20, 25]]}]


def test_never_raises():
    assert link("", []) == []
    assert link("abc", [Mention(5, 9, "PER")]) == []
    assert link(None, [Mention(0, 1, "PER")]) == []  # type: ignore[arg-type]
    assert summarize([]) == []
    assert isinstance(summarize([LinkedEntity("x", "PER", 0, 1, "x", None, "x")]), list)
