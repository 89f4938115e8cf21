"""Seed acceptance: the shipped tagger + linking + quotes on the first real article.

The body's related-headline lines (between "-" lines) are removed, as the cleaning stage does, and " .و" is fixed to
". و". حماة occurs only in a removed related headline ("تعزيزات عسكرية ضخمة في ريف حماة"), so it is not expected.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlp.linking import link, summarize
from nlp.ner import load_tagger
from nlp.quotes import find_quotes

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_fdc78b3ef27cc776.txt"

PERSONS = ["محمد شياع السوداني", "فالح الفياض", "باسم العوادي", "فؤاد حسين", "عباس عراقجي", "بسام الصباغ"]
LOCATIONS = ["العراق", "سوريا", "القائم", "دمشق", "الرقة", "دير الزور", "بغداد"]
ORGS = ["قوات سوريا الديموقراطية", "هيئة الحشد الشعبي", "وزارة الدفاع العراقية", "كتائب حزب الله"]
QUOTE = "عدد الجنود السوريين الذين دخلوا العراق بلغ ألفين بين ضابط وجندي"


def seed_text() -> str:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    body, skipping = [], False
    for line in lines[1:]:
        if line.strip() == "-":
            skipping = not skipping
            continue
        if not skipping:
            body.append(line)
    text = lines[0] + "\n" + "\n".join(body)
    return re.sub(r" \.(?=\w)", ". ", text)


@pytest.fixture(scope="module")
def analysed():
    text = seed_text()
    mentions = load_tagger().find(text)
    entities = link(text, mentions)
    return text, mentions, entities, find_quotes(text, entities)


def _canon(entities, typ):
    return {e.canonical for e in entities if e.type == typ}


def test_removed_lines_are_gone():
    text = seed_text()
    assert "حماة" not in text and " .و" not in text and "\n-\n" not in text


def test_mention_offsets_point_into_text(analysed):
    text, mentions, entities, _ = analysed
    assert mentions
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text) and m.type in ("PER", "LOC", "ORG", "MISC")
    for e in entities:
        assert text[e.start:e.end] == e.text


# بسام الصباغ ("والسوري بسام الصباغ") is in no training file nor ANERGazet: it is found through the person-name
# lists (nlp.ner.names) and the nat_names rule.
@pytest.mark.parametrize("name", PERSONS)
def test_persons(analysed, name):
    assert name in _canon(analysed[2], "PER")


@pytest.mark.parametrize("name", LOCATIONS)
def test_locations(analysed, name):
    assert name in _canon(analysed[2], "LOC")


@pytest.mark.parametrize("name", ORGS)
def test_organizations(analysed, name):
    assert name in _canon(analysed[2], "ORG")


def test_surname_links_to_full_name(analysed):
    text, _, entities, _ = analysed
    alone = [e for e in entities if e.text == "السوداني"]
    assert alone, "the bare surname السوداني should be tagged as a mention"
    assert all(e.canonical == "محمد شياع السوداني" for e in alone)


def test_acronym_links_to_long_form(analysed):
    qsd = [e for e in analysed[2] if e.text == "قسد"]
    assert qsd and all(e.canonical == "قوات سوريا الديموقراطية" for e in qsd)


def test_clitic_forms_canonicalize(analysed):
    text, _, entities, _ = analysed
    pairs = {(e.text, e.canonical) for e in entities}
    assert ("ودير الزور", "دير الزور") in pairs  # و + دير الزور, in the body: "الرقّة ودير الزور"
    canon = {e.canonical for e in entities}
    for e in entities:  # any clitic form of a name that also occurs bare links to the bare name
        for k in (1, 2):
            if len(e.text) > k + 2 and e.text[:k] in ("و", "ب", "ل", "ف", "وب", "ول") and e.text[k:] in canon:
                assert e.canonical == e.text[k:], e
    iraq = [e for e in entities if e.canonical == "العراق"]
    assert iraq and all(e.id == "iso:IQ" for e in iraq)
    assert all(e.translit for e in entities)


def test_summary_groups_mentions(analysed):
    summary = summarize(analysed[2])
    by = {s["canonical"]: s for s in summary}
    assert by["محمد شياع السوداني"]["mentions"] >= 3  # full name + two bare surnames
    assert by["سوريا"]["id"] == "iso:SY"
    for s in summary:
        assert s["mentions"] == len(s["spans"])


def test_quote_with_speaker(analysed):
    quotes = analysed[3]
    q = next((q for q in quotes if q.text == QUOTE), None)
    assert q is not None, [x.text for x in quotes]
    text = analysed[0]
    assert text[q.start:q.end] == QUOTE
    assert q.speaker == "مسؤول أمني عراقي"
    assert text[q.speaker_start:q.speaker_end] == q.speaker
