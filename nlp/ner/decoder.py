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
    """Per word type, the 5 x labels emission block (own position and as -1/+1/-2/+2 neighbour) and the sports-context
    vector are computed once and kept as rows of persistent matrices; a batch of sentences is then a row-index array,
    one gather and a few shifted adds. ``aux(word)`` (optional) is stored per row too, for callers that need other
    per-word facts (``rows_of`` returns the row ids); its last element, a small int, is also kept in the array
    ``bits``."""

    @staticmethod
    def attributes(weights_path) -> set[str]:
        """The attribute names of exported weights (which features the model was trained with)."""
        z = np.load(weights_path)
        if hasattr(weights_path, "seek"):
            weights_path.seek(0)
        return set(str(z["attrs"]).split("\n")) if z["weights"].shape[0] else set()

    def __init__(self, weights_path: str | Path, features, o_penalty: float = 0.0, cache_size: int = 100_000,
                 aux=None):
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
        self._aux_fn = aux
        self._cache_size = cache_size
        self._ctx_cache: dict[tuple, np.ndarray] = {}
        self._const = {k: self._vec([k]) for k in ("-1:BOS", "-2:BOS", "+1:EOS", "+2:EOS")}
        # vectors of the context features computed in numpy (see FeatureExtractor.context_features)
        self._classes: list[str] = [""]
        self._fqs: list[str] = []
        self._TR35 = np.zeros((1, len(self.labels)))
        self._NATTR = np.zeros((1, len(self.labels)))
        self._NAT1 = np.zeros((0, len(self.labels)))
        self._reset(1024)

    def _class_id(self, cls: str) -> int:
        if cls not in self._classes:
            self._classes.append(cls)
            self._TR35 = np.vstack([self._TR35, self._vec(["tr35=" + cls])])
            self._NATTR = np.vstack([self._NATTR, self._vec(["nat-1|tr-2=" + cls])])
        return self._classes.index(cls)

    def _fq_id(self, fq: str) -> int:
        if fq not in self._fqs:
            self._fqs.append(fq)
            self._NAT1 = np.vstack([self._NAT1, self._vec(["nat-1|" + fq])])
        return self._fqs.index(fq)

    def _reset(self, cap: int) -> None:
        K = len(self.labels)
        self._row: dict[str, int] = {}
        self._U = np.zeros((cap, 5, K))     # emission blocks; the last used row + 1 is kept as all-zero padding
        self._S = np.zeros((cap, K))        # sports-context vectors
        self._flag = np.zeros(cap, dtype=bool)  # the word can start context features (trigger, multi-word gazetteer)
        self.bits = np.zeros(cap, dtype=np.uint8)  # the last element of aux(word), when aux is given
        self._trig = np.zeros(cap, dtype=np.intp)  # trigger class id (0: none)
        self._nat = np.zeros(cap, dtype=bool)     # nationality adjective
        self._fq = np.zeros(cap, dtype=np.intp)    # frequency bucket id
        self._mflag = np.zeros(cap, dtype=bool)   # first word of a multi-word gazetteer entry
        self.light: list[tuple] = []        # light per-word info for the context features
        self.aux: list = []
        self.aux_cols: list[list] = []  # aux elements but the last, column by column
        self._n = 0

    def _vec(self, attrs) -> np.ndarray:
        idx = self.index
        z = self.zero
        return self.W[[idx.get(a, z) for a in attrs]].sum(axis=0)

    def _add(self, w: str) -> int:
        n = self._n
        if n + 2 > len(self._U):
            cap = 2 * len(self._U)
            self._U = np.concatenate([self._U, np.zeros_like(self._U)])
            self._S = np.concatenate([self._S, np.zeros_like(self._S)])
            self._flag = np.concatenate([self._flag, np.zeros_like(self._flag)])
            self.bits = np.concatenate([self.bits, np.zeros_like(self.bits)])
            self._trig = np.concatenate([self._trig, np.zeros_like(self._trig)])
            self._nat = np.concatenate([self._nat, np.zeros_like(self._nat)])
            self._fq = np.concatenate([self._fq, np.zeros_like(self._fq)])
            self._mflag = np.concatenate([self._mflag, np.zeros_like(self._mflag)])
            assert len(self._U) == cap
        f = self.fx.word_features(w)
        U = self._U[n]
        for k in range(5):
            U[k] = self._vec(f[k])
        if f[9]:
            self._S[n] = self._vec(f[9])
        # the context features read the scalars only; without f[9] (a list) the tuple holds no container, so the
        # garbage collector stops tracking it: a cache of ~40,000 words otherwise made every full collection of
        # a worker traverse them (gen2 pauses of 100-270 ms, docs/benchmarks/pipeline-notes.md)
        light = (None, None, None, None, None) + tuple(f[5:9]) + (None,) + tuple(f[10:])
        self._mflag[n] = light[5] in self.fx.multi or light[5] in self.fx.lmulti
        if light[8]:
            self._trig[n] = self._class_id(light[8])
        self._nat[n] = bool(light[10])
        self._fq[n] = self._fq_id(light[11])
        self.light.append(light)
        if self._aux_fn is not None:
            a = self._aux_fn(w)
            self.aux.append(a)
            if not self.aux_cols:
                self.aux_cols = [[] for _ in a[:-1]]
            for col, v in zip(self.aux_cols, a):
                col.append(v)
            self.bits[n] = a[-1]
        self._row[w] = n
        self._n = n + 1
        return n

    def rows_of(self, sents: list[list[str]]) -> list[list[int]]:
        """Row ids of every word (new word types are added). Call before ``tag_rows``; a full cache is cleared here,
        so ids stay valid until the next call."""
        if self._n >= self._cache_size:
            self._reset(1024)
        get = self._row.get
        out = []
        for ws in sents:
            r = list(map(get, ws))
            if None in r:
                r = [get(w) if x is None and w in self._row else (self._add(w) if x is None else x)
                     for w, x in zip(ws, r)]
            out.append(r)
        return out

    def emissions(self, words: list[str]) -> np.ndarray:
        rows = self.rows_of([words])
        E, starts, lengths = self._flat_emissions([words], rows)
        return E[starts[0]: starts[0] + len(words)]

    def _flat_emissions(self, sents: list[list[str]], rows: list[list[int]], sport: list[bool] | None = None):
        """Emission scores of all tokens of all (non-empty) sentences, concatenated (N x K), with each sentence's
        start row and length. Sentences are laid out with two padding slots around each, so window offsets never
        cross a sentence boundary."""
        pad = self._n  # an all-zero row
        ids: list[int] = [pad, pad]
        starts: list[int] = []
        for r in rows:
            starts.append(len(ids))
            ids += r
            ids += (pad, pad)
        idx = np.asarray(ids, dtype=np.intp)
        V = self._U[idx]  # M x 5 x K, M = tokens + padding
        E = V[:, 0].copy()
        E[1:] += V[:-1, 1]
        E[:-1] += V[1:, 2]
        E[2:] += V[:-2, 3]
        E[:-2] += V[2:, 4]
        st = np.asarray(starts, dtype=np.intp)
        lengths = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
        ends = st + lengths
        c = self._const
        E[st] += c["-1:BOS"] + c["-2:BOS"]
        two = lengths >= 2
        E[st[two] + 1] += c["-2:BOS"]
        E[ends - 1] += c["+1:EOS"] + c["+2:EOS"]
        E[ends[two] - 2] += c["+2:EOS"]
        if sport is not None and self.fx.topic and any(sport):
            on = np.zeros(len(ids), dtype=bool)
            for b, sp in enumerate(sport):
                if sp:
                    on[starts[b]:starts[b] + len(rows[b])] = True
            E[on] += self._S[idx[on]]
        fx = self.fx
        trig = self._trig[idx] if fx.long_triggers or fx.nat_context else None
        nat = self._nat[idx] if fx.nat_context else None
        mflag = self._mflag[idx] if fx.multi or fx.lmulti else None
        has_trig = trig is not None and trig.any()
        has_nat = nat is not None and nat.any()
        has_multi = mflag is not None and mflag.any()
        if has_trig or has_nat or has_multi:
            # end (exclusive) of the sentence of each token position
            send = np.zeros(len(ids), dtype=np.intp)
            tok = idx < pad
            send[tok] = np.repeat(ends, lengths)
            if has_trig and fx.long_triggers:
                src = np.flatnonzero(trig)
                for d in (3, 4, 5):  # targets are distinct for one d: plain fancy-index adds
                    tgt = src + d
                    ok = tgt < send[src]
                    if ok.any():
                        E[tgt[ok]] += self._TR35[trig[src[ok]]]
            if has_nat:
                src = np.flatnonzero(nat)
                tgt = src + 1
                ok = tgt < send[src]
                src, tgt = src[ok], tgt[ok]
                if len(src):
                    E[tgt] += self._NAT1[self._fq[idx[tgt]]]
                    t2 = trig[src - 1]
                    has = (t2 > 0) & tok[src - 1]
                    if has.any():
                        E[tgt[has]] += self._NATTR[t2[has]]
            if has_multi:
                # multi-word gazetteer entries, as FeatureExtractor._multi_gaz: leftmost first, longest entry first,
                # no overlaps; only the positions whose stem starts an entry are visited
                # (ANERGazet and the arwikicats lists each on their own)
                light = self.light
                ctx_cache = self._ctx_cache
                starts_at = np.flatnonzero(mflag).tolist()
                for multi in (fx.multi, fx.lmulti):
                    free = -1
                    for p in starts_at:
                        if p < free:
                            continue
                        e = int(send[p])
                        for parts, typ in multi.get(light[ids[p]][5], ()):
                            k = len(parts)
                            if p + k <= e and all(light[ids[p + j]][6] == parts[j] or light[ids[p + j]][5] == parts[j]
                                                  for j in range(1, k)):
                                for j in range(k):
                                    mk = f"mgz={'I' if j else 'B'}-{typ}"
                                    v = ctx_cache.get(mk)
                                    if v is None:
                                        v = ctx_cache[mk] = self._vec([mk])
                                    E[p + j] += v
                                free = p + k
                                break
        if fx.bigrams:
            raise NotImplementedError("bigram features are not supported by the numpy decoder")
        E += self.bias
        return E, st, lengths

    def tag(self, words: list[str], sport: bool = False) -> list[str]:
        return self.tag_many([words], [sport])[0] if words else []

    def tag_many(self, sents: list[list[str]], sport: list[bool] | None = None) -> list[list[str]]:
        return self.tag_rows(sents, self.rows_of(sents), sport)

    def tag_rows(self, sents: list[list[str]], rows: list[list[int]], sport: list[bool] | None = None
                 ) -> list[list[str]]:
        """Viterbi over a batch of sentences at once: sentences sorted by length, one numpy step per position of
        the longest, each step on the sentences still running."""
        out: list[list[str]] = [[] for _ in sents]
        idx = [i for i, s in enumerate(sents) if s]
        if not idx:
            return out
        idx.sort(key=lambda i: -len(sents[i]))
        E, st, lengths = self._flat_emissions([sents[i] for i in idx], [rows[i] for i in idx],
                                              [sport[i] for i in idx] if sport is not None else None)
        B, K = len(idx), len(self.labels)
        Lmax = int(lengths[0])
        labels = self.labels
        if Lmax == 1:
            return [[labels[k]] for k in E[st].argmax(axis=1).tolist()] if B == len(sents) else \
                self._place(out, idx, [[labels[k]] for k in E[st].argmax(axis=1).tolist()])
        # padded B x Lmax x K view of the emissions (rows past a sentence's end are never read)
        pos = st[:, None] + np.arange(Lmax)[None, :]
        np.minimum(pos, len(E) - 1, out=pos)
        Ep = E[pos].transpose(1, 0, 2).copy()  # Lmax x B x K
        T = self.T[None]
        score = Ep[0].copy()
        score3 = score[:, :, None]
        back = np.zeros((Lmax, B, K), dtype=np.intp)
        # number of sentences with length > t, for each t
        active = np.searchsorted(-lengths, -np.arange(Lmax), side="left").tolist()
        buf = np.empty((B, K, K))
        add, mx = np.add, np.maximum.reduce
        for t in range(1, Lmax):
            n = active[t]
            cand = add(score3[:n], T, out=buf[:n])
            cand.argmax(axis=1, out=back[t, :n])
            add(mx(cand, axis=1), Ep[t, :n], out=score[:n])
        best = score.argmax(axis=1).tolist()
        lens = lengths.tolist()
        res = []
        for b in range(B):
            k = best[b]
            path = [k]
            for row in reversed(back[1:lens[b], b].tolist()):
                k = row[k]
                path.append(k)
            res.append([labels[j] for j in reversed(path)])
        return self._place(out, idx, res)

    @staticmethod
    def _place(out, idx, res):
        for i, r in zip(idx, res):
            out[i] = r
        return out
