"""Phrase rules applied after the CRF (in ``Tagger.find``), each measured on the dev split (docs/ner.md).

- ``org_heads``: a head noun (وزارة هيئة قوات كتائب حزب حركة ...) followed by definite words or entities, closed by
  an optional nationality adjective, is one ORG (a weak head such as قوات only extends an ORG the CRF started, or
  starts one before a place + definite adjective): "وزارة الدفاع العراقية", "هيئة الحشد الشعبي", "كتائب حزب الله",
  "قوات سوريا الديموقراطية". This is the product's convention (ACE/NewsFANE tag ministries and commissions);
  ANERcorp leaves such names untagged, so it costs points on the ANERcorp dev split and is kept for the product.
- ``acronyms``: a single word in parentheses right after an entity takes its type: "... الديموقراطية (قسد)".
- ``construct_loc``: two adjacent LOC chunks "X" "الY" with X indefinite are one construct-state name (دير الزور).
- ``loc_heads``: the word after مدينة/بلدة/قرية/محافظة/معبر/مخيم/مطار/ميناء is a LOC when the CRF left it O.
- ``nisba_surname``: a definite nisba (الـ...ي) right after a person name continues it (محمد شياع السوداني).
- ``nat_names``: two or three untagged words of the person-name lists after a definite nationality adjective, the
  first a given name, none of them common in the unlabeled news, are a person (والسوري بسام الصباغ); a person name
  the CRF started on the adjective starts after it. Needs the lists and the news counts (``lexicon``: the tagger's
  ``FeatureExtractor``).
- ``sport_clubs``: in a sports context (``nlp.ner.topic``), a LOC on the arwikicats club list (``lexicon.clubs``,
  ``nlp.ner.lists``) is the club, unless it is a country or follows في (برشلونة، ليون، كوبنهاغن).
"""
from __future__ import annotations

from functools import lru_cache

from nlp.ner.evaluation import chunks
from nlp.ner.gazetteers import COUNTRY_ISO, NATIONALITY_ISO
from nlp.ner.tokens import norm

# heads that start an ORG on their own, and heads that only extend an ORG the CRF already started with them
_HEADS = {norm(w) for w in "وزارة هيئة كتائب حزب جبهة منظمة جامعة ألوية سرايا".split()}
_WEAK_HEADS = {norm(w) for w in "قوات جيش مجلس حركة اتحاد جمعية".split()}
_NOT_NAME = {norm(w) for w in """الذي التي الذين اللذين اللتين الآن اليوم الأمس الأحد الاثنين الثلاثاء الأربعاء
الخميس الجمعة السبت الخاصة الحالي الحالية السابق السابقة الجديد الجديدة الأخير الأخيرة المقبل المقبلة
الماضي الماضية الثاني الثانية الأول الأولى الكبير الكبرى الأخرى التابعة التابع الإرهابية إلى الى""".split()}
_LOC_HEADS = {norm(w) for w in "مدينة بلدة قرية محافظة معبر مخيم مطار ميناء".split()}
_FUNCTION = {norm(w) for w in """في من إلى على عن مع أن إن التي الذي هذه هذا ذلك تلك كل بعد قبل بين حيث""".split()}
MAX_WORDS = 4
ALL = ("org_heads", "acronyms", "construct_loc", "loc_heads", "nisba_surname", "nat_names", "sport_clubs")


def _strip(n: str) -> str:
    if len(n) > 4 and n[:2] in ("وب", "ول", "فب", "فل"):
        return n[2:]
    if len(n) > 3 and n[0] in "وفبل":
        return n[1:]
    return n


@lru_cache(maxsize=100_000)
def _head(word: str, heads=None) -> bool:
    heads = _HEADS if heads is None else _WEAK_HEADS
    n = norm(word)
    return n in heads or _strip(n) in heads


@lru_cache(maxsize=100_000)
def _any_head(word: str) -> bool:
    return _head(word) or _head(word, "weak")


