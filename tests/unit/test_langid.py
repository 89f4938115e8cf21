from nlp.langid import detect


def test_arabic_english_persian():
    assert detect("قال الرئيس في كلمة أمام البرلمان إن الحكومة ستعمل على تنفيذ الإصلاحات.") == "ar"
    assert detect("The minister said on Monday that the talks would resume next week.") == "en"
    assert detect("به گزارش خبرگزاری فارس، این طرح در سال جاری اجرا می‌شود.") == "fa"


def test_persian_with_arabic_ya_kaf():  # older Persian archives: no ی/ک at all
    assert detect("به گزارش خبرگزاري فارس، اين طرح براي مردم اجرا مي‌شود و كار آن ادامه دارد.") == "fa"
    assert detect("وزير خارجه كوبا افزود: آنها عاملان نظام استعماري هستند كه بايد پاسخگو باشند.") == "fa"


def test_arabic_with_latin_names_and_short_text():
    assert detect("أطلقت شركة Apple هاتف iPhone الجديد في مؤتمر صحفي عقدته في كاليفورنيا أمس.") == "ar"
    assert detect("") == "und"
    assert detect("12 34") == "und"
