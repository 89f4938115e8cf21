"""Line classifiers for the cleaning stage: each looks at one display line and names the kind of boilerplate it is.

They are deliberately shape-based (only punctuation, only a date, a "read also" trigger word followed by a colon,
a tweet permalink, a copyright notice, a credit line) so that they carry over to sites never seen; the few
words they know are the generic Arabic/English vocabulary of web page furniture, not one site's strings.
Context rules (blocks after a trigger or a separator, the page footer zone, repeats) live in nlp/clean.py.
"""
from __future__ import annotations

import re

# a line made only of punctuation/symbols: -, ----, ***, * *, •, ___
SEPARATOR = re.compile(r"^[\W_]{1,200}$")
# the line ends like a finished sentence (optionally inside closing quotes/brackets)
PROSE_END = re.compile(r"[.!?؟…:؛][\"'”»)\]}]*$")
FULL_STOP_END = re.compile(r"[.…][\"'”»)\]}]*$")
ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]")
LATIN_LETTER = re.compile("[A-Za-z]")

COPYRIGHT = re.compile(r"جميع الحقوق محفوظة|حقوق (?:النشر|الطبع) محفوظة|©|all rights reserved|copyright", re.I)

# "read more" / "browse more" links: the whole line is the link text
MORE_LINK = re.compile(
    r"^(?:[.…]+\s*)?(?:تصفح|اقرأ|إقرأ|اقرا|أقرأ|للمزيد|المزيد|شاهد|read|see|more)"
    r"(?:\s+(?:المزيد|أكثر|للكاتب|more|also))?(?:\s*[.…:]+)?$",
    re.I,
)
# "اقرأ أيضاً: <headline>" / "اقرأ أيضاً:" / "شاهد: <video title>" / "اقرأ مدونة ...: ..." / "أيضاً.. <headline>"
READ_ALSO = re.compile(
    r"^(?:(?:اقرأ|إقرأ|اقرا|أقرأ|إقرا|شاهد|شاهدوا|استمع|طالع|read also|see also|related)(?:\s+[^\s:]+){0,4}?\s*:"
    r"|(?:اقرأ|إقرأ|اقرا|أقرأ)\s+(?:أيضا|أيضاً|ايضا|ايضاً|كذلك)\s*(?:[:.…]|$)"
    r"|(?:اقرأ|إقرأ|اقرا|أقرأ)\s*(?:\.\.|…)"
    r"|(?:أيضا|أيضاً|ايضا|ايضاً)\s*(?:\.\.|…|:))",
    re.I,
)
# a whole line that only announces links to other stories: "مواضيع ذات صلة", "شاهد أيضا", "المزيد من الأخبار"
_ALSO = r"(?:أيضا|أيضاً|ايضا|ايضاً|أيضًا|كذلك)"
RELATED_MARKER = re.compile(
    r"^(?:(?:مواضيع|موضوعات|مقالات|أخبار|اخبار|روابط|قصص|تقارير|عناوين)\s+(?:أخرى\s+)?(?:ذات\s+صلة|متعلقة|مرتبطة|مشابهة)"
    rf"|ذات\s+صلة|(?:شاهد|شاهدوا|طالع|طالعوا|تابع|اقرأ|إقرأ|اقرا|أقرأ|إقرا)\s+{_ALSO}|قد\s+يهمك(?:\s+{_ALSO})?"
    r"|المزيد(?:\s+من\s+\S+){1,2}|الأكثر\s+(?:قراءة|مشاهدة)|related(?:\s+(?:articles|stories|news))?"
    r"|(?:read|see)\s+(?:also|more))\s*[:.…]*$",
    re.I,
)
# the tweet permalink or the signature line of an embedded tweet
TWEET = re.compile(
    r"pic\.twitter\.com/\w+|twitter\.com/\w+/status/\d+"
    r"|[—–-]\s*[^()\n]{1,60}\(@\w{1,20}\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$"
)
HASHTAG_OR_LINK = re.compile(r"(?:^|\s)[#@][\w_]+|https?://")

