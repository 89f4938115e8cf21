"""Entity linking inside one article: mentions grouped into entities with a canonical form.

- clitics stripped from canonical forms (بالعراق -> العراق, وسوريا -> سوريا, للحكومة -> الحكومة);
- a person's shorter mentions join the longest full name that contains them (السوداني -> محمد شياع السوداني);
- acronyms join their long form, from "long form (ACRONYM)" in the text or a small built-in table (قسد <-> قوات سوريا
  الديموقراطية);
- spelling variants unified by a consonant skeleton of the matching form (الديموقراطية / الديمقراطية);
- countries get ``iso:XX`` ids; ``translit`` is the canonical form in camel-tools' HSB transliteration.

Pure Python, never raises (returns [] on bad input).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from nlp.ner.gazetteers import COUNTRY_ISO
from nlp.ner.tokens import norm

_DIAC = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ART = re.compile(r"^([وف]?[بكل]?)(ال|آل)(\w{2,})$")
_LIL = re.compile(r"^([وف]?)لل(\w{2,})$")
_EDGE_PUNCT = "()[]«»“”\"'.,،؛:!?؟-–—"

# Acronyms and short names (normalized key) -> long form. Extend as needed; text-local "long (short)" pairs are
# found automatically.
_ACRONYMS_RAW = {
    "قسد": "قوات سوريا الديمقراطية",
    "حماس": "حركة المقاومة الإسلامية",
    "الناتو": "حلف شمال الأطلسي",
    "أوبك": "منظمة البلدان المصدرة للنفط",
    "اليونسكو": "منظمة الأمم المتحدة للتربية والعلم والثقافة",
    "اليونيسف": "منظمة الأمم المتحدة للطفولة",
    "الفيفا": "الاتحاد الدولي لكرة القدم",
    "فيفا": "الاتحاد الدولي لكرة القدم",
    "واس": "وكالة الأنباء السعودية",
    "سانا": "الوكالة العربية السورية للأنباء",
}


@dataclass(slots=True)
class LinkedEntity:
    text: str
    type: str
    start: int
    end: int
    canonical: str
    id: str | None
    translit: str


@lru_cache(maxsize=1)
def _translit_mapper():
    from camel_tools.utils.charmap import CharMapper
    return CharMapper.builtin_mapper("ar2hsb")


@lru_cache(maxsize=50_000)
def translit(s: str) -> str:
    try:
        return _translit_mapper()(s)
    except Exception:
        return s


@lru_cache(maxsize=1)
def _vocab() -> dict[str, int]:
    from nlp.ner import CLUSTERS_FILE
    from nlp.ner.clusters import read_counts
    return read_counts(CLUSTERS_FILE)


@lru_cache(maxsize=200_000)
def skeleton(phrase: str) -> str:
    """Spelling-variant key: matching form without long vowels inside words (الديموقراطية == الديمقراطية)."""
    out = []
    for w in norm(phrase).split():
        out.append(w[:1] + re.sub("[اوي]", "", w[1:-1]) + w[-1:] if len(w) > 2 else w)
    return " ".join(out)


def _acronyms() -> dict[str, str]:
    return {skeleton(k): v for k, v in _ACRONYMS_RAW.items()}


_ACR = None


def strip_clitics(word: str, known: set[str] | None = None) -> str:
    """Drop proclitics (و ف ب ك ل) from the first word of a mention, keeping the article: بالعراق -> العراق."""
    m = _ART.match(word)
    if m:
        return m.group(2) + m.group(3) if m.group(1) else word
    m = _LIL.match(word)
    if m:
        return "ال" + m.group(2)
    if len(word) >= 4 and word[0] in "وفبكل":
        rest = word[2:] if word[0] in "وف" and word[1] in "بكل" and len(word) >= 5 else word[1:]
        for cand in ((rest, word[1:]) if rest != word[1:] else (rest,)):
            nc, nw = norm(cand), norm(word)
            if known and nc in known:
                return cand
            if nc in COUNTRY_ISO:
                return cand
            voc = _vocab()
            if voc.get(nc, 0) >= 5 and voc.get(nc, 0) >= 3 * voc.get(nw, 0):
                return cand
    return word


def _surface(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The mention trimmed of edge punctuation/space, with adjusted offsets."""
    while start < end and (text[start].isspace() or text[start] in _EDGE_PUNCT):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE_PUNCT):
        end -= 1
    return text[start:end], start, end


def _clean(surface: str, known: set[str]) -> str:
    words = _DIAC.sub("", surface).split()
    if not words:
        return ""
    words[0] = strip_clitics(words[0], known)
    return " ".join(words)


def link(text: str, mentions) -> list[LinkedEntity]:
    try:
        return _link(text, mentions)
    except Exception:
        return []


