"""CoNLL reading, the dev split carved from ANERcorp, and NewsFANE de-duplication against it."""
from __future__ import annotations

import os
from pathlib import Path

from nlp.ner.tokens import norm

Sentence = tuple[list[str], list[str]]  # tokens, IOB2 tags

# The dev split: ANERcorp train sentences from this index on (a document start: the photo-caption line of the
# wrestling article "محمد عبد الفتاح ( أعلى ) ..."), 659 of 3,989 sentences, 15.9% of the tokens: about 1/6,
# contiguous documents. Never trained on.
ANERCORP_DEV_START = 3330
TYPES = ("PER", "LOC", "ORG", "MISC")
_TAGS = {"O"} | {f"{p}-{t}" for p in "BI" for t in TYPES}


class ConllError(ValueError):
    pass


def read_conll(path: str | Path) -> list[Sentence]:
    """``token<TAB>tag`` lines, blank line between sentences. Raises ConllError with the line number when malformed."""
    p = Path(path)
    if not p.is_file():
        raise ConllError(f"no such file: {p}")
    out: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    with p.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if toks:
                    out.append((toks, tags))
                    toks, tags = [], []
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0]:
                parts = line.rsplit(None, 1)
                if len(parts) != 2:
                    raise ConllError(f"{p}:{lineno}: expected 'token<TAB>tag', got {line[:60]!r}")
            tag = parts[1].strip()
            if tag not in _TAGS:
                if tag[:2] in ("B-", "I-") and tag[2:] in ("PERS", "MIS"):
                    tag = tag[:2] + ("PER" if tag[2:] == "PERS" else "MISC")
                else:
                    raise ConllError(f"{p}:{lineno}: unknown tag {tag!r} (expected O, B-/I- PER LOC ORG MISC)")
            toks.append(parts[0])
            tags.append(tag)
    if toks:
        out.append((toks, tags))
    return out


_NF_COARSE = {
    **{t: "PER" for t in ("Politician", "Athlete", "Artist", "Other_PER", "Religious_PER", "Scientist", "Police",
                          "Businessperson", "Lawyer", "Engineer")},
    **{t: "ORG" for t in ("Non-Governmental", "Sports", "Government", "Media", "Commercial", "Educational",
                          "Medical-Science", "Entertainment", "Religious_ORG")},
    **{t: "LOC" for t in ("Nation", "Population-Center", "State-or-Province", "GPE-Cluster", "Continent",
                          "County-or-District", "Water-Body", "Land-Region-Natural", "Celestial", "Building-Grounds",
                          "Path", "Airport", "Subarea-Facility", "Plant")},
    **{t: "MISC" for t in ("Land", "Air", "Water", "Projectile", "Shooting", "Book", "Movie", "Software", "Hardware",
                           "Food", "Drug")},
    "Group": None,  # nationalities/peoples (العرب، السوريين): PER in NewsFANE, not an entity in ANERcorp -> O
}


def read_newsfane_orig(path: str | Path) -> list[Sentence]:
    """NewsFANE Gold from its original fine-grained lines, mapped to ANERcorp's conventions: like the shared
    ``newsfane_train.conll`` except that the fine type Group (peoples, nationalities) becomes O, as in ANERcorp."""
    out: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    text = Path(path).read_text(encoding="utf-8-sig")
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if toks:
                out.append((toks, tags))
                toks, tags = [], []
            continue
        tok, _, tag = line.partition("\t")
        tok = tok.replace("\u200e", "").replace("\ufeff", "").strip()
        if not tok:
            continue
        tag = tag.strip()
        if tag != "O":
            p, _, fine = tag.partition("-")
            coarse = _NF_COARSE.get(fine, "MISC")
            if coarse is None:
                tag = "O"
            else:
                if p == "I" and (not tags or tags[-1][2:] != coarse):
                    p = "B"
                tag = f"{p}-{coarse}"
        toks.append(tok)
        tags.append(tag)
    if toks:
        out.append((toks, tags))
    return out


def default_data_root() -> Path:
    env = os.environ.get("AKHBAR_NER_DATA")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    return (repo / ".." / "shared" / "data" / "ner").resolve()


def _key(tokens: list[str]) -> str:
    return "".join(norm(t) for t in tokens).replace(" ", "")


def _grams(s: str, n: int = 15) -> set[str]:
    return {s[i:i + n] for i in range(0, max(1, len(s) - n + 1))}


def drop_overlap(sentences: list[Sentence], held_out: list[Sentence], threshold: float = 0.3,
                 dropped_out: list | None = None) -> tuple[list[Sentence], int]:
    """Sentences of a re-annotation (NewsFANE) minus those whose text is in ``held_out`` (ANERcorp dev).

    Matched on normalized, de-spaced token sequences (NewsFANE is partly clitic-segmented and hamza-normalized, so
    exact token equality misses many): a sentence is dropped when >= ``threshold`` of its character 15-grams occur
    in the held-out text, or when it is a short sentence found verbatim there.
    """
    grams: set[str] = set()
    whole = []
    for toks, _ in held_out:
        k = _key(toks)
        whole.append(k)
        grams |= _grams(k)
    blob = "\x00".join(whole)
    kept, dropped = [], 0
    for sent in sentences:
        k = _key(sent[0])
        if len(k) < 15:
            hit = k in blob
        else:
            g = _grams(k)
            hit = len(g & grams) / len(g) >= threshold
        if hit:
            dropped += 1
            if dropped_out is not None:
                dropped_out.append(sent)
        else:
            kept.append(sent)
    return kept, dropped


def load_training(root: str | Path, use_newsfane: bool = True, use_aqmar: bool = True, use_anercorp: bool = True,
                  aqmar_weight: int = 1) -> dict:
    """{"train": [...], "dev": [...], "newsfane_dev": [...], "aqmar_dev": [...], "stats": {...}} from the shared
    data folder. ``newsfane_dev`` is the dev text as NewsFANE annotates it (the sentences dropped from training)."""
    root = Path(root)
    aner = read_conll(root / "anercorp" / "anercorp_train.conll")
    train, dev = aner[:ANERCORP_DEV_START], aner[ANERCORP_DEV_START:]
    stats = {"anercorp_train": len(train) if use_anercorp else 0, "anercorp_dev": len(dev)}
    out_train = list(train) if use_anercorp else []
    orig = root / "newsfane_gold" / "NewsFANE_Gold_2014_170K.orig-lines.shared-subset.txt"
    nf = read_newsfane_orig(orig) if orig.is_file() else read_conll(root / "newsfane_gold" / "newsfane_train.conll")
    nf_dev: list[Sentence] = []
    nf_kept, nf_dropped = drop_overlap(nf, dev, dropped_out=nf_dev)
    if use_newsfane:
        out_train += nf_kept
        stats.update(newsfane_kept=len(nf_kept), newsfane_dropped=nf_dropped)
    if use_aqmar:
        aq = read_conll(root / "aqmar" / "aqmar_train.conll")
        out_train += aq * aqmar_weight  # weight > 1: AQMAR repeated (L-BFGS on a weighted objective)
        stats["aqmar_train"] = len(aq) * aqmar_weight
    aq_dev = read_conll(root / "aqmar" / "aqmar_dev.conll")
    return {"train": out_train, "dev": dev, "newsfane_dev": nf_dev, "aqmar_dev": aq_dev, "stats": stats}
