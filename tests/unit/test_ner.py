import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.ner import Mention, load_tagger
from nlp.ner.cli import ner
from nlp.ner.data import ConllError, drop_overlap, read_conll
from nlp.ner.evaluation import chunks, score
from nlp.ner.features import clitic_split
from nlp.ner.tokens import norm, sentences, tokenize


def test_tokenize_keeps_offsets():
    text = "قال (قسد) .وبموافقة “عدد” 12.5 الرقّة"
    toks = tokenize(text)
    assert [t for t, _, _ in toks] == ["قال", "(", "قسد", ")", ".", "وبموافقة", "“", "عدد", "”", "12", ".", "5", "الرقّة"]
    for t, a, b in toks:
        assert text[a:b] == t


def test_sentences_split_after_periods_and_lines():
    s = sentences("جاء زيد. ثم ذهب\nعمرو هنا")
    assert [[t for t, _, _ in x] for x in s] == [["جاء", "زيد", "."], ["ثم", "ذهب"], ["عمرو", "هنا"]]


def test_norm_and_clitics():
    assert norm("إسرائيلُ") == "اسرائيل"
    assert clitic_split(norm("بالعراق")) == ("ب", "العراق", "عراق")
    assert clitic_split(norm("للعراق")) == ("ل", "العراق", "عراق")


def test_chunks_conlleval_semantics():
    assert chunks(["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"]) == [
        (0, 2, "PER"), (3, 5, "LOC"), (5, 6, "LOC"), (6, 7, "ORG")]


def test_score_exact_match():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "B-MISC"]]
    pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "I-ORG", "O"]]
    r = score(gold, pred)
    assert r["per_type"]["PER"]["f1"] == 0 and r["per_type"]["LOC"]["f1"] == 1
    assert r["micro"]["tp"] == 2 and r["micro"]["gold"] == 3 and r["micro"]["pred"] == 3  # MISC not in micro
    assert r["per_type"]["MISC"]["recall"] == 0


def test_read_conll_errors(tmp_path):
    with pytest.raises(ConllError):
        read_conll(tmp_path / "missing.conll")
    bad = tmp_path / "bad.conll"
    bad.write_text("زيد\tB-XYZ\n", encoding="utf-8")
    with pytest.raises(ConllError, match="bad.conll:1"):
        read_conll(bad)
    ok = tmp_path / "ok.conll"
    ok.write_text("زيد\tB-PERS\nهنا\tO\n\nعمرو\tB-PER\n", encoding="utf-8")
    assert read_conll(ok) == [(["زيد", "هنا"], ["B-PER", "O"]), (["عمرو"], ["B-PER"])]


def test_drop_overlap_matches_respaced_text():
    held = [(["وقال", "الرئيس", "إن", "الوضع", "مستقر", "في", "البلاد", "."], ["O"] * 8)]
    other = [(["و", "قال", "الرئيس", "ان", "الوضع", "مستقر", "في", "البلاد", "."], ["O"] * 9),
             (["ذهب", "الولد", "إلى", "المدرسة", "صباحا", "."], ["O"] * 6)]
    kept, dropped = drop_overlap(other, held)
    assert dropped == 1 and kept == other[1:]


def test_tagger_finds_entities():
    text = "وقال وزير الخارجية الأمريكي جون كيري في واشنطن إن الأمم المتحدة تدعم الحل."
    ms = load_tagger().find(text)
    assert all(isinstance(m, Mention) for m in ms)
    got = {(text[m.start:m.end], m.type) for m in ms}
    assert ("جون كيري", "PER") in got
    assert ("واشنطن", "LOC") in got
    tags = load_tagger().tag(["جون", "كيري", "في", "واشنطن"])
    assert tags[0] == "B-PER" and tags[3] == "B-LOC"


def test_load_tagger_is_cached():
    assert load_tagger() is load_tagger()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_find_never_raises(text):
    ms = load_tagger().find(text)
    for m in ms:
        assert 0 <= m.start < m.end <= len(text)


def test_unknown_backend(monkeypatch):
    import nlp.ner as n
    monkeypatch.setenv("AKHBAR_NER_BACKEND", "nope")
    with pytest.raises(ValueError, match="AKHBAR_NER_BACKEND"):
        n.load_tagger("x")


def test_camel_backend_fails_clearly(monkeypatch):
    from nlp.ner.camel import BackendUnavailable, CamelTagger
    try:
        CamelTagger()
    except BackendUnavailable as e:
        assert "camel" in str(e)


def test_cli_eval_json(tmp_path):
    f = tmp_path / "g.conll"
    f.write_text("قال\tO\nجون\tB-PER\nكيري\tI-PER\nفي\tO\nواشنطن\tB-LOC\n.\tO\n", encoding="utf-8")
    r = CliRunner().invoke(ner, ["eval", "--conll", str(f), "--json"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output)
    assert set(obj) == {"micro", "per_type", "sentences", "tokens_per_s"}
    assert set(obj["micro"]) == {"precision", "recall", "f1"} and obj["sentences"] == 1


def test_cli_eval_errors(tmp_path):
    r = CliRunner().invoke(ner, ["eval", "--conll", str(tmp_path / "nope.conll")])
    assert r.exit_code != 0 and "no such file" in r.output
    bad = tmp_path / "bad.conll"
    bad.write_text("only-one-column\n", encoding="utf-8")
    r = CliRunner().invoke(ner, ["eval", "--conll", str(bad)])
    assert r.exit_code != 0 and "expected" in r.output


def test_sentence_words_and_offsets_match_sentences():
    from nlp.ner.tokens import part_offsets, sentence_parts, sentence_words
    for text in ["جاء زيد. ثم ذهب\nعمرو هنا", "a.b 3.5 و!؟ z", "x . . y ...", "\n\n.", "؟؟ a ؟ . b",
                 "word " * 450, "a\n.\nb.", "ـــ .", "", "  \n ", "«قال» : “نعم” (قسد) ."]:
        expected = sentences(text)
        got = sentence_words(text)
        assert [ws for _, ws in got] == [[w for w, _, _ in s] for s in expected]
        assert all(st <= s[0][1] and not text[st:s[0][1]].strip() for (st, _), s in zip(got, expected))
        for (st, parts), s in zip(sentence_parts(text), expected):
            offs = part_offsets(st, parts)
            assert [(offs[2 * k + 1], offs[2 * k + 2]) for k in range(len(s))] == [(a, b) for _, a, b in s]
