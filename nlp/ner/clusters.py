"""Word clusters learned here from unlabeled Arabic news (a Brown-cluster stand-in that trains in a minute).

Each frequent word gets a vector of its left/right neighbours (positive PMI), reduced by truncated SVD; spherical
k-means at three granularities gives three cluster ids per word. The result is a small TSV shipped with the model
(``word<TAB>coarse<TAB>mid<TAB>fine``); only training needs numpy/scipy, the runtime just reads the file.
"""
from __future__ import annotations

import glob
from collections import Counter
from pathlib import Path
from typing import Iterable

import orjson

from nlp.ner.tokens import norm, tokenize


def news_texts(news_glob: str) -> Iterable[str]:
    for f in sorted(glob.glob(news_glob)):
        with open(f, "rb") as fh:
            for line in fh:
                d = orjson.loads(line)
                if d.get("lang") == "ar":
                    yield (d.get("title") or "") + "\n" + (d.get("body") or "")


def token_streams(texts: Iterable[str]) -> Iterable[list[str]]:
    for t in texts:
        yield [norm(w) for w, _, _ in tokenize(t)]


def build_clusters(streams: list[list[str]], sizes=(32, 128, 512), dim: int = 100, min_count: int = 3,
                   max_vocab: int = 40_000, n_context: int = 3_000, seed: int = 13, progress=None) -> dict[str, tuple[str, ...]]:
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import svds

    cnt = Counter(w for s in streams for w in s)
    vocab = [w for w, c in cnt.most_common(max_vocab) if c >= min_count]
    vid = {w: i for i, w in enumerate(vocab)}
    ctx = {w: i for i, w in enumerate(vocab[:n_context])}
    C = len(ctx)
    rows, cols = [], []
    for s in streams:
        ids = [vid.get(w, -1) for w in s]
        cids = [ctx.get(w, -1) for w in s]
        L = len(s)
        for i in range(L):
            r = ids[i]
            if r < 0:
                continue
            for off, base in ((-1, 0), (1, C), (-2, 2 * C), (2, 2 * C)):
                j = i + off
                if 0 <= j < L and cids[j] >= 0:
                    rows.append(r)
                    cols.append(base + cids[j])
    data = np.ones(len(rows), dtype=np.float32)
    M = coo_matrix((data, (rows, cols)), shape=(len(vocab), 3 * C)).tocsr()
    M.sum_duplicates()
    total = M.sum()
    rs = np.asarray(M.sum(axis=1)).ravel() + 1e-9
    cs = np.asarray(M.sum(axis=0)).ravel() ** 0.75
    cs = cs / cs.sum() * total + 1e-9
    M = M.tocoo()
    pmi = np.log(M.data * total / (rs[M.row] * cs[M.col]))
    keep = pmi > 0
    P = coo_matrix((pmi[keep].astype(np.float32), (M.row[keep], M.col[keep])), shape=M.shape).tocsr()
    rng = np.random.default_rng(seed)
    v0 = rng.standard_normal(min(P.shape)).astype(np.float32)
    U, S, _ = svds(P, k=dim, v0=v0)
    X = U * np.sqrt(S)
    X /= np.linalg.norm(X, axis=1, keepdims=True) + 1e-9
    out_ids = []
    for k in sizes:
        out_ids.append(_spherical_kmeans(X, k, rng, iters=20))
        if progress:
            progress(k)
    return {w: (*(str(ids[i]) for ids in out_ids), str(cnt[w])) for i, w in enumerate(vocab)}


def _spherical_kmeans(X, k, rng, iters=20):
    import numpy as np
    cent = X[rng.choice(len(X), size=k, replace=False)].copy()
    assign = None
    for _ in range(iters):
        assign = np.argmax(X @ cent.T, axis=1)
        for j in range(k):
            members = X[assign == j]
            if len(members):
                c = members.sum(axis=0)
                cent[j] = c / (np.linalg.norm(c) + 1e-9)
            else:
                cent[j] = X[rng.integers(len(X))]
    return assign


def write_clusters(clusters: dict[str, tuple[str, ...]], path: str | Path) -> None:
    """``word<TAB>coarse<TAB>mid<TAB>fine<TAB>count`` lines, sorted."""
    lines = ["\t".join((w, *ids)) for w, ids in sorted(clusters.items())]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_clusters(path: str | Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    p = Path(path)
    if not p.exists():
        return out
    for line in p.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 4:
            out[parts[0]] = tuple(parts[1:4])
    return out


def read_counts(path: str | Path) -> dict[str, int]:
    """Word -> frequency in the unlabeled news (the clusters file's last column)."""
    out: dict[str, int] = {}
    p = Path(path)
    if p.exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 5 and parts[4].isdigit():
                out[parts[0]] = int(parts[4])
    return out
