"""CRF features for Arabic tokens.

Everything that depends on one word only (normalized form, affixes, clitic split, shape, gazetteer and cluster
hits, trigger class) is computed once per word type and cached, already prefixed for each window position
(0, -1, +1, -2, +2); a sentence's features are then concatenations of cached lists, which keeps tagging fast.
Only multi-word gazetteer matches depend on the sentence.
"""
from __future__ import annotations

import re

from nlp.ner.contexts import features as context_features
from nlp.ner.gazetteers import NATIONALITY_ISO, TRIGGERS
from nlp.ner.tokens import norm
from nlp.ner.translit import from_lists

_ART = re.compile(r"^([وف]?[بكل]?)ال(..+)$")
_LIL = re.compile(r"^([وف]?)لل(..+)$")
_PROCL = re.compile(r"^([وف]?[بكل]?)(...+)$")
_PRON = re.compile(r"(هما|كما|هم|هن|كم|كن|ها|نا|ه|ي|ك)$")
_ARABIC = re.compile(r"[\u0621-\u064a]")
_LATIN = re.compile(r"[A-Za-z]")
_PUNCT = set("""!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~،؛؟«»“”‘’…—–""")


def clitic_split(n: str) -> tuple[str, str, str]:
    """(proclitics, stem with article, bare stem) of a normalized word.

    بالعراق -> ("ب", "العراق", "عراق"); للعراق -> ("ل", "العراق", "عراق"); وبغداد -> ("", "وبغداد", "وبغداد")
    (proclitics without an article are ambiguous, see ``proclitic_candidate``).
    """
    m = _ART.match(n)
    if m:
        return m.group(1), "ال" + m.group(2), m.group(2)
    m = _LIL.match(n)
    if m:
        return m.group(1) + "ل", "ال" + m.group(2), m.group(2)
    return "", n, n


def proclitic_candidate(n: str) -> tuple[str, str] | None:
    """For a word without article: a possible و/ف + ب/ك/ل split (وبغداد -> ("وب", "غداد")... and ("و", "بغداد")).

    Returns the split that strips only a conjunction when the word starts with و/ف, else the preposition split.
    """
    if len(n) < 4 or n.startswith("ال"):
        return None
    if n[0] in "وف":
        return n[0], n[1:]
    if n[0] in "بكل":
        return n[0], n[1:]
    return None


def shape(w: str) -> str:
    if w.isdigit():
        return "D"
    if all(c in _PUNCT for c in w):
        return "P"
    if _ARABIC.search(w):
        return "A" if not any(c.isdigit() for c in w) else "AD"
    if _LATIN.search(w):
        return "L"
    return "X"


