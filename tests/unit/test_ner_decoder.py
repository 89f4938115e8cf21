"""The numpy decoder must reproduce crfsuite's own Viterbi exactly (with no O penalty)."""
from pathlib import Path

import pycrfsuite

from nlp.ner import MODEL_FILE, Tagger
from nlp.ner.tokens import sentences

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_fdc78b3ef27cc776.txt"
EXTRA = [
    "وقال وزير الخارجية الأمريكي جون كيري في واشنطن إن الأمم المتحدة تدعم الحل .",
    "فاز ريال مدريد على برشلونة",
    "x",
    "( قسد )",
]


def test_numpy_decoder_matches_crfsuite():
    tagger = Tagger(MODEL_FILE, o_penalty=0.0)
    crf = pycrfsuite.Tagger()
    crf.open(str(MODEL_FILE))
    sents = [[w for w, _, _ in s] for s in sentences(SEED.read_text(encoding="utf-8"))]
    sents += [s.split() for s in EXTRA]
    expected = [list(crf.tag(tagger.features.sentence(s))) for s in sents]
    assert tagger.decoder.tag_many(sents) == expected
    assert [tagger.decoder.tag(s) for s in sents] == expected
    assert tagger.decoder.tag_many([[], ["x"], []]) == [[], expected[-2][:0] or list(crf.tag(tagger.features.sentence(["x"]))), []]


def test_numpy_decoder_matches_crfsuite_in_sports_context():
    """The sports-context features (nlp.ner.topic) are used by the shipped model and decoded exactly."""
    tagger = Tagger(MODEL_FILE, o_penalty=0.0)
    crf = pycrfsuite.Tagger()
    crf.open(str(MODEL_FILE))
    sents = [[w for w, _, _ in s] for s in sentences(SEED.read_text(encoding="utf-8"))] + [s.split() for s in EXTRA]
    sents.append("فاز برشلونة على ليون في مباراة الدوري وسجل اللاعب هدفين".split())
    expected = [list(crf.tag(tagger.features.sentence(s, sport=True))) for s in sents]
    assert tagger.decoder.tag_many(sents, [True] * len(sents)) == expected
    # the model has weights for them: the sports context changes some emission scores
    dec = tagger.decoder
    s = sents[-1]
    rows = dec.rows_of([s])
    plain, st, _ = dec._flat_emissions([s], rows, [False])
    sport, _, _ = dec._flat_emissions([s], rows, [True])
    assert abs(plain - sport).max() > 0.1


def test_the_word_cache_is_out_of_the_garbage_collectors_sight():
    """A worker's decoder caches every word type it meets (tens of thousands): entries the collector tracks made
    each full collection of a worker pause its event loop for 100-270 ms (docs/benchmarks/pipeline-notes.md)."""
    import gc

    tagger = Tagger(MODEL_FILE)
    sents = [[w for w, _, _ in s] for s in sentences(SEED.read_text(encoding="utf-8"))]
    tagger.decoder.tag_many(sents)
    gc.collect()
    assert len(tagger.decoder.light) > 100
    assert not any(gc.is_tracked(light) for light in tagger.decoder.light)
