"""Article cleaning: raw scraped text in, display text with paragraphs and a record of what was removed out.

Line-level decisions use general signals (separator lines, short unpunctuated lines next to separators)
rather than one site's strings; every dropped line is kept in `removed` with its reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp import langid
from nlp.text import display_line
from schemas.records import Removed, Span

_SEPARATOR = re.compile(r"^[\W_]{1,80}$")           # a line of only punctuation/dashes: -, ----, ***, •
# a sentence that ends like prose; headlines may end in ? or ! but rarely in a full stop
_PROSE_END = re.compile(r"[.…:\"”»]$")
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])\s+")
_MAX_HEADLINE_WORDS = 25


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


def _is_headline_like(line: str) -> bool:
    return len(line.split()) <= _MAX_HEADLINE_WORDS and not _PROSE_END.search(line)


def clean_article(title: str | None, body: str) -> CleanResult:
    lines = [display_line(raw) for raw in body.splitlines()]
    removed: list[Removed] = []
    keep: list[tuple[int, str]] = []
    after_separator = False
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        if _SEPARATOR.match(line):
            removed.append(Removed(line, "separator", number))
            after_separator = True
            continue
        if after_separator and _is_headline_like(line):
            removed.append(Removed(line, "related-headline", number))
            continue
        after_separator = False
        keep.append((number, line))

    clean_title = display_line(title) if title else ""
    if not clean_title and keep:
        number, clean_title = keep.pop(0)
        removed.append(Removed(clean_title, "title-from-first-line", number))

    paragraphs, sentences, parts, pos = [], [], [], 0
    for _, line in keep:
        paragraphs.append(Span(pos, pos + len(line)))
        start = 0
        for m in _SENTENCE_END.finditer(line):
            sentences.append(Span(pos + start, pos + m.start()))
            start = m.end()
        sentences.append(Span(pos + start, pos + len(line)))
        parts.append(line)
        pos += len(line) + 1
    text = "\n".join(parts)
    flags = [] if text else ["empty-after-cleaning"]
    return CleanResult(
        title=clean_title, body=text, paragraphs=paragraphs, sentences=sentences,
        removed=removed, lang=langid.detect(clean_title + "\n" + text), flags=flags,
    )
