"""Related headlines without a trigger line: the signals, their thresholds, and the memory of recent titles.

A headline of another story pasted into a body (after a lone separator, or bare between two paragraphs) is told
from the author's crossheads by signals no single site's markup decides:
  - shape: a short line (`min_words`..`max_words`) with no sentence-final punctuation, not opening like a
    continued sentence (`وقال`, `كما`, `لكن`, ...), not a quotation, not a list item;
  - position: right after a separator line and before a paragraph, or between two paragraphs of prose;
  - vocabulary: a crosshead announces the section it heads, so most of its words recur in the article; the
    headline of another story shares few (`overlap` <= `max_overlap`), a two-word name it shares counting once;
  - memory: a line equal (after the dedup normalization) to a title the same source published recently.
The thresholds are data (`HeadlineParams`), chosen by a leave-one-site-out evaluation
(bench/clean_headlines_eval.py); the defaults below are its choice on all sites (eleven of the twelve folds chose the same). Pure: no I/O, no Kafka;
the memory is an object the caller owns and passes in.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Container, Iterable, MutableMapping

# the dedup normalization (diacritics/tatweel dropped, alef/ya/teh marbuta folded), shared with nlp/clean.py
# (`[…][…]*` rather than `[…]+`: the same matches, found faster, see nlp/segment.py)
_FOLD_DROP = re.compile("[\u064b-\u0652\u0670\u0640][\u064b-\u0652\u0670\u0640]*")
_STRIP = " .،,:;؛!?؟\"'«»“”()[]-–—…"


def title_key(text: str) -> str:
    """The key two lines are compared on: the matching-text folds that matter for a repeat, done cheaply."""
    if not text.isascii():
        text = _FOLD_DROP.sub("", text)
        text = text.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ى", "ي").replace("ة", "ه")
    return text.lower().strip(" .،")


@dataclass(frozen=True, slots=True)
class HeadlineParams:
    """Thresholds of the untriggered headline rules. `enabled=False` gives the cleaner without them."""
    bare_min_words: int = 3      # a bare line between two paragraphs: at least this many words
    sep_min_words: int = 1       # a single line after a separator, before a paragraph: at least this many words
    max_words: int = 20
    max_overlap: float = 0.34    # at most this share of its words may recur in its context (below)
    window: int = 1              # the context: the title and the `window` kept lines either side; 0: the article
    short_words: int = 4         # with a window, a line shorter than this must pass the whole article's test too
    article_slack: float = 1.0   # with a window, any line's share in the whole article may exceed max_overlap by this
    enabled: bool = True


DEFAULT = HeadlineParams()
OFF = HeadlineParams(enabled=False)

# a line opening like a continued sentence is prose: a connective, or a reporting verb (with or without و/ف)
_CONTINUATION = re.compile(
    r"^(?:(?:و|ف)?(?:قال|قالت|أضاف|أضافت|أكد|أكدت|أشار|أشارت|أوضح|أوضحت|تابع|تابعت|لفت|لفتت|اعتبر|اعتبرت|"
    r"يقول|تقول|يضيف|تضيف|يشير|تشير|يذكر|ذكر|ذكرت|كتب|كتبت)|(?:و|ف)(?:كان|كانت|قد|لم|لن|لا|هو|هي|هذا|هذه|في|من|على|إن|"
    r"أن|إذ|ما|بعد|قبل|منذ|مع)|كما|حيث|بينما|ثم|لكن|لكنه|لكنها|ولكن|بل|أما|إذ|إن|لذلك|لذا|وبالتالي|وأخيرا)(?=[\s:،,]|$)"
)
# a verse line: two hemistichs split by a spaced slash
_VERSE = re.compile(r"\S\s+/\s+\S")
# a whole-line quotation: opens with a quote mark that closes only at the end. A longer one is the author's
# quoted speech; a short one (`«انتبه أنت مسحور»!`) may be a title, and must then pass every vocabulary test
_QUOTATION = re.compile(r"^[«\"“„'‘][^«»\"“”„'‘]*[»\"”'’][.!?؟…]*$")
QUOTE_MAX_WORDS = 6


def is_quotation(text: str) -> bool:
    return bool(_QUOTATION.match(text))
# a list item's opening (a bullet, `1.`, `2)`, `a)`), but not a decimal number (`99.97 % من ...`)
_LIST_START = re.compile(r"^(?:[-–—_•*·▪●◦+]|\(?\d{1,3}\s*[-.)/:](?!\d)|\(?[a-zأ-ي][).])")
# a sentence's end: a stop, comma or colon, or a single full stop before ! or ? (`..!!` and `…!` end titles)
_NOT_HEADLINE_END = re.compile(r"(?:[.…:؛،,]|(?<![.])\.[!?؟]+)[\"'”»)\]}]*$")
# two sentences on one line: a single full stop, or a ? or !, followed by more words (`..` joins title parts),
# or a semicolon
_INNER_END = re.compile(r"(?<![.])[.](?![.])\s+\S|[?؟!]\s+\S|؛")
# an author's chain of ellipses: three parts joined by `..`, the first two of 2+ words each (a title joins two
# parts with one, or lists names: `جعجع.. مشعل.. عدن`; 5 of the 2,380 titles of the news data hold two joins)
_ELLIPSIS = re.compile(r"(?<![.])[.]{2}(?![.])")
_PUNCT_ONLY = re.compile(r"^[\s.!?؟]*$")


def _ellipsis_chain(text: str) -> bool:
    if text.count("..") < 2:
        return False
    parts = [p for p in _ELLIPSIS.split(text) if not _PUNCT_ONLY.match(p)]
    return len(parts) >= 3 and len(parts[0].split()) >= 2 and len(parts[1].split()) >= 2
_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")


def headline_shaped(text: str, words: int, min_words: int, max_words: int) -> bool:
    """Headline shape: min..max words, no sentence-final punctuation (a headline may end in ? or !), not two
    sentences, not a continued sentence (`وأضاف:` too), a whole-line quotation of more than `QUOTE_MAX_WORDS`
    words, a list item, a verse or a chain of ellipses (`لنا.. كل شيء.. وأخذ`)."""
    return (min_words <= words <= max_words and not _NOT_HEADLINE_END.search(text) and not _INNER_END.search(text)
            and not (words > QUOTE_MAX_WORDS and _QUOTATION.match(text)) and not _LIST_START.match(text)
            and not _CONTINUATION.match(text) and not _VERSE.search(text) and not _ellipsis_chain(text))


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A folded word's content stem (article/conjunction prefix, plural/pronoun/teh-marbuta suffix off), or ""
    when it is shorter than 3 letters: `البالغة` and `البالغ` give one stem. Cached: words repeat."""
    w = word.strip(_STRIP)
    for p in _PREFIXES:
        if w.startswith(p) and len(w) - len(p) >= 3:
            w = w[len(p):]
            break
    else:   # a one-letter conjunction or preposition (`وتطلب`, `بمقتل`, `لزيادة`), when 4 letters remain
        if len(w) >= 5 and w[0] in "وبلفك":
            w = w[1:]
    if len(w) >= 5 and w.endswith(("ات", "ون", "ين", "ها")):
        w = w[:-2]
    elif len(w) >= 4 and w.endswith("ه"):
        w = w[:-1]
    return w if len(w) >= 3 else ""


