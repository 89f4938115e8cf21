"""Fast CRF decoding in numpy from the weights of a crfsuite model.

crfsuite's own tagger looks up ~50 attribute strings per token, which dominates the entity stage's time. Here the
weights are exported once (``export_weights``: attribute list + a float32 matrix, a few MB, next to the model) and the
emission scores of a word at each window offset are summed once per word type and cached, so tagging a sentence is a
few numpy row lookups plus a 9-label Viterbi. Scores are identical to crfsuite's (tested); the only addition is an
optional bias against the O label (``o_penalty``) for recall-oriented decoding.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


def export_weights(model_path: str | Path, out: str | Path) -> None:
    """Write the crfsuite model's labels, transitions and state-feature weights as a compressed .npz."""
    import pycrfsuite
    t = pycrfsuite.Tagger()
    t.open(str(model_path))
    info = t.info()
    labels = t.labels()
    lid = {l: i for i, l in enumerate(labels)}
    attrs: dict[str, int] = {}
    rows: list[np.ndarray] = []
    for (attr, label), w in info.state_features.items():
        i = attrs.get(attr)
        if i is None:
            i = attrs[attr] = len(attrs)
            rows.append(np.zeros(len(labels), dtype=np.float32))
        rows[i][lid[label]] = w
    trans = np.zeros((len(labels), len(labels)), dtype=np.float32)
    for (a, b), w in info.transitions.items():
        trans[lid[a], lid[b]] = w
    np.savez_compressed(out, labels=np.array("\n".join(labels)), attrs=np.array("\n".join(attrs)),
                        weights=np.stack(rows) if rows else np.zeros((0, len(labels)), np.float32), transitions=trans)


