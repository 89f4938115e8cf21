from nlp.text import display_line, matching_text


def test_punctuation_spacing():
    assert display_line("بالاتفاق مع القوات .وبموافقة القائد") == "بالاتفاق مع القوات. وبموافقة القائد"
    assert display_line("قال ، إن الأمر : واضح .") == "قال، إن الأمر: واضح."
    assert display_line("أولا،ثانيا") == "أولا، ثانيا"
    assert display_line("الساعة 12:30 والنسبة 1.5") == "الساعة 12:30 والنسبة 1.5"


def test_controls_spaces_entities_tags():
    assert display_line("\u00a0\u00a0نص\u200f\u202b  مع\u00a0مسافات\ufeff ") == "نص مع مسافات"
    assert display_line("a &amp; b <br/> c") == "a & b c"
    assert display_line("مي\u200cخواهم") == "مي\u200cخواهم"  # ZWNJ kept for Persian
    assert display_line("\x1a سؤال؟") == "سؤال؟"


def test_letters_diacritics_tatweel_quotes_are_the_authors():
    s = "«قـــال» مُحَمَّدٌ: \"إسرائيل\" أَكَّدَ"
    assert display_line(s) == s


def test_matching_text():
    assert matching_text("مُحَمَّدٌ") == "محمد"
    assert matching_text("قـــال") == "قال"
    assert matching_text("أحمد إلى آخر") == "احمد الي اخر"
    assert matching_text("مدرسة") == "مدرسه"
    assert matching_text("٢٠١٥ و۱۳۹۹") == "2015 و1399"
