"""Organization contexts learned from unlabelled news: how often a word follows an organization head (شركة نوكيا،
نادي الزمالك، صحيفة الراية) or precedes a nationality adjective (نوكيا الفنلندية، يوفنتوس الإيطالي), a CRF feature
(``oc=``, ``ona=``) for organizations that occur in the news without their head.

Built by ``akhbar ner contexts`` from the unlabelled news of the data folder (``../shared/data/news``; never the
labelled corpora, whose words would otherwise carry counts from their own labelled contexts), written to
``model/contexts.tsv`` (``word<TAB>after-head<TAB>before-nationality<TAB>count``, words in matching form, keyed by
their stem with the article: وشركة and لشركة are heads, للزمالك counts as الزمالك). Nothing is read at run time but
that file.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

from nlp.ner.gazetteers import NATIONALITY_ISO, TRIGGERS
from nlp.ner.tokens import norm

# heads whose next word is mostly the organization's own name (ANERcorp leaves them out: شركة [نوكيا])
ORG_HEADS = frozenset(norm(w) for w in """شركة نادي وكالة صحيفة فريق منظمة حركة حزب جماعة تنظيم مجموعة قناة بنك
مصرف جامعة مؤسسة""".split())
MIN_AFTER = 1   # a word is kept when it follows a head this often ...
MIN_NAT = 2     # ... or precedes a nationality adjective this often


def _stem(n: str) -> str:
    from nlp.ner.features import clitic_split
    return clitic_split(n)[1]


def _is_head(n: str) -> bool:
    from nlp.ner.features import proclitic_candidate
    if n in ORG_HEADS:
        return True
    cand = proclitic_candidate(n)
    return bool(cand) and (cand[1] in ORG_HEADS or (cand[1][:1] in "بكل" and cand[1][1:] in ORG_HEADS))


def count_contexts(streams: Iterable[list[str]]) -> dict[str, tuple[int, int, int]]:
    """{stem: (after an organization head, before a nationality adjective, occurrences)} over normalized token
    streams, for the words seen at least ``MIN_AFTER`` times after a head or ``MIN_NAT`` times before a
    nationality."""
    after, nat, total = Counter(), Counter(), Counter()
    for s in streams:
        heads = [_is_head(w) for w in s]
        for i, w in enumerate(s):
            if not w.isalpha():
                continue
            k = _stem(w)
            total[k] += 1
            if i and heads[i - 1] and not heads[i]:
                after[k] += 1
            if i + 1 < len(s) and s[i + 1] in NATIONALITY_ISO and w not in NATIONALITY_ISO and k not in TRIGGERS \
                    and w not in TRIGGERS:
                nat[k] += 1
    keep = {k for k, v in after.items() if v >= MIN_AFTER} | {k for k, v in nat.items() if v >= MIN_NAT}
    return {k: (after[k], nat[k], total[k]) for k in keep}


def write_contexts(ctx: dict[str, tuple[int, int, int]], path: str | Path) -> None:
    lines = [f"{w}\t{a}\t{n}\t{t}" for w, (a, n, t) in sorted(ctx.items())]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_contexts(path: str | Path) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    p = Path(path)
    if not p.exists():
        return out
    for line in p.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and all(x.isdigit() for x in parts[1:]):
            out[parts[0]] = (int(parts[1]), int(parts[2]), int(parts[3]))
    return out


def features(hit: tuple[int, int, int] | None) -> list[str]:
    """``oc=`` (how often after a head: 1, 2-4, 5+), ``ocr=`` (its share of the word's occurrences >= 10%, >= 30%),
    ``ona=`` (before a nationality: 2-4, 5+) of one word's counts."""
    if not hit:
        return []
    a, n, t = hit
    out = []
    if a:
        out.append("oc=" + ("1" if a == 1 else "2" if a < 5 else "3"))
        r = a / max(t, 1)
        if r >= 0.1:
            out.append("ocr=" + ("2" if r >= 0.3 else "1"))
    if n >= MIN_NAT:
        out.append("ona=" + ("1" if n < 5 else "2"))
    return out
