"""Arabic named-entity recognition: a CRF tagger trained here (python-crfsuite), shipped in ``model/``.

Public API (used by the entity stage)::

    load_tagger(path=None) -> Tagger      # cached, one load per process
    Tagger.find(text) -> list[Mention]    # spans with character offsets into ``text``
    Tagger.tag(tokens) -> list[str]       # IOB2 tags for pre-tokenized input

``AKHBAR_NER_BACKEND=camel`` selects camel-tools' BERT NER instead (see ``nlp.ner.camel``); the default is ``crf``.
"""
from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = MODEL_DIR / "akhbar-ner.crfsuite"
CLUSTERS_FILE = MODEL_DIR / "clusters.tsv"
GAZETTEER_FILE = MODEL_DIR / "gazetteer.tsv"
NAMES_FILE = MODEL_DIR / "names.tsv"
LISTS_FILE = MODEL_DIR / "lists.tsv"
CONTEXTS_FILE = MODEL_DIR / "contexts.tsv"
TYPES = ("PER", "LOC", "ORG", "MISC")
# Decoding bias against the O label (recall-oriented decoding); chosen on the dev split, see docs/ner.md.
O_PENALTY = 0.25


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the display text: ``text[start:end]`` is the mention."""
    start: int
    end: int
    type: str


def spans_from_tags(offsets: list[tuple[int, int]], tags: list[str]) -> list[Mention]:
    from nlp.ner.evaluation import chunks
    return [Mention(offsets[s][0], offsets[e - 1][1], t) for s, e, t in chunks(tags) if t in TYPES]


class Tagger:
    """The CRF tagger: features from ``nlp.ner.features``, weights trained by crfsuite, decoded in numpy
    (``nlp.ner.decoder``; identical output to crfsuite's tagger, several times faster)."""

    def __init__(self, model_path: str | os.PathLike | None = None, consistency: bool = True,
                 o_penalty: float = O_PENALTY, rules: tuple[str, ...] | None = None):
        from nlp.ner.clusters import read_clusters, read_counts
        from nlp.ner.contexts import read_contexts
        from nlp.ner.decoder import Decoder, export_weights
        from nlp.ner.features import FeatureExtractor
        from nlp.ner.gazetteers import read_gazetteer, with_builtin
        from nlp.ner.names import read_names

        self.model_path = Path(model_path or MODEL_FILE)
        if not self.model_path.is_file():
            raise FileNotFoundError(f"NER model not found: {self.model_path} (train one with `akhbar ner train`)")
        folder = self.model_path.parent
        clusters = folder / CLUSTERS_FILE.name
        # the decoder caches per-word emission scores itself; the string features need no cache here
        weights = self.model_path.with_suffix(".npz")
        if not weights.is_file() or weights.stat().st_mtime < self.model_path.stat().st_mtime:
            buf = io.BytesIO()
            export_weights(self.model_path, buf)
            buf.seek(0)
            weights = buf
        attrs = Decoder.attributes(weights)
        # the arwikicats lists (nlp.ner.lists) are features only for a model trained with them (the shipped one is
        # not); their club list is read in any case, for the sport_clubs rule
        lists = read_gazetteer(folder / LISTS_FILE.name)
        used = {t: v for t, v in lists.items() if f"gz={t}" in attrs or f"mgz=B-{t}" in attrs}
        self.features = FeatureExtractor(with_builtin(read_gazetteer(folder / GAZETTEER_FILE.name)),
                                         read_clusters(clusters), counts=read_counts(clusters), cache_size=1,
                                         names=read_names(folder / NAMES_FILE.name), lists=used,
                                         clubs=lists.get("CLUB", set()),
                                         translit="tl=1" in attrs or "tl=2" in attrs,
                                         # organization contexts: only for a model trained with them
                                         contexts=read_contexts(folder / CONTEXTS_FILE.name)
                                         if any(a.startswith(("oc=", "ona=")) for a in attrs) else None)
        self.decoder = Decoder(weights, self.features, o_penalty=o_penalty, aux=_word_aux)
        self.consistency = consistency
        from nlp.ner import rules as _rules
        self.rules = _rules.ALL if rules is None else tuple(rules)

    def _rules_for(self, bits: int) -> tuple[str, ...]:
        """The rules that can change a sentence whose words have ``bits``: org_heads needs a head word, loc_heads a
        location head, acronyms a parenthesis, nat_names a nationality adjective."""
        need = {"org_heads": HEAD_BIT, "loc_heads": LOC_HEAD_BIT, "acronyms": PAREN_BIT, "nat_names": NAT_BIT}
        return tuple(r for r in self.rules if r not in need or need[r] & bits)

    def tag(self, tokens: list[str]) -> list[str]:
        """IOB2 tags for one pre-tokenized sentence."""
        if not tokens:
            return []
        try:
            return self.decoder.tag([str(t) for t in tokens])
        except Exception:  # never raise on odd input
            return ["O"] * len(tokens)

    def find(self, text: str) -> list[Mention]:
        """Mentions in ``text`` (offsets into it). Never raises; [] for empty or non-string input."""
        try:
            return self._find(text)
        except Exception:
            return []

    def _find(self, text: str) -> list[Mention]:
        import numpy as np

        from nlp.ner.consistency import harmonize
        from nlp.ner.rules import apply
        from nlp.ner.evaluation import chunks
        from nlp.ner.tokens import part_offsets, sentence_parts
        from nlp.ner.topic import MIN_HITS, RADIUS, windowed

        if not isinstance(text, str) or not text.strip():
            return []
        sp = sentence_parts(text)
        if not sp:
            return []
        words = [parts[1::2] for _, parts in sp]
        dec = self.decoder
        rows = dec.rows_of(words)
        flat = [r for rs in rows for r in rs]
        bits = dec.bits[flat]
        cuts = np.cumsum([0] + [len(rs) for rs in rows[:-1]])
        sport = windowed(np.add.reduceat(bits & SPORT_BIT, cuts).tolist(), RADIUS, MIN_HITS)
        tags = dec.tag_rows(words, rows, sport)
        if self.rules:
            heads = np.bitwise_or.reduceat(bits, cuts).tolist()
            for k, ts in enumerate(tags):
                if heads[k] & RULE_BITS or ts.count("O") != len(ts):
                    tags[k] = apply(words[k], ts, self._rules_for(heads[k]), self.features, sport[k])
        if self.consistency:
            kget, aget = dec.aux_cols[0].__getitem__, dec.aux_cols[1].__getitem__
            tags = harmonize(words, tags, keys=[list(map(kget, rs)) for rs in rows],
                             alts=[list(map(aget, rs)) for rs in rows])
        out: list[Mention] = []
        for (start, parts), ts in zip(sp, tags):
            if ts.count("O") != len(ts):
                offs = part_offsets(start, parts)
                for s, e, t in chunks(ts):
                    if t in TYPES:
                        out.append(Mention(offs[2 * s + 1], offs[2 * e], t))
        return out


# per-word bits kept by the decoder (``_word_aux``)
SPORT_BIT, HEAD_BIT, LOC_HEAD_BIT, PAREN_BIT, NAT_BIT = 1, 2, 4, 8, 16
RULE_BITS = HEAD_BIT | LOC_HEAD_BIT | PAREN_BIT | NAT_BIT


def _word_aux(word: str) -> tuple:
    """(consistency key, proclitic-stripped alternative key, bits) of one word type."""
    from nlp.ner.consistency import _alt, _key
    from nlp.ner.rules import _any_head, _loc_head, _nationality
    from nlp.ner.topic import is_sport
    bits = (SPORT_BIT * is_sport(word)) | (HEAD_BIT * _any_head(word)) | (LOC_HEAD_BIT * _loc_head(word)) \
        | (PAREN_BIT * (word == "(")) | (NAT_BIT * _nationality(word))
    return _key(word), _alt(word), bits


_lock = threading.Lock()
_cache: dict[tuple[str, str], object] = {}


def load_tagger(path: str | None = None) -> Tagger:
    """The process-wide tagger for ``path`` (default: the shipped model), loaded once.

    ``AKHBAR_NER_BACKEND`` picks the implementation: ``crf`` (default) or ``camel`` (camel-tools BERT NER, only where
    its model data and torch are installed).
    """
    backend = os.environ.get("AKHBAR_NER_BACKEND", "crf").strip().lower() or "crf"
    key = (backend, str(path or ""))
    with _lock:
        hit = _cache.get(key)
        if hit is None:
            if backend == "crf":
                hit = Tagger(path)
            elif backend == "camel":
                from nlp.ner.camel import CamelTagger
                hit = CamelTagger(path)
            else:
                raise ValueError(f"AKHBAR_NER_BACKEND={backend!r}: expected 'crf' or 'camel'")
            _cache[key] = hit
        return hit  # type: ignore[return-value]


__all__ = ["Mention", "Tagger", "load_tagger", "spans_from_tags", "MODEL_FILE", "TYPES"]
