"""Rule parsing and matching (nlp/rules.py), no broker."""
from __future__ import annotations

import pytest

from nlp.rules import (ArticleView, RuleError, evaluate, load_rules_yaml, parse_rule, spike_fires,
                       suppression_subject)


def article(body="", title="", entities=(), source="wire", lang="ar", id="a1"):
    return {"id": id, "title": title, "body": body, "source": source, "lang": lang,
            "entities": [{"text": e, "canonical": e, "type": "LOC", "start": 0, "end": 1} for e in entities]}


def rule(**spec):
    return parse_rule({"id": "r1", **spec})


@pytest.mark.parametrize("word", ["انشقاق", "والانشقاقات", "بالانشقاق", "الانشقاقات", "وانشقاقهم", "الإنشقاق"])
def test_keyword_is_clitic_aware(word):
    r = rule(match={"keyword": "انشقاق"})
    m = evaluate(r, ArticleView(article(f"أعلنت مصادر {word} في صفوف الجيش")))
    assert m and m.keywords == ["انشقاق"]


@pytest.mark.parametrize("word", ["انشقاقي", "لانشقاقكم"])
def test_keyword_more_clitics(word):
    assert evaluate(rule(match={"keyword": "انشقاق"}), ArticleView(article(word)))


@pytest.mark.parametrize("word", ["الانشقاقاتية2", "شقاق", "انشقا", "xانشقاق"])
def test_keyword_not_inside_other_words(word):
    assert evaluate(rule(match={"keyword": "انشقاق"}), ArticleView(article(f"نص {word} نص"))) is None


@pytest.mark.parametrize("word", ["انشقاقاتهم", "بانشقاقاتها", "وبالانشقاق", "وكالانشقاق", "فللانشقاقات"])
def test_keyword_stacked_clitics(word):
    """A conjunction before a preposition and the article; a plural ending before a pronoun."""
    assert evaluate(rule(match={"keyword": "انشقاق"}), ArticleView(article(f"نص {word} نص")))


@pytest.mark.parametrize("word", ["الحكومات", "وحكوماتهم", "حكومتين", "للحكومة"])
def test_keyword_teh_marbuta_gives_way_to_the_feminine_plural(word):
    assert evaluate(rule(match={"keyword": "حكومة"}), ArticleView(article(f"نص {word} نص")))


@pytest.mark.parametrize("word, hit", [("بالأسد", True), ("للأسد", True), ("وللأسد", True), ("أسد", False),
                                       ("لأسد", False)])
def test_keyword_with_its_article(word, hit):
    """A keyword written with the article takes ب ك before it or contracts with ل, and needs the article."""
    assert bool(evaluate(rule(match={"keyword": "الأسد"}), ArticleView(article(f"نص {word} نص")))) is hit


def test_keyword_teh_marbuta_before_suffix_and_diacritics():
    r = rule(match={"keyword": "حكومة"})
    assert evaluate(r, ArticleView(article("قالت حكومتها إن")))
    assert evaluate(r, ArticleView(article("الحُكُومَة")))


def test_multiword_keyword():
    r = rule(match={"keyword": "وقف إطلاق النار"})
    assert evaluate(r, ArticleView(article("ودعا إلى ووقف اطلاق  النار فورا")))
    assert not evaluate(r, ArticleView(article("وقف النار")))


def test_entities_any_all_and_title():
    r_any = rule(match={"entities": {"any": ["سوريا", "العراق"]}})
    r_all = rule(match={"entities": {"all": ["سوريا", "العراق"]}})
    a = ArticleView(article("x", entities=["العراق"]))
    assert evaluate(r_any, a).entities == ["العراق"]
    assert evaluate(r_all, a) is None
    assert evaluate(r_all, ArticleView(article("x", entities=["العراق", "سوريا"]))).as_dict()["entities"] == [
        "العراق", "سوريا"]
    assert evaluate(rule(match={"keyword": "فرار"}), ArticleView(article("x", title="فرار المئات")))


def test_boolean_and_filters():
    r = rule(match={"all": [{"entity": "سوريا"}, {"any": [{"keyword": "انشقاق"}, {"keyword": "فرار"}]},
                            {"not": {"keyword": "رياضة"}}]}, sources=["wire"], langs=["ar"])
    ok = article("فرار جنود", entities=["سوريا"])
    assert evaluate(r, ArticleView(ok)).as_dict() == {"entities": ["سوريا"], "keywords": ["فرار"]}
    assert evaluate(r, ArticleView({**ok, "body": "فرار جنود والرياضة"})) is None
    assert evaluate(r, ArticleView({**ok, "source": "other"})) is None
    assert evaluate(r, ArticleView({**ok, "lang": "en"})) is None


def test_yaml_forms_and_errors():
    text = """
rules:
  - id: a
    match: {keyword: انشقاق}
  - id: b
    kind: spike
    entity: العراق
    window: {size_s: 60, step_s: 30}
    threshold: 3
    baseline: {windows: 4, factor: 2}
"""
    a, b = load_rules_yaml(text)
    assert a.kind == "match" and a.severity == "info" and a.suppress_minutes == 30
    assert (b.window_s, b.step_s, b.threshold, b.baseline_windows, b.severity) == (60, 30, 3, 4, "warning")
    assert len(load_rules_yaml("id: x\nmatch: {entity: y}\n---\nid: z\nmatch: {entity: y}\n")) == 2
    bad = {
        "id: x\n": "match: required",
        "id: x\nmatch: {foo: 1}\n": "unknown condition 'foo'",
        "id: x\nmatch: {entity: y}\nseverity: loud\n": "severity",
        "id: 'a b'\nmatch: {entity: y}\n": ".id",
        "id: x\nkind: spike\nentity: y\n": "needs a threshold",
        "id: x\nmatch: {entity: y}\ncolour: red\n": "unknown field(s) colour",
        "- id: x\n  match: {entity: y}\n- id: x\n  match: {entity: y}\n": "duplicate",
        "id: [\n": "not valid YAML",
    }
    for text, msg in bad.items():
        with pytest.raises(RuleError, match=msg.replace("(", r"\(").replace(")", r"\)")):
            load_rules_yaml(text)


def test_spike_threshold_and_baseline():
    r = rule(kind="spike", entity="x", threshold=3)
    assert spike_fires(r, 3, [])[0] and not spike_fires(r, 2, [])[0]
    rb = rule(kind="spike", entity="x", baseline={"windows": 3, "factor": 2})
    assert spike_fires(rb, 7, [1, 2, 3]) == (True, 2.0)
    assert spike_fires(rb, 4, [1, 2, 3]) == (False, 2.0)
    assert not spike_fires(rb, 4, [])[0]  # no history, no threshold: no spike
    both = rule(kind="spike", entity="x", threshold=2, baseline={"windows": 2, "factor": 3})
    assert spike_fires(both, 2, [])[0] and not spike_fires(both, 2, [1, 1])[0]


def test_suppression_subject():
    a = article("x", entities=["العراق"], id="art")
    assert suppression_subject(rule(match={"entity": "y"}), a) == "art"
    assert suppression_subject(rule(match={"entity": "y"}), {**a, "story": {"id": "s9"}}) == "s9"
    r = rule(match={"entity": "العراق"}, suppress_by="entity")
    assert suppression_subject(r, a, evaluate(r, ArticleView(a))) == "العراق"
    assert suppression_subject(rule(match={"entity": "y"}, suppress_by="rule"), a) == "*"
