"""Related headlines of other stories in the four layouts news sites use, and what must not be taken for one:
crossheads, questions, verse, quoted lines (synthetic strings; no article text is copied here)."""
from __future__ import annotations

from nlp.clean import clean_article
from nlp.headlines import OFF, RecentTitles, headline_shaped, title_key

from tests.unit.test_clean import P1, P2, P3, reasons  # the clean tests' paragraphs and removal reasons

H1 = "«نادي الهلال» يتعاقد مع مدرب برتغالي لموسمين مقبلين"
H2 = "ارتفاع أسعار الذهب في الأسواق العالمية بعد قرار الفيدرالي"


def test_marker_family_opens_a_block():
    for marker in ["مواضيع ذات صلة", "مقالات ذات صلة", "أخبار ذات صلة", "شاهد أيضا", "طالع أيضاً:", "اقرأ أيضا",
                   "المزيد من الأخبار"]:
        r = clean_article("عنوان", "\n".join([P1, marker, H1, H2, P2]))
        assert r.body == P1 + "\n" + P2, marker
        assert reasons(r) == {2: "related-link", 3: "related-headline", 4: "related-headline"}, marker


def test_separator_then_one_headline_then_the_next_paragraph():
    r = clean_article("عنوان", "\n".join([P1, "-", H1, P2, P3]))
    assert r.body == "\n".join([P1, P2, P3])
    assert reasons(r) == {2: "separator", 3: "related-headline"}


def test_bare_headline_between_two_paragraphs():
    r = clean_article("عنوان", "\n".join([P1, H2, P2, P3]))
    assert r.body == "\n".join([P1, P2, P3]) and reasons(r) == {2: "related-headline"}
    # the thresholds are parameters: without the untriggered rules the line stays
    assert clean_article("عنوان", "\n".join([P1, H2, P2, P3]), params=OFF).removed == []


def test_crossheads_questions_and_quotations_between_paragraphs_are_kept():
    crosshead = "خطة شاملة لتطوير البنية التحتية في المدن"   # its words are the section's
    question = "كيف تشكل؟ أين مركزه؟ من يمثله إذا أردنا التحدث معه؟"   # several sentences on one line
    quotation = "«سنعلن القرار النهائي خلال الأيام المقبلة بعد المشاورات»"
    continued = "كما أعلنت الوزارة عن برنامج جديد للمدارس الحكومية"
    for line in [crosshead, question, quotation, continued]:
        r = clean_article("عنوان", "\n".join([P1, line, P3, P2]))
        assert r.removed == [], line


def test_a_line_equal_to_a_recent_title_of_the_source_is_a_related_headline():
    memory = RecentTitles(per_source=10)
    memory.add("desk", "رحلة قصيرة", 0.0)     # fewer than 3 words: too common a phrase to match on
    memory.add("desk", "الوزير يزور المدينة", 1.0)
    body = "\n".join([P1, "الوزير يزور المدينة", "رحلة قصيرة", P2])
    r = clean_article("عنوان", body, memory.known("desk"))
    assert reasons(r) == {2: "related-headline"}
    assert clean_article("عنوان", body, memory.known("other")).removed == []   # per source
    # the article's own title, seen before (a new version of the same article), is not a related headline
    own = clean_article("الوزير يزور المدينة", "\n".join([P1, P2, "الوزير يزور المدينة", P3]), memory.known("desk"))
    assert own.removed == []


def test_recent_titles_are_bounded_in_size_and_time():
    memory = RecentTitles(per_source=2, horizon_s=100.0, sources=2)
    for i, t in enumerate(["عنوان الخبر الأول هنا", "عنوان الخبر الثاني هنا", "عنوان الخبر الثالث هنا"]):
        memory.add("a", t, float(i))
    assert title_key("عنوان الخبر الأول هنا") not in memory.known("a") and len(memory.known("a")) == 2
    assert title_key("عنوان الخبر الثالث هنا") in memory.known("a", now_s=50.0)
    assert len(memory.known("a", now_s=1000.0)) == 0
    memory.add("b", "عنوان من مصدر ثان", 0.0)
    memory.add("c", "عنوان من مصدر ثالث", 0.0)
    assert len(memory.known("a")) == 0 and len(memory) == 2   # the least recently seen source went first


def test_headline_shape():
    assert headline_shaped(H1, len(H1.split()), 3, 25)
    assert headline_shaped("من سيفوز.. النصر أم الهلال؟", 5, 3, 25)
    assert not headline_shaped(P1, len(P1.split()), 3, 25)                     # ends like a sentence
    assert not headline_shaped("وقال المسؤول إن اللجنة ستجتمع", 5, 3, 25)      # a continued sentence
    assert not headline_shaped("- بند أول في القائمة", 5, 3, 25)               # a list item


