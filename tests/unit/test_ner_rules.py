"""Phrase rules after the CRF (nlp.ner.rules), on hand-tagged sentences."""
from __future__ import annotations

from types import SimpleNamespace

from nlp.ner.evaluation import chunks
from nlp.ner.rules import ALL, apply

LEXICON = SimpleNamespace(names={"بسام": "GS", "الصباغ": "S", "عامر": "G", "الرفدان": "S", "تركي": "G",
                                 "الشليل": "S", "محمد": "G", "حسين": "GS"},
                          counts={"بسام": 9, "الصباغ": 4, "محمد": 900, "حسين": 700, "تركي": 300})


def _ents(words, tags, rules=ALL, lexicon=LEXICON):
    out = apply(words, tags, rules, lexicon)
    return [(" ".join(words[s:e]), t) for s, e, t in chunks(out)]


def test_nat_names_tags_listed_rare_names_after_a_definite_nationality():
    words = "ونظيريه الإيراني عباس عراقجي والسوري بسام الصباغ في بغداد".split()
    tags = ["O", "O", "B-PER", "I-PER", "O", "O", "O", "O", "B-LOC"]
    assert _ents(words, tags) == [("عباس عراقجي", "PER"), ("بسام الصباغ", "PER"), ("بغداد", "LOC")]


def test_nat_names_moves_a_name_start_off_the_adjective():
    words = "والسوري عامر الرفدان .".split()
    assert _ents(words, ["B-PER", "I-PER", "I-PER", "O"]) == [("عامر الرفدان", "PER")]


def test_nat_names_leaves_common_words_indefinite_adjectives_and_single_names():
    # محمد حسين: names, but common in the news (the CRF judges those); تركي: indefinite (also a given name)
    for words in ("السوري محمد حسين قال", "الأمير تركي الشليل قال", "والسوري بسام قال"):
        w = words.split()
        assert _ents(w, ["O"] * len(w)) == [], words
    words = "والسوري بسام الصباغ".split()
    assert _ents(words, ["O"] * 3, lexicon=None) == []                         # no lists: the rule does not run
    assert _ents(words, ["O"] * 3, rules=tuple(r for r in ALL if r != "nat_names")) == []


def test_org_heads_on_the_seed_names():
    words = "وقال مصدر في وزارة الدفاع العراقية إن هيئة الحشد الشعبي".split()
    tags = ["O"] * len(words)
    assert _ents(words, tags) == [("وزارة الدفاع العراقية", "ORG"), ("هيئة الحشد الشعبي", "ORG")]


def test_nat_names_trims_the_adjective_at_the_end_of_a_sentence():
    words = "التقى الرئيس والسوري بسام".split()
    assert _ents(words, ["O", "O", "B-PER", "I-PER"]) == [("بسام", "PER")]


def test_sport_clubs_turns_listed_places_into_clubs_in_sports_text_only():
    from nlp.ner.features import FeatureExtractor
    lexicon = FeatureExtractor({}, {}, lists={"CLUB": {"برشلونه", "ليون", "ريال مدريد", "الامارات"}})
    words = "فاز برشلونة على ليون ثم وصل إلى ريال مدريد".split()
    tags = ["O", "B-LOC", "O", "B-LOC", "O", "O", "O", "B-LOC", "I-LOC"]
    sport = apply(words, tags, ("sport_clubs",), lexicon, sport=True)
    assert [(" ".join(words[s:e]), t) for s, e, t in chunks(sport)] == [
        ("برشلونة", "ORG"), ("ليون", "ORG"), ("ريال مدريد", "ORG")]
    assert apply(words, tags, ("sport_clubs",), lexicon, sport=False) == tags   # elsewhere the city stays a city
    # a country (national teams are tagged as the country), a place after في, and a name off the list stay LOC
    words = "مباراة الإمارات في برشلونة مع مدريد".split()
    tags = ["O", "B-LOC", "O", "B-LOC", "O", "B-LOC"]
    assert apply(words, tags, ("sport_clubs",), lexicon, sport=True) == tags
    assert apply(["وبرشلونة", "فاز"], ["B-LOC", "O"], ("sport_clubs",), lexicon, sport=True)[0] == "B-ORG"