class Decoder:
    def __init__(self, weights_path: str | Path, features, o_penalty: float = 0.0, cache_size: int = 100_000):
        z = np.load(weights_path)
        self.labels = str(z["labels"]).split("\n")
        attrs = str(z["attrs"]).split("\n") if z["weights"].shape[0] else []
        self.index = {a: i for i, a in enumerate(attrs)}
        # one extra all-zero row for attributes the model does not know
        self.W = np.vstack([z["weights"].astype(np.float64), np.zeros((1, len(self.labels)))])
        self.zero = len(attrs)
        self.T = z["transitions"].astype(np.float64)
        self.fx = features
        self.o = self.labels.index("O")
        self.bias = np.zeros(len(self.labels))
        self.bias[self.o] = -o_penalty
        self._cache: dict[str, tuple] = {}
        self._ctx_cache: dict[tuple, np.ndarray] = {}
        self._cache_size = cache_size
        self._const = {k: self._vec([k]) for k in ("-1:BOS", "-2:BOS", "+1:EOS", "+2:EOS")}

    def _vec(self, attrs) -> np.ndarray:
        idx = self.index
        z = self.zero
        return self.W[[idx.get(a, z) for a in attrs]].sum(axis=0)

    def _word(self, w: str) -> tuple:
        """(5 x labels emission block, light info for context features) of one word type, cached."""
        hit = self._cache.get(w)
        if hit is None:
            f = self.fx.word_features(w)
            vec = np.stack([self._vec(f[0]), self._vec(f[1]), self._vec(f[2]), self._vec(f[3]), self._vec(f[4])])
            hit = (vec, (None, None, None, None, None) + tuple(f[5:]))
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[w] = hit
        return hit

    def emissions(self, words: list[str]) -> np.ndarray:
        E, starts, lengths = self._flat_emissions([words])
        return E[: len(words)]

    def _flat_emissions(self, sents: list[list[str]]):
        """Emission scores of all tokens of all (non-empty) sentences, concatenated (N x K), with each sentence's
        start row and length. Sentences are laid out with two padding slots around each, so window offsets never
        cross a sentence boundary."""
        uniq = list(dict.fromkeys(w for ws in sents for w in ws))
        cache = self._cache
        hits = [cache.get(w) or self._word(w) for w in uniq]
        index = {w: k for k, w in enumerate(uniq)}
        rows = [h[0] for h in hits]
        ids: list[int] = [-1, -1]
        starts: list[int] = []
        get = index.__getitem__
        for ws in sents:
            starts.append(len(ids))
            ids.extend(map(get, ws))
            ids += (-1, -1)
        # words that can trigger context features (a trigger class, or the first word of a multi-word gazetteer entry)
        multi = self.fx.multi
        flagged = {w for w, h in zip(uniq, hits) if h[1][8] or h[1][5] in multi}
        K = len(self.labels)
        U = np.concatenate([np.stack(rows), np.zeros((1, 5, K))])  # last row: padding
        idx = np.asarray(ids, dtype=np.intp)
        V = U[idx]  # M x 5 x K, M = tokens + padding
        E = V[:, 0].copy()
        E[1:] += V[:-1, 1]
        E[:-1] += V[1:, 2]
        E[2:] += V[:-2, 3]
        E[:-2] += V[2:, 4]
        st = np.asarray(starts, dtype=np.intp)
        lengths = np.asarray([len(s) for s in sents], dtype=np.intp)
        ends = st + lengths
        c = self._const
        E[st] += c["-1:BOS"]
        E[st] += c["-2:BOS"]
        two = lengths >= 2
        E[st[two] + 1] += c["-2:BOS"]
        E[ends - 1] += c["+1:EOS"] + c["+2:EOS"]
        E[ends[two] - 2] += c["+2:EOS"]
        ctx_cache = self._ctx_cache
        for b, ws in enumerate(sents):
            if not flagged or flagged.isdisjoint(ws):
                continue
            s0 = starts[b]
            light = [hits[k][1] for k in ids[s0:s0 + len(ws)]]
            for i, attrs in self.fx.context_features(ws, light).items():
                key = tuple(attrs)
                v = ctx_cache.get(key)
                if v is None:
                    if len(ctx_cache) > 50_000:
                        ctx_cache.clear()
                    v = ctx_cache[key] = self._vec(attrs)
                E[s0 + i] += v
        E += self.bias
        return E, st, lengths

    def tag(self, words: list[str]) -> list[str]:
        return self.tag_many([words])[0] if words else []

    def tag_many(self, sents: list[list[str]]) -> list[list[str]]:
        """Viterbi over a batch of sentences at once: sentences sorted by length, one numpy step per position of
        the longest, each step on the sentences still running."""
        out: list[list[str]] = [[] for _ in sents]
        idx = [i for i, s in enumerate(sents) if s]
        if not idx:
            return out
        idx.sort(key=lambda i: -len(sents[i]))
        E, st, lengths = self._flat_emissions([sents[i] for i in idx])
        B, K = len(idx), len(self.labels)
        Lmax = int(lengths[0])
        # padded B x Lmax x K view of the emissions (rows past a sentence's end are never read)
        pos = st[:, None] + np.arange(Lmax)[None, :]
        np.minimum(pos, len(E) - 1, out=pos)
        Ep = E[pos]
        T = self.T[None]
        score = Ep[:, 0].copy()
        back = np.zeros((Lmax, B, K), dtype=np.intp)
        active = np.searchsorted(-lengths, -np.arange(Lmax), side="left")  # sentences with length > t
        for t in range(1, Lmax):
            n = int(active[t]) if t < len(active) else 0
            n = int((lengths > t).sum()) if n == 0 else n
            cand = score[:n, :, None] + T
            back[t, :n] = cand.argmax(axis=1)
            score[:n] = cand.max(axis=1) + Ep[:n, t]
        best = score.argmax(axis=1).tolist()
        labels = self.labels
        lens = lengths.tolist()
        for b, i in enumerate(idx):
            k = best[b]
            path = [k]
            for row in reversed(back[1:lens[b], b].tolist()):
                k = row[k]
                path.append(k)
            out[i] = [labels[j] for j in reversed(path)]
        return out