_MONTHS = (
    "يناير|فبراير|مارس|أبريل|ابريل|إبريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر|"
    "كانون الثاني|كانون الأول|كانون الاول|شباط|آذار|اذار|نيسان|أيار|ايار|حزيران|تموز|آب|اب|أيلول|ايلول|"
    "تشرين الأول|تشرين الاول|تشرين اول|تشرين الثاني|تشرين ثاني|كانون اول|كانون ثاني|"
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|"
    "nov(?:ember)?|dec(?:ember)?"
)
_TIME_WORDS = "اليوم|أمس|امس|الأمس|منذ|ساعة|ساعات|ساعتين|دقيقة|دقائق|يوم|أيام|ص|م|am|pm|today|yesterday|ago"
# a line that is only a date and/or time: "17 اب", "اليوم 02:38", "12/08/2015 10:30", "منذ 3 ساعات"
# each token is maximal ((?!\w) after a word, (?!\d) after a number), so a line splits into tokens one way only:
# no catastrophic backtracking on "1111…x"
TIMESTAMP = re.compile(
    rf"^(?:(?:(?:{_MONTHS}|{_TIME_WORDS})(?!\w)|\d{{1,4}}(?:[:/.\-]\d{{1,4}}){{0,2}}(?![\d]))[\s,،|\-–—]*)+$",
    re.I,
)
_DIGIT = re.compile(r"\d")
# ...but a bare number ("1998" as a crosshead) is not one: a month, a time word, hh:mm or d/m/y must be there
_DATE_EVIDENCE = re.compile(rf"(?:{_MONTHS}|{_TIME_WORDS})(?!\w)|\d:\d\d|\d[/.\-]\d{{1,2}}[/.\-]\d", re.I)
# a markdown image / bare link left by the scraper: "![image 6](http://...)", "http://example.com/x"
MEDIA_EMBED = re.compile(r"^(?:!?\[[^\]]{0,200}\]\([^)]{0,500}\)?|(?:https?://|www\.)\S+)$")
# end-of-text markers of news agencies: "انتهای پیام/", "انتهای متن/", "-انتهى-"
END_MARKER = re.compile(r"^[-–—(]*\s*(?:انتهای|انتهاي|انتهى|انتهت)(?:\s*[\u200c]?\s*(?:متن|پیام|پيام|الخبر))?\b.{0,40}$")

# credit / byline lines recognised by their content
EMAIL_ONLY = re.compile(r"^[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+$")
CREDIT_WORD = re.compile(
    r"^(?:بقلم|كتب|كتبت|كتبه|إعداد|اعداد|تصوير|شعر|تحرير|ترجمة|تقرير|حوار|متابعة|نويسنده|نویسنده|by|reporting by|"
    r"written by)"
    r"\s*[:\-–—]\s*\S",
    re.I,
)
STARRED_CREDIT = re.compile(
    r"^\*+\s*(?:خدمة|نقلا|نقلاً|نقلاُ|نقلًا|وحدة|كاتب|كاتبة|روائي|روائية|استشاري|استشارية|أستاذ|أستاذة|باحث|باحثة|"
    r"محلل|محللة|مستشار|مستشارة|صحفي|صحفية|صحافي|صحافية|إعلامي|إعلامية|أكاديمي|أكاديمية|رئيس|مدير|عضو|خبير|خبيرة)"
)
CONTACT = re.compile(r"^(?:للتواصل|(?:تويتر|twitter|فاكس|البريد الإلكتروني|e-?mail)\s*[:：@(])", re.I)
# "** جميع المقالات المنشورة تمثل رأي كتابها فقط" and similar opinion-page notes
DISCLAIMER = re.compile(r"^\*.*(?:تمثل رأي|تعبر عن رأي|لا تعبر|لا تعكس|رأي كاتب|آراء كتاب|views expressed)")

CAROUSEL_WORDS = {"next", "previous", "prev", "التالي", "السابق", "التالى", "«", "»", "‹", "›", "<", ">"}

# byline + dateline prefix of a first paragraph: "سلطان السلمي- سبق- جدة: ...", "سبق- الرياض: ..."
_SEG = r"[^\s\d:.،,؛\-–—()]+(?:\s+[^\s\d:.،,؛\-–—()]+){0,3}"
DASHED_PREFIX = re.compile(rf"^(?P<by>{_SEG}(?:\s*[-–—]\s*{_SEG}){{0,2}}?)\s*[-–—]\s*(?P<place>{_SEG})\s*:\s*(?=\S)")
# "(CNN)-- ...", "واشنطن (رويترز) - ...", "لندن - (د ب أ) - ..."
AGENCY_PREFIX = re.compile(
    rf"^(?:(?P<place>{_SEG})\s*[-–—]?\s*)?\((?P<agency>[^()\d]{{2,25}})\)\s*(?:[-–—]{{1,2}}|:)\s*(?=\S)"
)


