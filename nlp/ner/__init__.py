"""Placeholder tagger until the trained model lands from issue 4 (branch ner); replaced, not shipped."""
import re
from dataclasses import dataclass
from functools import cache
@dataclass(frozen=True, slots=True)
class Mention:
    start: int; end: int; type: str
class Tagger:
    def find(self, text):
        return [Mention(m.start(), m.end(), "LOC") for m in re.finditer("العراق|سوريا|بغداد", text)]
@cache
def load_tagger(path=None): return Tagger()
