"""Entity lists from the ``arwikicats`` wheel (Arabic Wikipedia category labels, MIT), a CRF feature (``gz=CLUB`` ...).

Built by ``akhbar ner lists`` (nothing is fetched at run time; the compiled ``model/lists.tsv`` ships with the model):

- ``CLUB``: the Arabic names of 2,162 sports clubs (``ArWikiCats/jsons/sports/Clubs_key.json``), with the head
  (نادي، النادي) and the sport (لكرة القدم ...) cut off, as ANERcorp tags them (نادي [فرانكفورت]).
- ``CUP``: leagues, cups and federations' competitions (``sports/clubs_teams_leagues.json``,
  ``sports/inter_federations.json``): الدوري الإسباني، كأس ليبرتادوريس.
- ``CITY``: 10,526 city names (``cities/cities_full.json``), parenthesized qualifiers removed.
- ``PLACE``: regions, provinces and other places (``geography/P17_2_final_ll.json``, ``geography/popopo.json``).
- ``PPL``: 3,117 full names of well-known people (``people/peoples.json``), multi-word entries only.

Entries are in matching form (``tokens.norm_text``); entries with digits or Latin letters and one- or two-letter
entries are dropped. Each list is one gazetteer type of the feature extractor (single-word hits ``gz=TYPE``,
multi-word matches ``mgz=B-TYPE`` / ``mgz=I-TYPE``), so the file has the gazetteer's format (``TYPE<TAB>entry``).
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from nlp.ner.tokens import norm_text

_ROOT = "ArWikiCats/jsons/"
SOURCES: dict[str, tuple[str, ...]] = {
    "CLUB": ("sports/Clubs_key.json",),
    "CUP": ("sports/clubs_teams_leagues.json", "sports/inter_federations.json"),
    "CITY": ("cities/cities_full.json",),
    "PLACE": ("geography/P17_2_final_ll.json", "geography/popopo.json"),
    "PPL": ("people/peoples.json",),
}
LIST_TYPES = tuple(SOURCES)
_PAREN = re.compile(r"\s*\([^)]*\)")
_CLUB_HEAD = re.compile(r"^(نادي|النادي|فريق|الفريق) ")
_CLUB_SPORT = re.compile(r" (لكره|للكره|لهوكي|للهوكي|للرجبي|لرجبي)( .*)?$")
_BAD = re.compile(r"[0-9A-Za-z\u0660-\u0669]")


def clean(value: str) -> str:
    """Matching form of one label: parenthesized qualifiers removed, normalized; "" when unusable."""
    v = _PAREN.sub("", value).strip()
    if not v or _BAD.search(v):
        return ""
    n = norm_text(v)
    return n if len(n) >= 3 and all(w.isalpha() for w in n.split()) else ""


def club_core(n: str) -> str:
    """نادي كايزرسلاوترن لكره القدم -> كايزرسلاوترن (a normalized club name without its head and sport)."""
    n = _CLUB_SPORT.sub("", n)
    core = _CLUB_HEAD.sub("", n)
    return core if len(core) >= 3 and not _CLUB_HEAD.match(core + " ") else ""


def from_values(typ: str, values, out: dict[str, set[str]]) -> None:
    for v in values:
        if not isinstance(v, str):
            continue
        n = clean(v)
        if not n:
            continue
        if typ == "PPL" and " " not in n:
            continue
        if typ == "CLUB":
            n = club_core(n)
            if not n:
                continue
        out.setdefault(typ, set()).add(n)


def build_lists(wheel: str | Path, log=print) -> dict[str, set[str]]:
    """{list type: normalized entries} from the arwikicats wheel."""
    out: dict[str, set[str]] = {}
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for typ, files in SOURCES.items():
            for f in files:
                if _ROOT + f not in names:
                    raise ValueError(f"{wheel}: {_ROOT + f} not inside (expected the arwikicats 0.2.3 wheel)")
                data = json.loads(z.read(_ROOT + f))
                from_values(typ, data.values(), out)
            log(f"{typ}: {len(out.get(typ, ()))} entries from {', '.join(files)}")
    return out


def select(lists: dict[str, set[str]], types) -> dict[str, set[str]]:
    """The lists of ``types`` only (None: all)."""
    if types is None:
        return {t: set(v) for t, v in lists.items()}
    unknown = set(types) - set(LIST_TYPES)
    if unknown:
        raise ValueError(f"unknown list type(s) {sorted(unknown)}; known: {', '.join(LIST_TYPES)}")
    return {t: set(v) for t, v in lists.items() if t in types}
