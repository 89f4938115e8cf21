"""Placeholder linking until issue 4 lands."""
from dataclasses import dataclass
@dataclass(slots=True)
class LinkedEntity:
    text: str; type: str; start: int; end: int; canonical: str; id: str|None; translit: str
def link(text, mentions): return [LinkedEntity(text[m.start:m.end], m.type, m.start, m.end, text[m.start:m.end], None, "x") for m in mentions]
def summarize(ents): return []
