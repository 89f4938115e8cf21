"""Sentence segmentation of one display-text paragraph, as character spans.

A sentence ends at . ! ? ؟ … (or a run of them, e.g. `..` `?!`), optionally followed by closing quotes or
brackets, when whitespace follows. Decimal numbers (`1.5`), times (`12:30`) and marks glued to the next word do
not end a sentence because no whitespace follows. Single-letter abbreviations (`د.` `أ.` `U.S.`) do not end one.
"""
from __future__ import annotations

import re

# `[…][…]*` rather than `[…]+`: the same matches, but a pattern that opens with a character class lets re skip
# ahead to the next candidate character (one that opens with a repeat is tried at every position: 2x slower)
_END = re.compile(r"[.!?؟…][.!?؟…]*[\"'”»)\]}]*(?=\s)")
_MARKS = ".!?؟…"         # the two classes of _END
_CLOSERS = "\"'”»)]}"


def _inner_mark(line: str) -> bool:
    """Whether `line` has a mark before its final run of marks and closers: else `_END` cannot match (that run
    holds no whitespace), and the line is one sentence. Most paragraphs are; five `in` tests are cheaper than re."""
    body = line.rstrip(_MARKS + _CLOSERS)
    return "." in body or "!" in body or "?" in body or "؟" in body or "…" in body


def sentence_spans(line: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in `line` (a stripped display line), shifted by `offset`.

    No span is empty, starts with whitespace or ends with whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(line)
    while start < n and line[start].isspace():
        start += 1
    for m in (_END.finditer(line) if _inner_mark(line) else ()):
        i = m.start()
        if m.group() == "." and i >= 1 and line[i - 1].isalpha() and (i == 1 or line[i - 2] in " .("):
            continue  # a single letter before the dot: an initial or an abbreviation such as د.
        end = m.end()
        if end > start:
            spans.append((offset + start, offset + end))
        start = end
        while start < n and line[start].isspace():
            start += 1
    end = n
    while end > start and line[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((offset + start, offset + end))
    return spans