# words of three letters or more that carry no story: prepositions, pronouns, auxiliaries, question words, and the
# calendar (a headline and a paragraph sharing `على` or `شهر` or `2015` share no subject). Folded like title keys.
_FUNCTION_WORDS = (
    "على إلى عن علي الي حتى غير عند لدى منذ خلال بعد قبل حول ضد دون عبر نحو تحت فوق أمام وراء بين بسبب ضمن "
    "هذا هذه ذلك تلك هؤلاء هذان هاتان الذي التي الذين اللذين اللتين اللواتي هو هي هم هما هن نحن أنت "
    "كان كانت كانوا يكون تكون يكونون أصبح أصبحت ليس ليست لست أن إن أنه أنها إنه إنها لكن لكنه لكنها ولكن "
    "كل كلا بعض أي أيضا أيضاً جميع عدة مثل هناك هنا حيث كما لقد قد سوف لم لن ما ماذا لماذا كيف متى أين هل "
    "عام العام سنة السنة يوم اليوم أمس غدا شهر الشهر أسبوع الأسبوع الماضي المقبل الجاري الحالي "
    "يناير فبراير مارس أبريل إبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر كانون شباط آذار نيسان "
    "أيار حزيران تموز آب أيلول تشرين"
)
STOP_STEMS = frozenset()   # filled below, once _stem is defined