def test_headline_shape_of_numbers_verse_and_reported_speech():
    assert headline_shaped("99.5 % من الناخبين يشاركون في الاقتراع", 7, 3, 25)     # a decimal, not a list item
    assert headline_shaped("ومضى أحد حماة العربية..!!", 5, 3, 25)                 # `..!!` ends a title
    assert not headline_shaped("ودعت على أبواب المدينة / وسرت في ليل طويل", 10, 3, 25)   # a verse
    assert not headline_shaped("وأضاف: الاجتماع انتهى دون اتفاق", 5, 3, 25)         # reported speech


P4 = "وأشار التقرير إلى أن المشروع سيوفر آلاف الوظائف للشباب خلال السنوات الخمس المقبلة في مختلف القطاعات."


def test_the_words_of_the_lines_around_a_headline_decide_not_the_whole_article():
    # the headline's words recur far away in the article (the last paragraph), not in the lines around it
    headline = "ارتفاع أسعار الذهب في الأسواق العالمية"
    far = "وتراجعت أسعار الذهب في الأسواق العالمية أمس بعد ارتفاع قياسي خلال الأسبوع الماضي."
    body = "\n".join([P1, P2, headline, P3, P4, far])
    r = clean_article("عنوان", body)
    assert reasons(r) == {3: "related-headline"}
    # a crosshead heads the section under it: its words are in the next paragraph, and it stays
    crosshead = "الوظائف للشباب في المشروع"
    assert clean_article("عنوان", "\n".join([P1, P2, crosshead, P4, P3])).removed == []


def test_a_headline_after_a_separator_at_the_end_of_the_body():
    r = clean_article("عنوان", "\n".join([P1, P2, "-", H2]))
    assert r.body == P1 + "\n" + P2 and reasons(r) == {3: "separator", 4: "related-headline"}


def test_an_interviews_questions_stay_between_its_answers():
    q = ["ما هي أولويات الوزارة في المرحلة المقبلة؟", "كيف تتعاملون مع نقص الكوادر المؤهلة؟",
         "هل هناك خطة لتطوير البنية التحتية؟"]
    body = "\n".join([P1, q[0], P2, q[1], P3, q[2], P4])
    assert clean_article("عنوان", body).removed == []


def test_function_words_numbers_and_the_calendar_are_not_shared_content():
    from nlp.headlines import content_words
    assert content_words(title_key("أطرف صور شهر يوليو 2015")) == {"اطرف", "صور"}
    assert content_words(title_key("الانضمام إلى الاتفاق على التبغ")) == {"انضمام", "اتفاق", "تبغ"}
    # a headline sharing only `على`, `خلال` and a month with the next paragraph is another story's
    headline = "أطرف صور المسابقة على الشاطئ خلال يوليو"
    other = "وقال المنظمون إن الحفل أقيم على مدى يومين خلال يوليو الماضي بمشاركة واسعة من الجمهور والزوار."
    assert reasons(clean_article("عنوان", "\n".join([P1, headline, other, P3]))) == {2: "related-headline"}
    # sharing two content words (المسابقة, الشاطئ) with the paragraph it heads, it is a crosshead
    own = "وقال المنظمون إن المسابقة أقيمت على الشاطئ يومين خلال يوليو الماضي بمشاركة واسعة من الجمهور."
    assert clean_article("عنوان", "\n".join([P1, headline, own, P3])).removed == []


def test_an_unbulleted_line_between_bulleted_paragraphs_is_a_related_headline():
    b1 = "* " + P1
    b2 = "* وأكد المصدر أن الاجتماع المقبل سيبحث الخطة الجديدة للمشروع وآليات تنفيذها في المدن والمحافظات."
    r = clean_article("موجز", "\n".join([b1, "* عنوان فرعي قصير للموجز", H2, b2]))
    assert reasons(r) == {3: "related-headline"}
    # a bulleted line between them is the page's own
    assert clean_article("موجز", "\n".join([b1, "* عنوان فرعي قصير للموجز", "* " + H2, b2])).removed == []


def test_an_authors_chain_of_questions_next_to_a_headline_is_not_a_block_of_links():
    qs = ["ثم كيف يعمل الباحثون في الميدان، وهم لا يعرفون حدوده؟!", "فما العمل لتجاوز هذه المفارقة؟",
          "هل نأخذ تعريفا واحدا ثم ننظر في مدى قدرته على ضبط المشترك؟"]
    r = clean_article("عنوان", "\n".join([P1, qs[0], qs[1], H2, qs[2], P3]))
    assert all(q in r.body for q in qs)
    # four headlines in a row between two paragraphs are still links
    r = clean_article("عنوان", "\n".join([P1, H1, H2, "تراجع أسعار النفط في ختام التداولات", "افتتاح معرض الكتاب الدولي", P3]))
    assert r.body == P1 + "\n" + P3


