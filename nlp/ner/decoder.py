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
    def __init__(self, weights_path: str | Path, features, o_penalty: float = 0.0, cache_size: int = 200_000):
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
        return self._batch_emissions([words])[0][0, :len(words)]

    def _batch_emissions(self, sents: list[list[str]]):
        """Padded emission scores (B x Lmax x K) and lengths for non-empty sentences."""
        K = len(self.labels)
        table: dict[str, int] = {}
        rows: list[np.ndarray] = []
        infos: list[tuple] = []
        lengths = np.array([len(s) for s in sents])
        B, Lmax = len(sents), int(lengths.max())
        ids = np.full((B, Lmax + 4), -1, dtype=np.intp)  # 2 columns of padding on each side
        for b, ws in enumerate(sents):
            row = ids[b]
            for t, w in enumerate(ws):
                k = table.get(w)
                if k is None:
                    hit = self._word(w)
                    k = table[w] = len(rows)
                    rows.append(hit[0])
                    infos.append(hit[1])
                row[t + 2] = k
        U = np.concatenate([np.stack(rows), np.zeros((1, 5, K))])  # last row: padding
        V = U[ids]  # B x (Lmax+4) x 5 x K
        E = V[:, 2:-2, 0] + V[:, 1:-3, 1] + V[:, 3:-1, 2] + V[:, 0:-4, 3] + V[:, 4:, 4]
        c = self._const
        E[:, 0] += c["-1:BOS"]
        E[:, :2] += c["-2:BOS"]
        ar = np.arange(B)
        E[ar, lengths - 1] += c["+1:EOS"]
        E[ar, lengths - 1] += c["+2:EOS"]
        second_last = lengths >= 2
        E[ar[second_last], lengths[second_last] - 2] += c["+2:EOS"]
        ctx_cache = self._ctx_cache
        for b, ws in enumerate(sents):
            light = [infos[k] for k in ids[b, 2:2 + len(ws)]]
            for i, attrs in self.fx.context_features(ws, light).items():
                key = tuple(attrs)
                v = ctx_cache.get(key)
                if v is None:
                    if len(ctx_cache) > 50_000:
                        ctx_cache.clear()
                    v = ctx_cache[key] = self._vec(attrs)
                E[b, i] += v
        E += self.bias
        return E, lengths

    def tag(self, words: list[str]) -> list[str]:
        return self.tag_many([words])[0] if words else []

    def tag_many(self, sents: list[list[str]]) -> list[list[str]]:
        """Viterbi over a batch of sentences at once (one numpy step per position of the longest sentence)."""
        out: list[list[str]] = [[] for _ in sents]
        idx = [i for i, s in enumerate(sents) if s]
        if not idx:
            return out
        E, lengths = self._batch_emissions([sents[i] for i in idx])
        B, K = E.shape[0], len(self.labels)
        Lmax = E.shape[1]
        T = self.T[None]
        score = E[:, 0].copy()
        back = np.zeros((Lmax, B, K), dtype=np.intp)
        for t in range(1, Lmax):
            cand = score[:, :, None] + T
            bp = cand.argmax(axis=1)
            new = cand.max(axis=1) + E[:, t]
            active = (lengths > t)[:, None]
            score = np.where(active, new, score)
            back[t] = bp
        best = score.argmax(axis=1).tolist()
        labels = self.labels
        lens = lengths.tolist()
        for b, i in enumerate(idx):
            k = best[b]
            path = [k]
            bb = back[1:lens[b], b].tolist()
            for row in reversed(bb):
                k = row[k]
                path.append(k)
            out[i] = [labels[j] for j in reversed(path)]
        return out