@lru_cache(maxsize=1 << 16)
def _content_stem(word: str) -> str:
    """`_stem(word)`, or "" for a function word (`STOP_STEMS`) or a bare number. Cached: words repeat."""
    w = _stem(word)
    return w if w and w not in STOP_STEMS and not w.isdigit() else ""


def content_words(key: str) -> set[str]:
    """The distinct content stems of a line's title key (`title_key(line)`): no function word (`STOP_STEMS`),
    no bare number."""
    words = set(map(_content_stem, key.split()))
    words.discard("")
    return words


STOP_STEMS = frozenset(filter(None, (_stem(w) for w in title_key(_FUNCTION_WORDS).split())))


def name_pairs(key: str) -> set[tuple[str, str]]:
    """The adjacent pairs of content stems of a line's title key (a function word or a number between two words
    breaks the pair): the two-word names (`حزب الله`, `الأمم المتحدة`) a line may share with another."""
    seq = list(map(_content_stem, key.split()))
    return {(a, b) for a, b in zip(seq, seq[1:]) if a and b and a != b}


def _unit_share(shared: int, words: int, merged: int) -> float:
    """A share in which a name of several words, shared as a whole, is one shared unit: each of the `merged`
    pairs found side by side in the other line(s) too joins two units into one."""
    return max(0, shared - merged) / (words - merged) if words > merged else 1.0


def overlap(words: set[str], counts: dict[str, int], pairs: set = frozenset(),
            pair_counts: dict | None = None) -> float:
    """The share of a line's content stems that occur elsewhere in the article. `counts`: per stem, the number
    of the article's lines (its title included) that hold it, this line included. With `pairs` (`name_pairs`)
    and their `pair_counts`, a name the line shares with another line counts once."""
    if not words:
        return 1.0
    shared = sum(counts.get(w, 0) > 1 for w in words)
    merged = sum(pair_counts.get(p, 0) > 1 for p in pairs) if pair_counts else 0
    return _unit_share(shared, len(words), merged)


def share_in(words: set[str], context: set[str], pairs: set = frozenset(), context_pairs: set = frozenset()) -> float:
    """The share of a line's content stems found in `context` (1.0 for a line without any); a pair of `pairs`
    found in `context_pairs` too is one unit (see `overlap`)."""
    if not words:
        return 1.0
    return _unit_share(sum(w in context for w in words), len(words), len(pairs & context_pairs))


TITLE_MAX_WORDS = 30            # a body line longer than this is never looked up in the memory (a paragraph)
TITLES_PER_SOURCE = 2000        # the memory of recent titles keeps at most this many per source (and partition)
TITLES_HORIZON_S = 7 * 86400    # ... and forgets a title this long after it was seen (event time)
TITLES_GRACE_S = 3600           # the stream keeps a title this much longer than it uses it (redeliveries)


class RecentTitles:
    """The titles each source published recently, bounded in size (`per_source` titles per source, `sources`
    sources, least recently seen first out) and in time (`horizon_s` seconds). The caller owns it: `akhbar
    process` keeps one over the run; the cleaner only reads `known(source)`."""

    def __init__(self, per_source: int = TITLES_PER_SOURCE, horizon_s: float = TITLES_HORIZON_S,
                 sources: int = 1000) -> None:
        self.per_source, self.horizon_s, self.max_sources = per_source, horizon_s, sources
        self._by_source: OrderedDict[str, OrderedDict[str, float]] = OrderedDict()

    def add(self, source: str | None, title: str | None, at_s: float) -> None:
        key = title_key(title or "")
        if len(key.split()) < 3:
            return
        titles = self._by_source.get(source or "")
        if titles is None:
            titles = self._by_source[source or ""] = OrderedDict()
            while len(self._by_source) > self.max_sources:
                self._by_source.popitem(last=False)
        self._by_source.move_to_end(source or "")
        titles[key] = at_s
        titles.move_to_end(key)
        while len(titles) > self.per_source:
            titles.popitem(last=False)
        self._expire(titles, at_s)

    def known(self, source: str | None, now_s: float | None = None) -> Container[str]:
        """The title keys of `source` (expired ones dropped first when `now_s` is given)."""
        titles = self._by_source.get(source or "")
        if titles is None:
            return ()
        if now_s is not None:
            self._expire(titles, now_s)
        return titles

    def _expire(self, titles: OrderedDict[str, float], now_s: float) -> None:
        while titles:
            key, at = next(iter(titles.items()))
            if now_s - at <= self.horizon_s:
                break
            del titles[key]

    def __len__(self) -> int:
        return sum(len(t) for t in self._by_source.values())


