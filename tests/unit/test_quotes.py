from nlp.linking import LinkedEntity
from nlp.quotes import find_quotes


def test_speaker_description_before_quote():
    text = "وقال مسؤول أمني عراقي إن “عدد الجنود بلغ ألفين”. لافتا إلى أن “دخولهم جاء بالاتفاق”."
    qs = find_quotes(text, [])
    assert [q.text for q in qs] == ["عدد الجنود بلغ ألفين", "دخولهم جاء بالاتفاق"]
    assert qs[0].speaker == "مسؤول أمني عراقي"
    assert text[qs[0].speaker_start:qs[0].speaker_end] == "مسؤول أمني عراقي"
    assert qs[1].speaker == "مسؤول أمني عراقي"  # the participle continues the same speaker
    for q in qs:
        assert text[q.start:q.end] == q.text


def test_speaker_is_linked_entity():
    text = "ولفت المتحدث باسم الحكومة باسم العوادي مساء الجمعة إلى أن «العراق لا يسعى إلى التدخل»."
    s = text.index("باسم العوادي")
    ent = LinkedEntity("باسم العوادي", "PER", s, s + 12, "باسم العوادي", None, "bAsm")
    (q,) = find_quotes(text, [ent])
    assert q.text == "العراق لا يسعى إلى التدخل"
    assert q.speaker == "باسم العوادي" and q.speaker_canonical == "باسم العوادي"
    assert (q.speaker_start, q.speaker_end) == (s, s + 12)


def test_speaker_after_quote_and_straight_quotes():
    text = 'قال أحد: "نحن هنا". "الوضع صعب"، قال وزير الخارجية.'
    qs = find_quotes(text, [])
    assert [q.text for q in qs] == ["نحن هنا", "الوضع صعب"]
    assert qs[0].speaker == "أحد"
    assert qs[1].speaker == "وزير الخارجية"


def test_unattributed_and_odd_input():
    assert find_quotes("هذا هو “الخط الأحمر” بالنسبة إلى بغداد", [])[0].speaker is None
    for bad in ("", "“", "«»", '"', "“غير مغلق", None, "a\n“b\nc”"):
        assert isinstance(find_quotes(bad, []), list)  # type: ignore[arg-type]


def test_quoted_media_names_get_no_speaker():
    text = "وقالت مصادر مطلعة لـ«عكاظ» إن الاجتماع تأجل. وذكرت صحيفة «الحياة» أن الوزير سافر."
    qs = find_quotes(text, [])
    assert [q.text for q in qs] == ["عكاظ", "الحياة"]
    assert all(q.speaker is None for q in qs)


def test_subject_before_the_verb_time_words_and_plural_participles():
    text = ("وكان مسؤول حكومي أشار في وقت سابق إلى أن “الخط الأحمر” واضح. "
            "واعتبر الوزراء أن “تهديد أمن سوريا خطر”. مؤكدين أن “لا خيار سوى التنسيق”.")
    qs = find_quotes(text, [])
    assert [q.speaker for q in qs] == ["مسؤول حكومي", "الوزراء", "الوزراء"]


def test_a_verb_opening_its_sentence_takes_the_previous_sentence_subject():
    text = ("وكان فصيل كتائب حزب الله العراقي الذي انخرط في النزاع إلى جانب قوات النظام. "
            "قال الاثنين إنه “لم يقرر بعد إرسال مقاتلين”.")
    s = text.index("كتائب حزب الله")
    ent = LinkedEntity("كتائب حزب الله", "ORG", s, s + len("كتائب حزب الله"), "كتائب حزب الله", None, "ktA}b")
    (q,) = find_quotes(text, [ent])
    assert q.speaker == "كتائب حزب الله" and (q.speaker_start, q.speaker_end) == (ent.start, ent.end)
    # no subject anywhere: still no speaker rather than a wrong one
    assert find_quotes("انتهى الاجتماع. قال الاثنين إنه “لا جديد”.", [])[0].speaker is None
    assert find_quotes("وقال ناطق باسم الأمم المتحدة قد “تأجل الاجتماع”.", [])[0].speaker == "ناطق باسم الأمم المتحدة"
