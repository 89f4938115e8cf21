"""Concrete cases modelled on each site's noise (synthetic strings; no article text is copied here)."""
from __future__ import annotations

from pathlib import Path

from nlp.clean import clean_article

ROOT = Path(__file__).resolve().parents[2]
P1 = "قال المسؤول إن الحكومة ستعلن القرار النهائي خلال الأيام المقبلة بعد مشاورات واسعة مع الأطراف المعنية."
P2 = "وأضاف أن اللجنة المختصة ستجتمع مرة أخرى الأسبوع المقبل لمراجعة التوصيات وإقرار الخطة الجديدة للمشروع."
P3 = "وكانت الوزارة قد أعلنت في وقت سابق عن برنامج شامل لتطوير البنية التحتية في عدد من المدن والمحافظات."


def reasons(r):
    return {x.line: x.reason for x in r.removed}


def test_seed_article():
    r = clean_article(None, (ROOT / "seeds" / "000_fdc78b3ef27cc776.txt").read_text(encoding="utf-8"))
    assert r.title.startswith("فرار المئات")
    assert r.removed[0].reason == "title-from-first-line" and r.removed[0].line == 1
    assert ". وبموافقة" in r.body and " .و" not in r.body
    why = reasons(r)
    assert why[3] == "separator" and why[4] == "related-headline"
    assert "تعزيزات عسكرية ضخمة" not in r.body
    assert r.lang == "ar" and not r.flags


def test_read_also_block_and_single_line():  # BBC Arabic style
    body = "\n".join([P1, "اقرأ أيضاً:", "عنوان خبر آخر عن موضوع مختلف تماما", "عنوان ثالث: تفاصيل جديدة", P2,
                      "اقرأ أيضا: عنوان قصة أخرى في سطر واحد", P3])
    r = clean_article("عنوان", body)
    assert r.body == "\n".join([P1, P2, P3])
    assert reasons(r) == {2: "related-link", 3: "related-headline", 4: "related-headline", 6: "related-link"}


def test_separator_and_promo_footer():  # BBC Arabic style
    body = "\n".join([P1, P2, "-" * 30, "يمكنكم متابعة آخر الأخبار بعد تحميل أحدث نسخة من تطبيقنا على هاتفكم."])
    r = clean_article("عنوان", body)
    assert r.body == P1 + "\n" + P2
    assert reasons(r) == {3: "separator", 4: "footer"}


def test_page_furniture_tail():  # Al Mayadeen style: tags, widget timestamps, browse-more, blurb, copyright
    lines = [P1, P2, "", "", "وسم أول", "", "وسم ثان طويل", "", "17 اب", "", "اليوم 02:38", "", "تصفح المزيد", "",
             "شبكة إعلامية مستقلة انطلقت في العام 2012", "واتخذت من العاصمة مقرا لها.", "", "جميع الحقوق محفوظة"]
    r = clean_article("عنوان", "\n".join(lines))
    assert r.body == P1 + "\n" + P2
    why = reasons(r)
    assert why[5] == why[7] == "tag-list" and why[9] == why[11] == "widget-timestamp"
    assert why[13] == "more-link" and why[15] == why[16] == "footer" and why[18] == "footer-copyright"


def test_boilerplate_only_page_is_flagged_not_crashed():
    r = clean_article("نشرة المساء", "\n\nاليوم\n17 اب\n17 اب\n\nجميع الحقوق محفوظة\n")
    assert r.body == "" and r.paragraphs == [] and "boilerplate-only" in r.flags


def test_embedded_tweets():
    body = "\n".join([P1, "مشاهد من الموقع تظهر حجم الدمار في المنطقة. pic.twitter.com/AbC123xyz",
                      "Breaking: something happened in the #City today https://t.co/abc", P2])
    r = clean_article("عنوان", body)
    assert r.body == P1 + "\n" + P2
    assert set(reasons(r).values()) == {"embedded-tweet"}


def test_sabq_byline_dateline_prefix_with_bidi_controls():
    r = clean_article("عنوان", " فلان الفلاني- سبق- جدة: \u200f\u202bتشهد المدينة خلال فترة الإجازات حركة كبيرة.")
    assert r.body == "تشهد المدينة خلال فترة الإجازات حركة كبيرة."
    assert r.byline == "فلان الفلاني - سبق" and r.dateline == "جدة"
    assert r.removed[0].reason == "byline-dateline-prefix"