def test_a_question_word_opens_a_question_and_written_speech_is_not_a_headline():
    assert not headline_shaped("وكتبت تقول إن الاجتماع انتهى", 5, 3, 25)
    # a line opening with هل is a question even when it ends in `!`: with the interview's other questions it stays
    q = ["ما هي أولويات الوزارة في المرحلة المقبلة؟", "كيف تتعاملون مع نقص الكوادر المؤهلة؟",
         "هل ستتغير المواقع بين المدافعين والمهاجمين!"]
    assert clean_article("عنوان", "\n".join([P1, q[0], P2, q[1], P3, q[2], P4])).removed == []


def test_a_short_quoted_title_is_a_candidate_and_a_quoted_sentence_is_not():
    r = clean_article("عنوان", "\n".join([P1, "«انتبه أنت مسحور»!", P3, P2]))
    assert reasons(r) == {2: "related-headline"}
    # a short quotation of the article's own words must pass the whole article's test too: it stays
    assert clean_article("عنوان", "\n".join([P1, "«القرار النهائي خلال الأيام المقبلة»", P3, P2])).removed == []
    # a longer one is the author's quoted speech, whatever its words
    assert clean_article("عنوان", "\n".join([P1, "«انتبه أنت مسحور في هذه الليلة الطويلة جدا»", P3, P2])).removed == []


def test_one_letter_prefixes_are_off_the_content_stems():
    from nlp.headlines import content_words
    assert content_words(title_key("بمقتل وتطلب لزيادة")) == content_words(title_key("مقتل تطلب زيادة"))


def test_a_chain_of_ellipses_is_the_authors_not_a_title():
    assert not headline_shaped("فترك لنا.. كل شيء.. وأخذ معه كل شيء..!", 8, 3, 25)
    assert headline_shaped("مباراة السوبر.. سياحة وتشجيع..!!", 4, 3, 25)   # one join, then the end
    line = "فمضى بنا.. إلى كل مكان.. وعاد وحده..!"
    assert clean_article("عنوان", "\n".join([P1, line, P3, P2])).removed == []
    assert headline_shaped("جعجع.. مشعل.. عدن: الرياض تتأهب", 5, 3, 25)   # a title listing names


def test_a_headline_under_the_opening_photo_caption_is_a_related_headline():
    # the body opens with a caption (a name under a picture), then another story's headline, then the article
    caption = "الوزير أحمد سالم"
    article = [caption, "قال الوزير أحمد سالم إن " + P1.split(" ", 2)[2], P2]
    body = "\n".join(article[:1] + [H2] + article[1:])
    r = clean_article("عنوان", body)
    assert reasons(r)[2] == "related-headline"
    assert r.body == clean_article("عنوان", "\n".join(article)).body   # as if it had never been pasted there
    r = clean_article("عنوان", body.replace(H2, "-\n" + H2))
    assert reasons(r)[3] == "related-headline" and H2 not in r.body
    # a subtitle of the article in that place shares its words, and stays
    deck = "الحكومة تعلن القرار النهائي بعد مشاورات مع الأطراف"
    assert clean_article("عنوان", body.replace(H2, deck)).removed == []
    # the first line of a body, with nothing above it, is not judged by this rule
    assert clean_article("عنوان", "\n".join([H2, P1, P2])).removed == []


def test_a_two_word_name_shared_with_the_next_paragraph_counts_once():
    # another story's headline shares `الأمم المتحدة` and `الوقود` with the paragraphs around it: 3 of its 8 words
    # word by word (above the threshold), but 2 of 7 units when the name counts once
    a = "قال دبلوماسيون إن الأمم المتحدة دعت أطراف النزاع إلى استئناف المفاوضات في جنيف الأسبوع المقبل دون شروط مسبقة."
    b = ("وأوضح المبعوث الأممي أن الأمم المتحدة تواصل اتصالاتها مع الحكومة والمعارضة لتأمين وصول شحنات الوقود إلى "
         "المدن.")
    c = "وكانت جولة المفاوضات السابقة قد انتهت من دون اتفاق على وقف إطلاق النار أو تبادل الأسرى بين الطرفين."
    headline = "الأمم المتحدة تحذر من مجاعة وشيكة في اليمن بسبب نقص الوقود"
    r = clean_article("عنوان", "\n".join([a, b, headline, c]))
    assert reasons(r) == {3: "related-headline"} and r.body == "\n".join([a, b, c])
    # the section's crosshead shares the name and its subject: it stays
    assert clean_article("عنوان", "\n".join([a, b, "موقف الأمم المتحدة من المفاوضات", c])).removed == []