def _link(text: str, mentions) -> list[LinkedEntity]:
    global _ACR
    if not isinstance(text, str) or not mentions:
        return []
    if _ACR is None:
        _ACR = _acronyms()
    items = []  # (surface, start, end, type)
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        if not (0 <= m.start < m.end <= len(text)):
            continue
        s, a, b = _surface(text, m.start, m.end)
        if s:
            items.append((s, a, b, m.type))
    if not items:
        return []
    # forms seen without clitics in this article help decide ambiguous clitic splits (وسوريا -> سوريا)
    known = {norm(_DIAC.sub("", s)) for s, _, _, _ in items if " " not in s}
    cleaned = [_clean(s, known) or s for s, _, _, _ in items]
    n = len(items)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i, j):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    keys = [skeleton(c) for c in cleaned]
    iso = [COUNTRY_ISO.get(norm(c)) if items[i][3] == "LOC" else None for i, c in enumerate(cleaned)]
    # 1. same skeleton (same type family), same country
    first_by_key: dict[tuple, int] = {}
    for i in range(n):
        k = ("iso", iso[i]) if iso[i] else (keys[i],)
        j = first_by_key.setdefault(k, i)
        if j != i:
            union(i, j)
    # 2. "long form (ACRONYM)" in the text, and the built-in acronym table
    for i in range(n):
        s, a, b, t = items[i]
        if i > 0 and " " not in cleaned[i]:
            ps, pa, pb, pt = items[i - 1]
            between = text[pb:a]
            if between.strip() == "(" or (between.strip() in ("(", "") and text[a - 1:a] == "("):
                if len(cleaned[i - 1].split()) >= 2:
                    union(i, i - 1)
                    continue
        long_form = _ACR.get(keys[i])
        if long_form:
            lk = skeleton(long_form)
            for j in range(n):
                if keys[j] == lk:
                    union(i, j)
    # 3. people: a shorter name joins the longest full name that contains its words (nearest preceding first)
    toks = [tuple(k.split()) for k in keys]
    persons = [i for i in range(n) if items[i][3] == "PER"]
    for i in persons:
        ti = toks[i]
        best = None
        for j in persons:
            tj = toks[j]
            if len(tj) > len(ti) and _contains(tj, ti):
                if best is None or len(tj) > len(toks[best]) or (len(tj) == len(toks[best]) and abs(j - i) < abs(best - i)):
                    best = j
        if best is not None:
            union(i, best)
    # 4. multi-word organizations that are the tail of a longer one of the same type (الحشد الشعبي <- هيئة الحشد الشعبي)
    orgs = [i for i in range(n) if items[i][3] == "ORG" and len(toks[i]) >= 2]
    for i in orgs:
        for j in orgs:
            if len(toks[j]) > len(toks[i]) and toks[j][-len(toks[i]):] == toks[i]:
                union(i, j)
                break
    # canonical per group
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    canon: dict[int, tuple[str, str | None]] = {}
    for root, members in groups.items():
        if len(members) == 1:  # the common case, same result as below without the counting
            i = members[0]
            best = cleaned[i]
            if not iso[i] and keys[i] in _ACR and " " not in best:
                best = _DIAC.sub("", _ACR[keys[i]])
            canon[root] = (best, f"iso:{iso[i]}" if iso[i] else None)
            continue
        types = Counter(items[i][3] for i in members)
        gtype = types.most_common(1)[0][0]
        gid = next((iso[i] for i in members if iso[i]), None)
        acr_long = next((_ACR[keys[i]] for i in members if keys[i] in _ACR), None)
        forms = Counter(cleaned[i] for i in members)
        # longest (most words) form; ties: most frequent, then first seen
        order = {c: k for k, c in reversed(list(enumerate(cleaned[i] for i in members)))}
        best = max(forms, key=lambda c: (len(c.split()), forms[c], -order[c]))
        if len(best.split()) == 1 and acr_long and all(len(cleaned[i].split()) == 1 for i in members):
            best = _DIAC.sub("", acr_long)
        if gid and gtype == "LOC":
            best = next(c for c in forms if COUNTRY_ISO.get(norm(c)) == gid) if len(forms) == 1 else \
                max(forms, key=lambda c: (forms[c], -order[c]))
        canon[root] = (best, f"iso:{gid}" if gid else None)
    out = []
    for i, (s, a, b, t) in enumerate(items):
        c, cid = canon[find(i)]
        out.append(LinkedEntity(text=s, type=t, start=a, end=b, canonical=c, id=cid, translit=translit(c)))
    return out


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    """``short`` is a contiguous run of ``long``, or its first + last words (محمد السوداني in محمد شياع السوداني)."""
    L, S = len(long), len(short)
    for k in range(L - S + 1):
        if long[k:k + S] == short:
            return True
    return S == 2 and long[0] == short[0] and long[-1] == short[-1]


def summarize(entities: list[LinkedEntity]) -> list[dict]:
    """Per-article summary, in order of first mention:
    ``[{"canonical", "type", "id", "mentions", "spans": [[start, end], ...]}]``."""
    try:
        out: dict[str, dict] = {}
        types: dict[str, Counter] = {}
        for e in entities:
            d = out.get(e.canonical)
            if d is None:
                d = out[e.canonical] = {"canonical": e.canonical, "type": e.type, "id": e.id, "mentions": 0, "spans": []}
                types[e.canonical] = Counter()
            d["mentions"] += 1
            d["spans"].append([e.start, e.end])
            types[e.canonical][e.type] += 1
            if d["id"] is None and e.id:
                d["id"] = e.id
        for c, d in out.items():
            d["type"] = types[c].most_common(1)[0][0]
        return list(out.values())
    except Exception:
        return []
