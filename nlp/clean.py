"""Article cleaning: raw scraped text in, display text with paragraphs and a record of what was removed out.

Decisions are made per line from general signals (see docs/cleaning.md):
  1. the shape of the line alone (only punctuation, only a date/time, a "read also:" trigger, a tweet permalink,
     a copyright notice, a credit line) -- nlp/clean_rules.py;
  2. its neighbours: headline-like lines after a "read also:" trigger or after a separator line; the page footer
     zone at the end (anchored on footer markers, extended back over tag lists); a first line that is a short
     caption before the lead paragraph; a short signature after the last sentence;
  3. repetition: a paragraph repeating the title or an earlier paragraph.
Every dropped line is kept in `removed` with its reason and 1-based raw line number. Pure, never raises.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Container

from nlp import langid
from nlp import clean_rules as R
from nlp import headlines as H
from nlp.segment import sentence_spans
from nlp.text import display_line
from schemas.records import Removed, Span

_BLOCK_MAX = 8              # at most this many related headlines follow one "read also:" trigger
_TAIL_MAX_PROSE = 3          # the footer zone may hold this many sentence-like lines (a station blurb, a promo)
_SHORT_BODY_CHARS = 120
_SIGNATURE_MAX_WORDS = 7     # a short unpunctuated last line after the last sentence: signature or photo caption
_CONJUNCTION = re.compile(r"^(?:و|ف|ثم |لكن|ولكن|بل |أو )")
_LIST_START = re.compile(r"^(?:[-–—_•*·▪●◦+]|\(?\d{1,3}\s*[-.)/:]|\(?[a-zأ-ي][).])")
_BULLET = re.compile(r"^[*•·▪●◦]\s")
_OPENING_MAX = 2             # a body may open with this many caption lines before its first paragraph
_PARAGRAPH_WORDS = 12        # an unpunctuated line this long next to a headline candidate is a paragraph
_QUESTION_END = re.compile(r"[?؟][!?؟]*[\"'”»)\]}]*$")
_QUESTION_START = re.compile(r"^(?:[وف]?(?:هل|كيف|لماذا|متى|ماذا|أين|ما الذي|من الذي))\s")


@dataclass(slots=True)
class CleanResult:
    title: str
    body: str
    paragraphs: list[Span]
    sentences: list[Span]
    removed: list[Removed]
    lang: str
    byline: str | None = None
    dateline: str | None = None
    flags: list[str] = field(default_factory=list)


class _Line:
    __slots__ = ("number", "text", "reason", "words")

    def __init__(self, number: int, text: str) -> None:
        """`text`: a non-empty display line (`display_line`): stripped, its only whitespace single spaces, so its
        words are its spaces plus one (`len(text.split())`, without building the list)."""
        self.number = number
        self.text = text
        self.reason: str | None = None
        self.words = text.count(" ") + 1


def _is_prose(line: _Line) -> bool:
    return bool(R.PROSE_END.search(line.text)) and line.words >= 6


def _mark_blocks(lines: list[_Line]) -> None:
    """Headline-like lines after a bare "read also:" trigger, and separator chains (`-`, headline, `-`, headline):
    the headlines of other stories interleaved between separator lines. A single separator followed by one short
    line and then prose is a section break with a crosshead, and is left alone."""
    block = 0            # remaining headlines allowed in an open "read also" block
    for ln in lines:
        if ln.reason is not None:
            if ln.reason == "related-link" and R.opens_block(ln.text):
                block = _BLOCK_MAX
            continue
        if block and R.is_headline_like(ln.text, n=ln.words):
            ln.reason = "related-headline"
            block -= 1
            continue
        block = 0
    i, n = 0, len(lines)
    while i < n:
        if lines[i].reason != "separator":
            i += 1
            continue
        groups: list[list[_Line]] = []
        j = i
        while j < n and lines[j].reason == "separator":
            k = j + 1
            group = []
            while (k < n and len(group) < 3 and lines[k].reason is None
                   and R.is_headline_like(lines[k].text, n=lines[k].words)):
                group.append(lines[k])
                k += 1
            if not group:
                break
            groups.append(group)
            j = k
        if len(groups) >= 2:
            for group in groups:
                for ln in group:
                    ln.reason = "related-headline"
        i = max(j, i + 1)


def _mark_headline_runs(lines: list[_Line]) -> None:
    """A run of 4+ consecutive headline-like lines between two paragraphs of prose: links to other stories pasted
    without a trigger line. Not after a line ending in ':' (that introduces verse or a list). A lone crosshead is one line, a list starts with bullets or numbers, so neither matches."""
    free = [ln for ln in lines if ln.reason is None]
    i = 0
    while i < len(free):
        j = i
        while j < len(free) and _run_member(free[j]):
            j += 1
        if 3 <= j - i <= _BLOCK_MAX and i > 0 and j < len(free) and _is_prose(free[i - 1]) \
                and not free[i - 1].text.endswith((":", "：")) and _is_prose(free[j]) \
                and (_headline_run(free[i:j]) if j - i >= 4 else _headline_trio(free[i:j])):
            for ln in free[i:j]:
                ln.reason = "related-headline"
        i = max(j, i + 1)


def _headline_trio(run: list[_Line]) -> bool:
    """Three lines are links only if they read as three headlines, not as a verse or a chain of questions:
    at most one is a question, at most one opens with a conjunction (و ف ثم لكن)."""
    questions = sum(_is_question(ln.text) for ln in run)
    conjunctions = sum(bool(_CONJUNCTION.match(ln.text)) for ln in run)
    return questions <= 1 and conjunctions <= 1


def _headline_run(run: list[_Line]) -> bool:
    """Four or more lines are links unless most of them are questions or open with a conjunction: an author's
    chain of questions next to one pasted headline is not a block of links."""
    questions = sum(_is_question(ln.text) for ln in run)
    conjunctions = sum(bool(_CONJUNCTION.match(ln.text)) for ln in run)
    return 2 * questions <= len(run) and 2 * conjunctions <= len(run)


def _is_question(text: str) -> bool:
    """A question line: ends in ? (also `؟!`), or opens with a question word (`هل … !`)."""
    return bool(_QUESTION_END.search(text) or _QUESTION_START.match(text))


def _run_member(ln: _Line) -> bool:
    return 4 <= ln.words <= 20 and R.is_headline_like(ln.text, n=ln.words) and not _LIST_START.match(ln.text)


def _mark_untriggered(lines: list[_Line], params: H.HeadlineParams, known, own_key: str) -> None:
    """Related headlines with no trigger line (nlp/headlines.py): a line equal to a recent title of the source;
    a headline-shaped line of few article words after a lone separator and before a paragraph, or bare between
    two paragraphs of prose (the article's own title is never one). Repeated to a fixed point (a removal makes
    new neighbours and shrinks the article's vocabulary), so cleaning stays idempotent."""
    keys: dict[int, str] = {}   # id(line) -> its dedup key, computed once

    def key_of(ln: _Line) -> str:
        k = keys.get(id(ln))
        if k is None:
            k = keys[id(ln)] = _dedup_key(ln.text)
        return k

    if known:
        for ln in lines:   # a title is 3..TITLE_MAX_WORDS words, and does not end in one full stop (4 of 2,422
            t = ln.text      # titles of the news data do): sentences are not looked up
            if (ln.reason is None and 3 <= ln.words <= H.TITLE_MAX_WORDS
                    and not (t.endswith(".") and not t.endswith(".."))):
                key = key_of(ln)
                if key != own_key and key in known:
                    ln.reason = "related-headline"
    if not params.enabled:
        return
    low = min(params.bare_min_words, params.sep_min_words)
    cand = [ln for ln in lines if ln.reason is None
            and H.headline_shaped(ln.text, ln.words, low, params.max_words) and key_of(ln) != own_key]
    if not cand:
        return
    if sum(1 for ln in lines if ln.reason is None and _is_question(ln.text)) >= 3:
        cand = [ln for ln in cand if not _is_question(ln.text)]   # an interview: its questions stay
    index = {id(ln): i for i, ln in enumerate(lines)}
    stems: dict[int, set[str]] = {}
    own_stems: set[str] = set()
    pairs: dict[int, set] = {}
    own_pairs: set = set()
    pair_counts: dict | None = None        # two-word name -> lines holding it; built once a line needs it
    counts: dict[str, int] | None = None   # stem -> lines holding it; built once a candidate is in place
    for _ in range(4):
        changed = False
        for ln in cand:
            if ln.reason is not None:
                continue
            i = index[id(ln)]
            top = False
            prev = _neighbour(lines, i, -1)
            nxt = _neighbour(lines, i, 1)
            after_sep = prev is not None and prev.reason == "separator" and _prev_kept_is_prose(lines, i)
            if _between_bullets(lines, i):   # a page whose paragraphs are bulleted: an unbulleted line is foreign
                need = params.sep_min_words if prev is not None and prev.reason == "separator" \
                    else params.bare_min_words
            elif not (_paragraph(nxt) if nxt is not None else after_sep):   # or the last line, after a separator
                continue
            elif after_sep:
                need = params.sep_min_words
            elif prev is not None and prev.reason is None and _paragraph(prev):
                need = params.bare_min_words
            elif _after_opening(lines, i):   # under a photo caption, before the first paragraph
                need, top = params.bare_min_words, True
            else:
                continue
            if ln.words < need:
                continue
            if counts is None:   # the article's vocabulary: its title and kept lines
                stems = {id(x): H.content_words(key_of(x)) for x in lines if x.reason is None}
                counts = {}
                own_stems = H.content_words(own_key)
                for ws in [own_stems, *stems.values()]:
                    for w in ws:
                        counts[w] = counts.get(w, 0) + 1
            # a line that could be the author's must pass both tests, word by word
            strict = top or _authorial(ln, params)
            share = _share(lines, i, params, strict, stems, counts, own_stems)
            if share > params.max_overlap and not strict:
                # a headline-like line counts a two-word name it shares (`حزب الله`) as one shared unit; that only
                # lowers the share, so it is computed only for a line the words alone keep
                if pair_counts is None:   # the article's two-word names, from the lines still kept
                    pairs = {id(x): H.name_pairs(key_of(x)) for x in lines if x.reason is None}
                    own_pairs = H.name_pairs(own_key)
                    pair_counts = {}
                    for ps in [own_pairs, *pairs.values()]:
                        for pr in ps:
                            pair_counts[pr] = pair_counts.get(pr, 0) + 1
                share = _share(lines, i, params, strict, stems, counts, own_stems, pairs, pair_counts, own_pairs)
            if share > params.max_overlap:
                continue
            ln.reason = "related-headline"
            for w in stems[id(ln)]:
                counts[w] -= 1
            if pair_counts is not None:
                for pr in pairs[id(ln)]:
                    pair_counts[pr] -= 1
            changed = True
        if not changed:
            break


def _share(lines: list[_Line], i: int, params: H.HeadlineParams, strict: bool, stems: dict[int, set[str]],
           counts: dict[str, int], own_stems: set[str], pairs: dict[int, set] | None = None,
           pair_counts: dict | None = None, own_pairs: set = frozenset()) -> float:
    """Line `i`'s share of content words in its context: the whole article, and with a window the lines around it
    (a `strict` line must pass both; another one the window, and the article within `article_slack`). With
    `pairs`, a two-word name shared as a whole is one unit."""
    words = stems[id(lines[i])]
    names = pairs[id(lines[i])] if pairs is not None else frozenset()
    share = H.overlap(words, counts, names, pair_counts)   # in the whole article
    if params.window:   # in the lines around it
        near_stems, near_pairs = _context(lines, i, params.window, stems, own_stems, pairs or {}, own_pairs)
        near = H.share_in(words, near_stems, names, near_pairs)
        share = max(share, near) if strict else max(near, share - params.article_slack)
    return share


def _after_opening(lines: list[_Line], i: int) -> bool:
    """Every kept line before line `i` is one of at most `_OPENING_MAX` short lines that are not sentences (a
    photo caption, a name under a picture), and there is one: the body opens there. A headline pasted under the
    caption sits where no paragraph precedes it, so it must pass every vocabulary test instead."""
    before = [x for x in lines[:i] if x.reason is None]
    return 0 < len(before) <= _OPENING_MAX and not any(_paragraph(x) or _is_prose(x) for x in before)


def _between_bullets(lines: list[_Line], i: int) -> bool:
    """Line `i` has no bullet, and the kept lines on both sides open with the same bullet (`* `, `• `), one of
    them a paragraph: a body whose every paragraph is bulleted, with an unbulleted line pasted into it."""
    if _BULLET.match(lines[i].text):
        return False
    prev, nxt = _kept(lines, i, -1), _kept(lines, i, 1)
    if prev is None or nxt is None:
        return False
    a, b = _BULLET.match(prev.text), _BULLET.match(nxt.text)
    return bool(a and b and a.group(0)[0] == b.group(0)[0] and (_paragraph(prev) or _paragraph(nxt)))


def _kept(lines: list[_Line], i: int, step: int) -> _Line | None:
    j = i + step
    while 0 <= j < len(lines):
        if lines[j].reason is None:
            return lines[j]
        j += step
    return None


def _authorial(line: _Line, params: H.HeadlineParams) -> bool:
    """A candidate that reads like the author's as much as like a title: a short line (a crosshead), a question
    (an op-ed's), a short whole-line quotation, a long line or one with a comma inside (a sentence that lost its
    stop)."""
    return (line.words < params.short_words or line.words >= _PARAGRAPH_WORDS or "،" in line.text[:-1]
            or _is_question(line.text) or H.is_quotation(line.text))


def _paragraph(line: _Line) -> bool:
    """A paragraph of the article next to a candidate: prose, or a long line that is not a list item (a scraped
    paragraph may have lost its final stop)."""
    return _is_prose(line) or (line.words >= _PARAGRAPH_WORDS and not _LIST_START.match(line.text))


def _context(lines: list[_Line], i: int, window: int, stems: dict[int, set[str]], own: set[str],
             pairs: dict[int, set], own_pairs: set) -> tuple[set[str], set]:
    """The content stems and name pairs of the title and of the `window` nearest kept lines before and after
    line `i`."""
    out, out_pairs = set(own), set(own_pairs)
    for step in (-1, 1):
        j, left = i + step, window
        while left and 0 <= j < len(lines):
            if lines[j].reason is None:
                out |= stems.get(id(lines[j]), set())
                out_pairs |= pairs.get(id(lines[j]), set())
                left -= 1
            j += step
    return out, out_pairs


def _neighbour(lines: list[_Line], i: int, step: int) -> _Line | None:
    """The nearest line before/after `i` that is still kept or is a separator (other removed lines are skipped:
    once they are gone, these are the neighbours)."""
    j = i + step
    while 0 <= j < len(lines):
        if lines[j].reason is None or lines[j].reason == "separator":
            return lines[j]
        j += step
    return None


def _prev_kept_is_prose(lines: list[_Line], i: int) -> bool:
    j = i - 1
    while j >= 0 and lines[j].reason is not None:
        j -= 1
    return j >= 0 and _is_prose(lines[j])


def _mark_footer(lines: list[_Line]) -> None:
    """The page footer zone: from the first footer marker after which almost nothing is article text, to the end;
    then back over the tag list (short, unpunctuated lines) that sits between the last sentence and that zone."""
    anchors = ("footer-copyright", "more-link", "widget-timestamp", "separator", "carousel", "disclaimer")
    start = None
    prose_after = 0
    explained_after = 0
    markers_after = 0
    other_after = False      # a footer marker other than a bare separator line lies behind
    ends_in_prose = bool(lines) and lines[-1].reason is None
    # walk backwards, remembering the earliest footer marker that still has a boilerplate-dominated tail behind it
    for i in range(len(lines) - 1, -1, -1):
        ln = lines[i]
        if ln.reason is not None:
            explained_after += 1
        if ln.reason in anchors and (ln.reason != "separator" or len(ln.text) >= 5):
            markers_after += 1
            if ln.reason == "separator" and not other_after:
                ok = prose_after <= 1          # a rule line, then at most one promo line (BBC app promo)
            else:                              # page furniture: must run to the end of the page
                ok = not ends_in_prose and prose_after <= _TAIL_MAX_PROSE and prose_after <= explained_after
            if ok:
                start = i
        if ln.reason in anchors and ln.reason != "separator":
            other_after = True
        if ln.reason is None:
            prose_after += 1
            if prose_after > _TAIL_MAX_PROSE:
                break
    if start is None:
        return
    for ln in lines[start:]:
        if ln.reason is None:
            ln.reason = "footer"
    # back over the tag list: consecutive short lines with no sentence punctuation and no digits-only content
    i = start - 1
    tags = []
    while i >= 0:
        ln = lines[i]
        if ln.reason is not None:
            i -= 1
            continue
        if ln.words <= 5 and not R.PROSE_END.search(ln.text):
            tags.append(ln)
            i -= 1
            continue
        break
    if len(tags) >= 2 or (tags and markers_after >= 2):
        for ln in tags:
            ln.reason = "tag-list"


def _mark_repeats(lines: list[_Line], title_key: str) -> None:
    """The title repeated as the first paragraph, once or more (a scraping artifact; a title line later on, e.g. a refrain or
    a poem's first verse, is the author's), and any long paragraph repeated verbatim."""
    # A paragraph repeats an earlier one of the same length whose normalized head (64 characters) and whole dedup
    # key are its own. Keys are computed only for a line whose length an earlier one has: seldom.
    seen: dict[int, list[str]] = {}   # length -> the paragraphs of 8+ words of that length kept so far
    first = True
    for ln in lines:
        if ln.reason is not None:
            continue
        was_first, first = first, False
        if was_first and title_key and ln.words <= 40 and _dedup_key(ln.text) == title_key:
            ln.reason = "repeated-title"
            first = True  # repeated more than once at the top: each copy goes (cleaning stays idempotent)
            continue
        if ln.words < 8:
            continue
        same_length = seen.setdefault(len(ln.text), [])
        if same_length and not _LIST_START.match(ln.text):
            head, key = _dedup_key(ln.text[:64]), _dedup_key(ln.text)
            if any(_dedup_key(t[:64]) == head and _dedup_key(t) == key for t in same_length):
                ln.reason = "repeated-paragraph"
                continue
        same_length.append(ln.text)


_dedup_key = H.title_key  # the dedup key: one definition, in nlp/headlines.py


def _caption_like(ln: _Line) -> bool:
    return (ln.words <= 6 and not R.PROSE_END.search(ln.text) and not R.HASHTAG_OR_LINK.search(ln.text)
            and not _LIST_START.match(ln.text))


def _take_prefix(text: str) -> tuple[str, str | None, str | None]:
    """Split a leading byline/dateline off the first paragraph (repeatedly, so the result is a fixed point)."""
    byline = dateline = None
    for _ in range(3):
        m = _prefix_match(text)
        if not m or not any(ch.isalpha() for ch in m.group()):
            break
        rest = text[m.end():].lstrip()
        # only in front of a real sentence, never leaving behind something another rule would drop
        if len(rest.split()) < 4 or R.line_reason(rest) or R.credit_reason(rest):
            break
        groups = m.groupdict()
        if "agency" in groups:
            byline = groups["agency"].strip()
            dateline = (groups.get("place") or "").strip() or dateline
        else:
            byline = " - ".join(p.strip() for p in _split_dashes(groups["by"]))
            dateline = groups["place"].strip()
        text = text[m.end():].lstrip()
    return text, byline, dateline


def _prefix_match(text: str) -> re.Match | None:
    """`DASHED_PREFIX` or else `AGENCY_PREFIX` at the start of `text`, each tried only when it can match (a cheap
    test: the one ends at the text's first colon, with a dash before it; the other needs a parenthesis)."""
    colon = text.find(":")
    if colon > 0 and ("-" in text[:colon] or "–" in text[:colon] or "—" in text[:colon]):
        m = R.DASHED_PREFIX.match(text)
        if m:
            return m
    return R.AGENCY_PREFIX.match(text) if "(" in text else None


def _split_dashes(s: str) -> list[str]:
    out, cur = [], []
    for ch in s:
        if ch in "-–—":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [p for p in (x.strip() for x in out) if p]


def _latin_heavy(text: str) -> bool:
    return len(R.LATIN_LETTER.findall(text)) > 2 * len(R.ARABIC_LETTER.findall(text))


def clean_article(title: str | None, body: str, known_titles: Container[str] = (),
                  params: H.HeadlineParams = H.DEFAULT) -> CleanResult:
    """`known_titles`: title keys (`headlines.title_key`) of the source's recent articles, e.g.
    `RecentTitles.known(source)`; a body line equal to one is a related headline. `params`: the thresholds of
    the untriggered headline rules."""
    try:
        return _clean(title, body, known_titles, params)
    except Exception as exc:  # the stage must never raise: keep the text as it is and say why
        text = "\n".join(x for x in (display_line(s) for s in str(body or "").splitlines()) if x)
        return CleanResult(title=display_line(title or ""), body=text, paragraphs=[Span(0, len(text))] if text else [],
                           sentences=[Span(0, len(text))] if text else [], removed=[], lang="und",
                           flags=[f"cleaning-error:{type(exc).__name__}"])


def _clean(title: str | None, body: str, known_titles: Container[str], params: H.HeadlineParams) -> CleanResult:
    removed: list[Removed] = []
    lines: list[_Line] = []
    clean_title = display_line(title) if title else ""
    for number, raw in enumerate(body.splitlines(), start=1):
        text = display_line(raw)
        if not text:
            continue
        if not clean_title:
            clean_title = text
            removed.append(Removed(text, "title-from-first-line", number))
            continue
        lines.append(_Line(number, text))

    # 1. the line alone
    head, size = [], 0
    for ln in lines:  # the body lines only (not a title taken from the first line): cleaning stays idempotent
        head.append(ln.text)
        size += len(ln.text)
        if size > 1200:
            break
    arabic, latin = langid.script_counts("\n".join(head))
    arabic_page = arabic >= latin
    credits: list[str] = []
    for ln in lines:
        t = ln.text
        ln.reason = R.line_reason(t, ln.words)
        if ln.reason is None and ln.words <= 8 and R.credit_reason(t, ln.words):
            ln.reason = "byline"
        if (ln.reason is None and arabic_page and ("#" in t or "@" in t or "http" in t)
                and R.HASHTAG_OR_LINK.search(t) and _latin_heavy(t)):
            ln.reason = "embedded-tweet"
    # 2. neighbours
    _mark_blocks(lines)
    _mark_headline_runs(lines)
    _mark_untriggered(lines, params, known_titles, _dedup_key(clean_title) if clean_title else "")
    _mark_footer(lines)
    byline = dateline = None
    first = next((ln for ln in lines if ln.reason is None), None)
    if first is not None:
        rest, byline, dateline = _take_prefix(first.text)
        if byline is not None:
            prefix = first.text[: len(first.text) - len(rest)].strip()
            removed.append(Removed(prefix, "byline-dateline-prefix", first.number))
            if rest:
                first.text, first.words = rest, len(rest.split())
            else:
                first.reason = "byline"
    # 3. repetition
    _mark_repeats(lines, _dedup_key(clean_title) if clean_title else "")

    kept = [ln for ln in lines if ln.reason is None]
    if len(kept) >= 2 and _caption_like(kept[0]) and kept[1].words >= 12 and _is_prose(kept[1]):
        kept[0].reason = "byline" if R.looks_like_name(kept[0].text) else "lead-caption"
        kept.pop(0)
    if (len(kept) >= 2 and kept[-1].words <= _SIGNATURE_MAX_WORDS and not R.PROSE_END.search(kept[-1].text)
            and not R.HASHTAG_OR_LINK.search(kept[-1].text) and _is_prose(kept[-2])):
        last = kept[-1].text
        kept[-1].reason = ("byline" if last.startswith(("-", "—", "–")) or R.looks_like_name(last)
                           else "trailing-signature")
        kept.pop()

    for ln in lines:
        if ln.reason is not None:
            removed.append(Removed(ln.text, ln.reason, ln.number))
            if ln.reason == "byline":
                credits.append(ln.text.lstrip("-—–* ").strip())
    removed.sort(key=lambda r: (r.line or 0))
    if credits:
        byline = "; ".join(([byline] if byline else []) + credits)

    paragraphs: list[Span] = []
    sentences: list[Span] = []
    parts: list[str] = []
    pos = 0
    for ln in kept:
        paragraphs.append(Span(pos, pos + len(ln.text)))
        sentences.extend(Span(s, e) for s, e in sentence_spans(ln.text, pos))
        parts.append(ln.text)
        pos += len(ln.text) + 1
    text = "\n".join(parts)

    flags: list[str] = []
    if not text:
        flags.append("boilerplate-only" if lines else "empty-body")
    elif len(text) < _SHORT_BODY_CHARS:
        flags.append("short-body")
    lang = langid.detect(clean_title + "\n" + text)
    return CleanResult(
        title=clean_title, body=text, paragraphs=paragraphs, sentences=sentences,
        removed=removed, lang=lang, byline=byline, dateline=dateline, flags=flags,
    )