@lru_cache(maxsize=100_000)
def _definite(word: str) -> bool:
    n = norm(word)
    return n.startswith("ال") and len(n) > 3 and n not in _NOT_NAME and n not in NATIONALITY_ISO


def _set(tags: list[str], s: int, e: int, typ: str) -> None:
    tags[s] = "B-" + typ
    for k in range(s + 1, e):
        tags[k] = "I-" + typ


def org_heads(words: list[str], tags: list[str]) -> list[str]:
    if not any(map(_any_head, words)):
        return tags
    L = len(words)
    i = 0
    starts = {s: (e, t) for s, e, t in chunks(tags)}
    while i < L:
        at = starts.get(i)
        strong = _head(words[i])
        weak = at is not None and at[1] == "ORG" and _head(words[i], "weak")
        if not weak and tags[i] == "O" and _head(words[i], "weak"):
            # a weak head before a place and a definite adjective: قوات سوريا الديموقراطية، جيش لبنان الجنوبي
            nxt = starts.get(i + 1)
            weak = nxt is not None and nxt[1] == "LOC" and nxt[0] < L and tags[nxt[0]] == "O" \
                and _definite(words[nxt[0]])
        if not (strong and (tags[i] == "O" or (at and at[1] == "ORG"))) and not weak:
            i += 1
            continue
        j, n_words = (at[0], 1) if at and at[1] == "ORG" else (i + 1, 0)
        named = False  # the complement is a name (كتائب [حزب الله]): a following nationality is not part of it
        while j < L and n_words < MAX_WORDS:
            nxt = starts.get(j)
            if nxt and nxt[1] in ("LOC", "ORG") and n_words == 0:
                j = nxt[0]
                n_words += 1
                named = nxt[1] == "ORG"
                continue
            if tags[j] == "O" and ((_head(words[j]) and n_words > 0) or _definite(words[j])):
                j += 1
                n_words += 1
                named = False
                continue
            break
        if n_words == 0:
            i += 1
            continue
        if j < L and tags[j] == "O" and not named and norm(words[j]) in NATIONALITY_ISO:
            j += 1
        _set(tags, i, j, "ORG")
        starts = {s: (e, t) for s, e, t in chunks(tags)}
        i = j
    return tags


def acronyms(words: list[str], tags: list[str]) -> list[str]:
    if "(" not in words:
        return tags
    for s, e, t in chunks(tags):
        if e + 2 < len(words) and words[e] == "(" and words[e + 2] == ")" and tags[e + 1] == "O" \
                and words[e + 1][:1].isalpha() and len(words[e + 1]) >= 2:
            tags[e + 1] = "B-" + t
    return tags


def construct_loc(words: list[str], tags: list[str]) -> list[str]:
    cs = chunks(tags)
    for (s1, e1, t1), (s2, e2, t2) in zip(cs, cs[1:]):
        if t1 == t2 == "LOC" and e1 == s2 and e1 - s1 == 1 and e2 - s2 == 1:
            a, b = norm(words[s1]), norm(words[s2])
            if not a.startswith("ال") and b.startswith("ال") and not _strip(a).startswith("ال"):
                tags[s2] = "I-LOC"
    return tags


@lru_cache(maxsize=100_000)
def _loc_head(word: str) -> bool:
    n = norm(word)
    return n in _LOC_HEADS or _strip(n) in _LOC_HEADS


def loc_heads(words: list[str], tags: list[str]) -> list[str]:
    if not any(map(_loc_head, words)):
        return tags
    for i in range(len(words) - 1):
        if tags[i] == "O" and tags[i + 1] == "O" and _loc_head(words[i]):
            n = norm(words[i + 1])
            if words[i + 1][:1].isalpha() and n not in _FUNCTION and n not in _NOT_NAME and len(n) >= 3:
                tags[i + 1] = "B-LOC"
    return tags


def nisba_surname(words: list[str], tags: list[str]) -> list[str]:
    for s, e, t in chunks(tags):
        if t == "PER" and e - s >= 2 and e < len(words) and tags[e] == "O":
            n = norm(words[e])
            if n.startswith("ال") and n.endswith("ي") and len(n) >= 6:
                tags[e] = "I-PER"
    return tags


