"""The gold set of current news (tests/gold/ner_news.jsonl) and its scoring (nlp.ner.newsgold)."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from nlp.ner import Mention
from nlp.ner.cli import ner
from nlp.ner.data import default_data_root
from nlp.ner.newsgold import GOLD_FILE, GoldError, attach_texts, evaluate_gold, read_gold, score_spans

NEWS = default_data_root().parent / "news"


def test_score_spans_exact_match_per_type():
    gold = [{(0, 5, "PER"), (10, 15, "LOC")}, {(3, 9, "ORG")}]
    pred = [{(0, 5, "PER"), (10, 16, "LOC"), (20, 25, "MISC")}, {(3, 9, "LOC")}]
    res = score_spans(gold, pred)
    assert res["per_type"]["PER"]["f1"] == 1.0
    assert res["per_type"]["LOC"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 1, "pred": 2}
    assert res["micro"]["precision"] == round(1 / 3, 4) and res["micro"]["recall"] == round(1 / 3, 4)


def test_read_gold_refuses_entities_outside_the_span(tmp_path):
    p = tmp_path / "g.jsonl"
    p.write_text(json.dumps({"dataset": "d", "id": "a", "span": [0, 10], "entities": [[5, 12, "PER"]]}) + "\n")
    with pytest.raises(GoldError, match="bad entity"):
        read_gold(p)
    p.write_text(json.dumps({"dataset": "d", "id": "a", "span": [0, 10], "entities": [[1, 3, "MISC"]]}) + "\n")
    with pytest.raises(GoldError):
        read_gold(p)


def test_evaluate_gold_offsets_are_into_the_body(tmp_path):
    (tmp_path / "d").mkdir()
    body = "xx قال زيد في بغداد"
    (tmp_path / "d" / "articles.jsonl").write_text(json.dumps({"id": "a", "body": body}, ensure_ascii=False) + "\n")
    rec = {"dataset": "d", "id": "a", "span": [3, len(body)], "entities": [[7, 10, "PER"], [14, 19, "LOC"]]}

    class Fake:
        def find(self, text):
            return [Mention(text.index("زيد"), text.index("زيد") + 3, "PER")]
    res = evaluate_gold(Fake(), attach_texts([rec], tmp_path))
    assert res["per_type"]["PER"]["f1"] == 1.0 and res["per_type"]["LOC"]["recall"] == 0.0
    with pytest.raises(GoldError, match="not found"):
        attach_texts([{**rec, "id": "b"}], tmp_path)


def test_shipped_gold_set_is_whole_and_varied():
    gold = read_gold(GOLD_FILE)
    assert len(gold) >= 40 and len({r["id"] for r in gold}) == len(gold)
    assert len({r["dataset"] for r in gold}) == 3
    assert sum(len(r["entities"]) for r in gold) >= 300
    types = Counter(t for r in gold for _, _, t in r["entities"])
    assert min(types[t] for t in ("PER", "LOC", "ORG")) >= 80


@pytest.mark.skipif(not (NEWS / "saudinewsnet" / "articles.jsonl").is_file(), reason="the news data is not here")
def test_gold_entities_are_whole_words_of_the_articles():
    for rec, body in attach_texts(read_gold(GOLD_FILE), NEWS):
        ents = sorted(rec["entities"])
        for (a, b, _), nxt in zip(ents, ents[1:] + [None]):
            assert body[a:b] == body[a:b].strip() and body[a].isalnum() and (b - a) > 1
            assert (a == 0 or not body[a - 1].isalpha()) and not (b < len(body) and body[b].isalpha()), (rec["id"], body[a:b])
            assert nxt is None or nxt[0] >= b  # no overlaps


@pytest.mark.skipif(not (NEWS / "saudinewsnet" / "articles.jsonl").is_file(), reason="the news data is not here")
def test_cli_gold_json():
    r = CliRunner().invoke(ner, ["gold", "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.output)
    assert res["articles"] >= 40 and set(res["per_type"]) == {"PER", "LOC", "ORG"}
    assert res["micro"]["f1"] > 0.5  # the shipped tagger finds most of it; the figures are in docs/ner.md
    r = CliRunner().invoke(ner, ["gold", "--news-root", "/nonexistent"])
    assert r.exit_code == 1 and "not found" in r.output