# --- the same memory in the stream: entries of a changelog-backed table (agents/clean.py) -----------------------
# One entry per (source, partition of articles.raw, title key), value {"p": partition, "o": offset of the
# article whose title it is, "ms": its event time}. A key holds the partition, so each entry is written only
# while processing that partition and moves with it between workers. An article at offset `o` knows only the
# entries of its own partition with an offset below `o` and an event time within the horizon of its own: what
# a redelivery of the same article finds is what the first delivery found, whatever was processed in between.

_SEP = "\x1f"


def stream_key(source: str | None, partition: int, key: str) -> str:
    return f"{source or ''}{_SEP}{partition}{_SEP}{key}"


class _SeenBefore:
    """The `known_titles` container the cleaner reads for one article (membership only)."""
    __slots__ = ("table", "prefix", "offset", "ms", "horizon_ms")

    def __init__(self, table, prefix: str, offset: int, ms: int, horizon_ms: int) -> None:
        self.table, self.prefix, self.offset, self.ms, self.horizon_ms = table, prefix, offset, ms, horizon_ms

    def __contains__(self, key: object) -> bool:
        v = self.table.get(self.prefix + str(key))
        return v is not None and v["o"] < self.offset and self.ms - v["ms"] <= self.horizon_ms

    def __bool__(self) -> bool:
        return True


class StreamTitles:
    """`RecentTitles`' interface (`known`, `add`) over a table, for the article at (`partition`, `offset`):
    built per event by the clean agent. `table`: any mutable mapping (the Faust table; a dict in tests)."""

    def __init__(self, table: MutableMapping, partition: int, offset: int,
                 horizon_s: float = TITLES_HORIZON_S) -> None:
        self.table, self.partition, self.offset = table, partition, offset
        self.horizon_ms = int(horizon_s * 1000)
        self.now_ms: int | None = None

    def known(self, source: str | None, now_s: float | None = None) -> Container[str]:
        ms = int((now_s or 0) * 1000)
        return _SeenBefore(self.table, stream_key(source, self.partition, ""), self.offset, ms, self.horizon_ms)

    def add(self, source: str | None, title: str | None, at_s: float) -> None:
        """Record the article's title, unless the table already holds an earlier sighting still in use (then
        nothing is written: a redelivery writes nothing new). A later sighting is replaced by this one."""
        self.now_ms = ms = int(at_s * 1000)
        key = title_key(title or "")
        if len(key.split()) < 3:
            return
        k = stream_key(source, self.partition, key)
        old = self.table.get(k)
        if old is not None and old["o"] <= self.offset and ms - old["ms"] <= self.horizon_ms:
            return
        self.table[k] = {"p": self.partition, "o": self.offset, "ms": ms}


def stale_titles(items: Iterable[tuple[str, dict]], partition: int, now_ms: int,
                 horizon_s: float = TITLES_HORIZON_S, per_source: int = TITLES_PER_SOURCE,
                 grace_s: float = TITLES_GRACE_S) -> list[str]:
    """The keys of `partition` to delete: older than the horizon plus the grace, and beyond the `per_source`
    newest (by offset) of each source. The grace keeps what a redelivery of a recent article still reads."""
    limit = int((horizon_s + grace_s) * 1000)
    out: list[str] = []
    by_source: dict[str, list[tuple[int, str]]] = {}
    for k, v in items:
        if not isinstance(v, dict) or v.get("p") != partition:
            continue
        if now_ms - v.get("ms", now_ms) > limit:
            out.append(k)
        else:
            by_source.setdefault(k.split(_SEP, 1)[0], []).append((v.get("o", 0), k))
    for entries in by_source.values():
        if len(entries) > per_source:
            entries.sort()
            out.extend(k for _, k in entries[: len(entries) - per_source])
    return out
