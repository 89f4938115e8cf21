"""The sports-context flag of sentences (nlp.ner.topic)."""
from nlp.ner.topic import is_sport, sentence_topics, windowed


def test_sports_words_with_clitics():
    assert is_sport("المباراة") and is_sport("بالمباراة")
    assert is_sport("والدوري") and is_sport("للمنتخب") and is_sport("مباراة")
    assert not is_sport("الحكومة") and not is_sport("بغداد") and not is_sport("و")


def test_window_needs_enough_sports_words_nearby():
    sport = "فاز الفريق في المباراة وسجل اللاعب هدفا".split()
    plain = "قال الوزير إن الحكومة ستجتمع غدا".split()
    flags = sentence_topics([sport] + [plain] * 12)
    assert flags[:6] == [True] * 6          # within 5 sentences of the sports sentence
    assert flags[6:] == [False] * 7
    assert sentence_topics([plain, plain]) == [False, False]
    assert sentence_topics([]) == []


def test_windowed_counts():
    assert windowed([1, 1, 1], radius=0, min_hits=1) == [True, True, True]
    assert windowed([0, 3, 0, 0], radius=1, min_hits=3) == [True, True, True, False]