def test_agency_prefix():
    r = clean_article("Title", "(CNN)-- The minister said on Monday that talks would resume next week.")
    assert r.body.startswith("The minister") and r.byline == "CNN"
    r = clean_article("عنوان", "واشنطن (رويترز) - قال مسؤولون إن المحادثات ستستأنف الأسبوع المقبل.")
    assert r.body.startswith("قال مسؤولون") and r.byline == "رويترز" and r.dateline == "واشنطن"


def test_credit_lines_and_disclaimer():  # Asharq Al-Awsat / Al Arabiya / Okaz style
    body = "\n".join([P1, P2, "*نقلاً عن صحيفة محلية", "** جميع المقالات المنشورة تمثل رأي كتابها فقط.",
                      "writer@example.com"])
    r = clean_article("عنوان", body)
    assert r.body == P1 + "\n" + P2
    assert reasons(r) == {3: "byline", 4: "disclaimer", 5: "byline"}
    assert "writer@example.com" in r.byline


def test_crossheads_lists_and_verse_are_kept():  # Al Watan / Asharq Al-Awsat / Al Riyadh style
    verse = ["بيت أول من القصيدة هنا", "وشطر ثان يكمل المعنى", "بيت ثالث من القصيدة كذلك", "وشطر رابع يختم البيت"]
    body = "\n".join([P1, "خطوات استباقية", P2, "* قدرات المخ", P3, "ومما قاله الشاعر في ذلك:", *verse, P1 + " ثم"])
    r = clean_article("عنوان", body)
    assert r.removed == []


def test_untriggered_related_headlines_run():  # BBC Arabic: links pasted with no "read also" line
    heads = ["دخول مساعدات إلى المنطقة رغم استمرار القتال", "آخر تشكيلات المعارضة في الشمال",
             "وزير: البلاد تخلصت من الترسانة", "من هم المقاتلون الأجانب في البلاد؟"]
    r = clean_article("عنوان", "\n".join([P1, *heads, P2]))
    assert r.body == P1 + "\n" + P2


def test_repeated_lead_paragraph_and_title():
    r = clean_article("عنوان الخبر", "\n".join(["عنوان الخبر", P1, P2, P1]))
    assert reasons(r) == {1: "repeated-title", 4: "repeated-paragraph"}


def test_a_title_repeated_twice_at_the_top_goes_both_times_and_cleaning_stays_idempotent():
    r = clean_article("عنوان الخبر", "\n".join(["عنوان الخبر", "عنوان الخبر", P1]))
    assert reasons(r) == {1: "repeated-title", 2: "repeated-title"} and r.body == P1
    again = clean_article(None, "\n".join([r.title, r.body]))
    assert again.body == r.body  # hypothesis found title '0', body '0\r0': the second copy survived, then went


def test_html_escaped_title_and_entities():
    r = clean_article("ارتفاع &quot;فلكي&quot; للأسعار", "نص &amp; <b>مهم</b> هنا وهناك.")
    assert r.title == 'ارتفاع "فلكي" للأسعار' and r.body == "نص & مهم هنا وهناك."
    assert clean_article("&amp;quot;x&amp;quot;", P1).title == '"x"'


def test_missing_title_from_first_line_and_short_body():
    r = clean_article("", "\n  السطر الأول عنوان\nنص قصير.")
    assert r.title == "السطر الأول عنوان" and r.body == "نص قصير." and "short-body" in r.flags


def test_empty_and_odd_inputs():
    for body in ["", "\n\n", "\x00", "\u2028\u2029", "-----", "<p></p>"]:
        r = clean_article(None, body)
        assert isinstance(r.body, str)


def test_sentences_and_paragraph_offsets():
    r = clean_article("عنوان", "الجملة الأولى انتهت. والثانية؟ نعم! قال د. أحمد إن النسبة 1.5 بالمئة.\n" + P2)
    got = [r.body[s.start:s.end] for s in r.sentences]
    assert got == ["الجملة الأولى انتهت.", "والثانية؟", "نعم!", "قال د. أحمد إن النسبة 1.5 بالمئة.", P2]
    assert [r.body[p.start:p.end] for p in r.paragraphs] == r.body.split("\n")