# common Arabic given names and name/title openers: a short line starting with one is a person's name (a byline),
# not a photo caption. A small linguistic list, not a site's strings.
_GIVEN_NAMES = set(
    "محمد أحمد احمد علي عبدالله عبد خالد فهد سلطان سلمان سعود سعد فيصل ناصر منصور مشعل عمر عثمان يوسف إبراهيم ابراهيم "
    "حسن حسين حمد حمود صالح سليمان عادل طارق ماجد بندر تركي نايف نواف راشد زياد سامي سامر هاني وليد ياسر يحيى إسماعيل "
    "مصطفى محمود عمرو كمال جمال رامي أيمن ايمن منذر مازن هشام عماد عصام بسام جاسم مبارك عبدالعزيز عبدالرحمن عبدالمطلوب "
    "عبدالغني عبدالحكيم عبدالكريم عبداللطيف عبدالمحسن فاطمة عائشة مريم نورة نوره سارة ساره هند هدى منى ليلى أمل ريم "
    "دانة لطيفة بدرية حصة خلود ندى رنا سلوى إيمان ايمان".split()
)
_NAME_OPENER = re.compile(r"^(?:د\.|م\.|أ\.|د |الدكتور|الدكتورة|الأستاذ|الأستاذة|أبو|ابو|أم|بقلم)\s*")


def looks_like_name(line: str) -> bool:
    """2-5 words that open with a title (د.) or a common given name: `سلطان علي البلوشي`, `د. بندر آل جلالة`."""
    text = line.strip("-—–*() ")
    words = text.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in text):
        return False
    return bool(_NAME_OPENER.match(text)) or words[0] in _GIVEN_NAMES or words[0].startswith(("عبد", "أبو"))


def word_count(line: str) -> int:
    return len(line.split())


def is_timestamp(line: str) -> bool:
    return (len(line) <= 40 and bool(_DIGIT.search(line)) and bool(TIMESTAMP.match(line))
            and bool(_DATE_EVIDENCE.search(line)))


def is_carousel(line: str) -> bool:
    words = line.lower().split()
    return bool(words) and all(w in CAROUSEL_WORDS for w in words) and any(len(w) > 1 for w in words)


def line_reason(line: str, n: int | None = None) -> str | None:
    """The boilerplate kind of one display line on its own, or None when it may be article text."""
    if n is None:
        n = word_count(line)
    if n > 30:  # every rule below is for short lines, except a symbols-only line or a tweet permalink
        if "twitter.com" in line and TWEET.search(line):
            return "embedded-tweet"
        return "separator" if SEPARATOR.match(line) else None
    if SEPARATOR.match(line):
        return "separator"
    if "twitter.com" in line or "(@" in line:
        if TWEET.search(line):
            return "embedded-tweet"
    if n <= 15 and COPYRIGHT.search(line):
        return "footer-copyright"
    if n <= 4 and MORE_LINK.match(line):
        return "more-link"
    if n <= 30 and READ_ALSO.match(line) or n <= 5 and RELATED_MARKER.match(line):
        return "related-link"
    if is_timestamp(line):
        return "widget-timestamp"
    if n <= 3 and MEDIA_EMBED.match(line):
        return "media-embed"
    if n <= 8 and END_MARKER.match(line):
        return "end-marker"
    if n <= 4 and is_carousel(line):
        return "carousel"
    if n <= 25 and DISCLAIMER.match(line):
        return "disclaimer"
    return None


def credit_reason(line: str, n: int | None = None) -> bool:
    """True when the whole line is a byline/credit: an e-mail, `بقلم: X`, `* خدمة «...»`, contact details.
    `n`: the line's word count, when the caller has it."""
    if n is None:
        n = word_count(line)
    if n <= 2 and EMAIL_ONLY.match(line):
        return True
    if n <= 7 and not FULL_STOP_END.search(line) and (CREDIT_WORD.match(line) or CONTACT.match(line)):
        return True
    return n <= 8 and bool(STARRED_CREDIT.match(line))


def opens_block(line: str) -> bool:
    """A "read also:" trigger with nothing after it: the headlines of other stories follow on their own lines."""
    if RELATED_MARKER.match(line):
        return True
    m = READ_ALSO.match(line)
    return bool(m) and not line[m.end():].strip(" :.…")


def is_headline_like(line: str, max_words: int = 25, n: int | None = None) -> bool:
    """Short and not ending like a sentence (headlines may end in ? or !, rarely in a full stop or colon).
    `n`: the line's word count, when the caller has it."""
    return ((word_count(line) if n is None else n) <= max_words and not FULL_STOP_END.search(line)
            and not line.endswith((":", "؛")))