RARE = 50  # news count below which a listed name is taken as a name by nat_names (the common ones are words too)


def _name_roles(word: str, lexicon) -> str:
    n = norm(word)
    for key in (n, _strip(n)):
        roles = lexicon.names.get(key)
        if roles:
            return roles if lexicon.counts.get(key, 0) < RARE else ""
    return ""


@lru_cache(maxsize=100_000)
def _nationality(word: str) -> bool:
    """A definite nationality adjective, with or without و/ف (والسوري): the form that follows a definite title.
    Indefinite ones are left alone: تركي is also a given name (الأمير تركي بن ...)."""
    n = _strip(norm(word))
    return n.startswith("ال") and n in NATIONALITY_ISO


def nat_names(words: list[str], tags: list[str], lexicon) -> list[str]:
    L = len(words)
    for i in range(L - 1):
        if not _nationality(words[i]):
            continue
        if tags[i] == "B-PER" and tags[i + 1] == "I-PER":  # the adjective is not part of the name
            tags[i], tags[i + 1] = "O", "B-PER"
            continue
        if tags[i] != "O":
            continue
        first = _name_roles(words[i + 1], lexicon) if tags[i + 1] == "O" else ""
        if "G" not in first:
            continue
        j = i + 2
        while j < L and j - i <= 3 and tags[j] == "O" and _name_roles(words[j], lexicon) \
                and not _nationality(words[j]):
            j += 1
        if j - i >= 3:
            _set(tags, i + 1, j, "PER")
    return tags


def _forms(word: str) -> tuple[str, ...]:
    """The word, its stem with the article (للعراق -> العراق), and without a و/ف/ب/ل proclitic (وبرشلونة)."""
    from nlp.ner.features import clitic_split, proclitic_candidate
    n = norm(word)
    cand = proclitic_candidate(n)
    return (n, clitic_split(n)[1], _strip(n)) + ((cand[1],) if cand else ())


def _on_club_list(words: list[str], lexicon) -> bool:
    """The words are an entry of the arwikicats club list (the first word also without its proclitics)."""
    rest = "".join(" " + norm(w) for w in words[1:])
    return any(first + rest in lexicon.clubs for first in _forms(words[0]))


_IN = norm("في")


def sport_clubs(words: list[str], tags: list[str], lexicon) -> list[str]:
    """In a sports context: a LOC that is on the club list is the club (برشلونة، ليون، كوبنهاغن), unless it is a
    country (national teams are tagged as the country: مباراة الإمارات) or follows في (في باريس)."""
    for s, e, t in chunks(tags):
        if t == "LOC" and e - s <= 3 and not (s and norm(words[s - 1]) == _IN) \
                and not any(f in COUNTRY_ISO for f in _forms(words[s])) and _on_club_list(words[s:e], lexicon):
            _set(tags, s, e, "ORG")
    return tags


_RULES = {f.__name__: f for f in (org_heads, acronyms, construct_loc, loc_heads, nisba_surname)}
_NAME_RULES = {"nat_names": nat_names}
_SPORT_RULES = {"sport_clubs": sport_clubs}


def apply(words: list[str], tags: list[str], rules=ALL, lexicon=None, sport: bool = False) -> list[str]:
    """``rules`` in order; the rules that need the person-name lists and news counts (``lexicon``, a
    ``FeatureExtractor``) run only when it has them; the sports rules only in a sports context (``sport``) and with
    the club list."""
    tags = list(tags)
    if len(words) < 2:
        return tags
    for name in rules:
        if name in _NAME_RULES:
            if lexicon is not None and lexicon.names and lexicon.counts:
                tags = _NAME_RULES[name](words, tags, lexicon)
        elif name in _SPORT_RULES:
            if sport and lexicon is not None and getattr(lexicon, "clubs", None):
                tags = _SPORT_RULES[name](words, tags, lexicon)
        else:
            tags = _RULES[name](words, tags)
    return tags
