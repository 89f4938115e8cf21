"""Sentence segmentation of one display-text paragraph, as character spans.

A sentence ends at . ! ? ؟ … (or a run of them, e.g. `..` `?!`), optionally followed by closing quotes or
brackets, when whitespace follows. Decimal numbers (`1.5`), times (`12:30`) and marks glued to the next word do
not end a sentence because no whitespace follows. Single-letter abbreviations (`د.` `أ.` `U.S.`) do not end one.
"""
from __future__ import annotations

import re

_END = re.compile(r"[.!?؟…]+[\"'”»)\]}]*(?=\s)")


def sentence_spans(line: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in `line`, shifted by `offset`; no span is empty or padded."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(line)
    for m in _END.finditer(line):
        i = m.start()
        if m.group() == "." and i >= 1 and line[i - 1].isalpha() and (i == 1 or line[i - 2] in " .("):
            continue  # a single letter before the dot: an initial or an abbreviation such as د.
        end = m.end()
        if line[start:end].strip():
            spans.append((start, end))
        start = end
        while start < n and line[start].isspace():
            start += 1
    if start < n and line[start:].strip():
        spans.append((start, n))
    out = []
    for s, e in spans:
        while s < e and line[s].isspace():
            s += 1
        while e > s and line[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((offset + s, offset + e))
    return out