class FeatureExtractor:
    """Turns token lists into crfsuite attribute lists. ``gaz``: {type: normalized entries}; ``clusters``:
    {normalized word: (coarse, mid, fine) ids}."""

    def __init__(self, gaz: dict[str, set[str]], clusters: dict[str, tuple[str, ...]], cache_size: int = 300_000,
                 bigrams: bool = False, counts: dict[str, int] | None = None, long_triggers: bool = True,
                 topic: bool = True, nat_context: bool = False, names: dict[str, str] | None = None,
                 lists: dict[str, set[str]] | None = None, translit: bool = False, clubs: set[str] | None = None,
                 contexts: dict[str, tuple[int, int, int]] | None = None):
        self.single: dict[str, list[str]] = {}
        # multi-word entries by first word; the arwikicats lists (``nlp.ner.lists``) are matched on their own, so
        # that a longer list entry never hides an ANERGazet match
        self.multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.lmulti: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for source, target in ((gaz, self.multi), (lists or {}, self.lmulti)):
            for typ in sorted(source):  # sorted: the attribute order, hence the model file, is reproducible
                for e in sorted(source[typ]):
                    parts = tuple(e.split())
                    if len(parts) == 1:
                        self.single.setdefault(parts[0], [])
                        if typ not in self.single[parts[0]]:
                            self.single[parts[0]].append(typ)
                    elif parts:
                        target.setdefault(parts[0], []).append((parts, typ))
            for k in target:
                target[k].sort(key=lambda x: (-len(x[0]), x))
        self.clusters = clusters
        self._cache: dict[str, tuple] = {}
        self._cache_size = cache_size
        self.bigrams = bigrams
        self.counts = counts
        self.long_triggers = long_triggers
        self.topic = topic
        self.nat_context = nat_context
        self.names = names or {}
        # organization contexts in the unlabelled news (nlp.ner.contexts): after a head, before a nationality
        self.contexts = contexts or {}
        # transliteration shape (nlp.ner.translit): the lists' words against the frequent news words
        self.translit = from_lists(lists or {}, counts) if translit else None
        # the club list, for the sport_clubs rule (by default the CLUB list among the features)
        self.clubs: set[str] = clubs if clubs is not None else set((lists or {}).get("CLUB", ()))
        self._bos = (["-1:BOS"], ["-2:BOS"])
        self._eos = (["+1:EOS"], ["+2:EOS"])

    # ---- per word type -------------------------------------------------------------------------------------
    def lexical_key(self, n: str) -> str:
        """The form used for cluster lookups: the word itself when known, else its stem."""
        if n in self.clusters:
            return n
        pre, stem, bare = clitic_split(n)
        if stem in self.clusters:
            return stem
        cand = proclitic_candidate(n)
        if cand and cand[1] in self.clusters:
            return cand[1]
        return n

    def _word(self, w: str) -> tuple:
        hit = self._cache.get(w)
        if hit is None:
            hit = self.word_features(w)
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[w] = hit
        return hit

    def word_features(self, w: str) -> tuple:
        """(own, as -1 neighbour, as +1, as -2, as +2, stem, norm, mid cluster, trigger class, extra features in a
        sports context, nationality adjective?, frequency bucket) of one word."""
        n = norm(w)
        pre, stem, bare = clitic_split(n)
        cand = proclitic_candidate(n) if not pre and stem == n else None
        shp = shape(w)
        core: list[str] = [f"n={n}", f"stem={stem}", f"sh={shp}"]   # shared with the neighbours
        own: list[str] = ["bias", f"bare={bare}", f"pre={pre}", f"len={min(len(n), 8)}"]
        for k in (1, 2, 3):
            if len(bare) > k:
                own.append(f"p{k}={bare[:k]}")
                own.append(f"s{k}={bare[-k:]}")
        if len(bare) > 4:
            own.append(f"s4={bare[-4:]}")
        if cand:
            own.append(f"cpre={cand[0]}")
            own.append(f"cstem={cand[1]}")
        m = _PRON.search(bare)
        if m and len(bare) - len(m.group(1)) >= 3:
            own.append(f"pron={m.group(1)}")
        if w != n:
            own.append(f"w={w}")
        # gazetteer hits on the word, its stem, bare stem and proclitic candidate
        gz: set[str] = set()
        for key in (n, stem, bare, cand[1] if cand else None):
            if key:
                for t in self.single.get(key, ()):
                    gz.add(t)
        for t in sorted(gz):
            core.append(f"gz={t}")
        nat = n in NATIONALITY_ISO or stem in NATIONALITY_ISO
        if nat:
            core.append("nat")
        elif stem.startswith("ال") and len(stem) >= 6 and stem[-1] in "يه":
            core.append("nis=" + stem[-1])  # a definite nisba or feminine adjective: الوداد [البيضاوي]
        if self.translit is not None:
            tl = self.translit.bucket(bare)
            if tl:
                core.append(tl)
        trig = TRIGGERS.get(n) or TRIGGERS.get(stem) or (TRIGGERS.get(cand[1]) if cand else None)
        if trig:
            core.append(f"tr={trig}")
        c = self.clusters.get(self.lexical_key(n))
        fq = "fq=?"
        if self.counts is not None:
            k = self.counts.get(n, 0) or self.counts.get(stem, 0)
            fq = "fq=" + ("0" if k == 0 else "1" if k < 5 else "2" if k < 20 else "3" if k < 100 else "4")
            core.append(fq)
        # person-name lists (nlp.ner.names): the word, its stem, or its proclitic candidate (وبسام -> بسام); with
        # the frequency bucket, so that a rare word on the list weighs more than a common word that is also a name.
        # Nationality adjectives are left out: they are surnames too (السوري), but mostly adjectives, and have `nat`.
        roles = self.names.get(n) or self.names.get(stem) or (self.names.get(cand[1]) if cand else None)
        if roles and not nat:
            core.extend(f"nm={r}" for r in roles)
            own.append("nm|" + fq)
        if self.contexts:
            hit = self.contexts.get(stem) or self.contexts.get(n) or (self.contexts.get(cand[1]) if cand else None)
            own.extend(context_features(hit))
        if c:
            for i, cid in enumerate(c):
                core.append(f"c{i}={cid}")
        else:
            core.append("c=none")
        f0 = own + core
        fm1 = ["-1:" + x for x in core] + [f"-1:s2={bare[-2:]}", f"-1:pre={pre}"]
        fp1 = ["+1:" + x for x in core] + [f"+1:pre={pre}"]
        small = [x for x in core if x.startswith(("stem=", "gz=", "tr=", "c1=", "sh=", "nm="))]
        fm2 = ["-2:" + x for x in small]
        fp2 = ["+2:" + x for x in small]
        sp: list[str] = []
        if self.topic:
            sp = ["sp", f"sp|stem={stem}"] + ["sp|" + x for x in core if x.startswith(("gz=", "c1=", "c2=", "nat", "tr=", "tl="))]
        return (f0, fm1, fp1, fm2, fp2, stem, n, c[1] if c else "-", trig, sp, nat, fq)

    # ---- per sentence --------------------------------------------------------------------------------------
    def _multi_gaz(self, stems: list[str], norms: list[str], multi=None) -> dict[int, str]:
        marks: dict[int, str] = {}
        multi = self.multi if multi is None else multi
        if multi.keys().isdisjoint(stems):
            return marks
        i, L = 0, len(stems)
        while i < L:
            cands = multi.get(stems[i])
            matched = 0
            if cands:
                for parts, typ in cands:
                    k = len(parts)
                    if i + k <= L and all(norms[i + j] == parts[j] or stems[i + j] == parts[j] for j in range(1, k)):
                        marks[i] = f"mgz=B-{typ}"
                        for j in range(1, k):
                            marks[i + j] = f"mgz=I-{typ}"
                        matched = k
                        break
            i += matched or 1
        return marks

    def context_features(self, words: list[str], info: list[tuple] | None = None) -> dict[int, list[str]]:
        """Features that depend on more than a +-2 window of single words: multi-word gazetteer matches, a trigger
        word 3-5 tokens back, and (optional) bigrams."""
        info = info if info is not None else [self._word(w) for w in words]
        out: dict[int, list[str]] = {}
        for multi in (self.multi, self.lmulti):
            if multi:
                for i, mk in self._multi_gaz([x[5] for x in info], [x[6] for x in info], multi).items():
                    out.setdefault(i, []).append(mk)
        L = len(info)
        if self.long_triggers:
            trig_pos = [j for j in range(L) if info[j][8]]
            for j in trig_pos:
                for i in range(j + 3, min(L, j + 6)):
                    out.setdefault(i, []).append("tr35=" + info[j][8])
        if self.nat_context:  # a word after a nationality adjective (after a title): الوزير السوري بسام الصباغ
            for j in range(L - 1):
                if info[j][10]:
                    out.setdefault(j + 1, []).append("nat-1|" + info[j + 1][11])
                    if j and info[j - 1][8]:
                        out[j + 1].append("nat-1|tr-2=" + info[j - 1][8])
        if self.bigrams:
            for i in range(L):
                prev = info[i - 1] if i else None
                out.setdefault(i, []).extend((f"bw={prev[6] if prev else '^'}|{info[i][6]}",
                                              f"bc={prev[7] if prev else '^'}|{info[i][7]}"))
        return out

    def sentence(self, words: list[str], sport: bool = False) -> list[list[str]]:
        """Attribute lists of one sentence; ``sport``: the sentence is in a sports context (``nlp.ner.topic``)."""
        info = [self._word(w) for w in words]
        L = len(info)
        ctx = self.context_features(words, info)
        out: list[list[str]] = []
        for i in range(L):
            f = list(info[i][0])
            f += info[i - 1][1] if i >= 1 else self._bos[0]
            f += info[i - 2][3] if i >= 2 else self._bos[1]
            f += info[i + 1][2] if i + 1 < L else self._eos[0]
            f += info[i + 2][4] if i + 2 < L else self._eos[1]
            extra = ctx.get(i)
            if extra:
                f += extra
            if sport:
                f += info[i][9]
            out.append(f)
        return out