def test_section_break_with_crosshead_is_kept():  # Al Jazirah style "* *" section breaks
    # a crosshead announces its section: its words recur in the article (a foreign headline's do not, see
    # test_clean_headlines.py)
    body = "\n".join([P1, "* *", "اللجنة المختصة والخطة الجديدة", P2, "* *", "جلسات الأسبوع القادم:", "- بند أول في القائمة",
                      "- بند ثان في القائمة"])
    r = clean_article("عنوان", body)
    assert [x.reason for x in r.removed] == ["separator", "separator"]


def test_bare_year_crosshead_is_not_a_timestamp():  # Sky News Arabia style "1998" crossheads
    r = clean_article("عنوان", "\n".join([P1, "1998", P2, "2002", P3]))
    assert r.removed == []


def test_lead_caption_and_trailing_signature():  # Al Jazirah photo caption first; Okaz signature last
    r = clean_article("عنوان", "\n".join(["من اللقاء", P1 + " " + P2, P3, "فلان الفلاني"]))
    assert reasons(r) == {1: "lead-caption", 4: "trailing-signature"}


def test_three_pasted_headlines_but_not_verse_or_questions():
    heads = ["ارتفاع أسعار النفط مع خفض الإنتاج", "عجز الميزانية يتراجع نتيجة ارتفاع الأسعار", "الثروات نعمة أم نقمة؟"]
    r = clean_article("عنوان", "\n".join([P1, *heads, P2]))
    assert r.body == P1 + "\n" + P2
    verse = ["ومما قاله الشاعر في ابنه الكبير", "وبيته لجيرانه يشيد على الطيب", "وللضيف يبني في طويل الرفاعه"]
    assert clean_article("عنوان", "\n".join([P1, *verse, P2])).removed == []
    questions = ["ثم كيف يستطيع الناس فعل ذلك كله", "فما العمل لتجاوز هذه المفارقة؟", "هل نأخذ تعريفا من التعاريف؟"]
    assert clean_article("عنوان", "\n".join([P1, *questions, P2])).removed == []


def test_title_repeated_later_is_kept():  # a poem whose first verse is also the title
    verse = ["بيت أول من القصيدة", "عنوان القصيدة هنا", "بيت ثالث من القصيدة"]
    r = clean_article("عنوان القصيدة هنا", "\n".join(verse))
    assert r.removed == []


def test_adversarial_inputs_stay_fast():
    import time

    cases = ["1" * 39 + "x", "1" * 30, "<!--" * 20000, "\n".join(["-", "عنوان قصير هنا"] * 5000), "كلمة " * 100000,
             "&amp;" * 20000, " ." * 50000]
    for body in cases:
        t0 = time.perf_counter()
        clean_article(None, body)
        assert time.perf_counter() - t0 < 2.0, body[:20]


def test_other_read_also_forms_and_carousel():
    body = "\n".join([P1, "اقرأ.. عنوان قصة أخرى عن الموضوع", "أيضاً.. عنوان آخر في سطر", "اقرأ المزيد", P2,
                      "Next Previous", "التالي السابق", P3])
    r = clean_article("عنوان", body)
    assert r.body == "\n".join([P1, P2, P3])
    assert reasons(r) == {2: "related-link", 3: "related-link", 4: "more-link", 6: "carousel", 7: "carousel"}


def test_names_above_or_below_the_text_go_to_byline():  # Al Jazirah / Al Watan columns, Okaz signatures
    r = clean_article("عنوان", "\n".join(["سلطان علي البلوشي", P1 + " " + P2, P3, "رامي عبدالرحمن خياط"]))
    assert reasons(r) == {1: "byline", 4: "byline"}
    assert r.byline == "سلطان علي البلوشي; رامي عبدالرحمن خياط"
    # a headline that opens with تويتر is no contact line (it is another story's headline: nlp/headlines.py)
    r = clean_article("عنوان", "\n".join([P1, "تويتر يحظر حساب المذيع المعروف نهائيا", P2, "للتواصل: فاكس 123"]))
    assert reasons(r) == {2: "related-headline", 4: "byline"} and r.byline == "للتواصل: فاكس 123"
