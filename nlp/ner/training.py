"""Training and evaluating the CRF tagger (used by ``akhbar ner train`` / ``eval`` and the experiments)."""
from __future__ import annotations

import random
import time
from pathlib import Path

from nlp.ner import CLUSTERS_FILE, CONTEXTS_FILE, GAZETTEER_FILE, LISTS_FILE, MODEL_DIR, MODEL_FILE, NAMES_FILE, Tagger
from nlp.ner.clusters import read_clusters, read_counts
from nlp.ner.contexts import read_contexts
from nlp.ner.data import Sentence, load_training, read_conll
from nlp.ner.evaluation import MAIN_TYPES, score
from nlp.ner.decoder import export_weights
from nlp.ner.features import FeatureExtractor
from nlp.ner.gazetteers import read_anergazet, read_gazetteer, with_builtin, write_gazetteer
from nlp.ner.lists import select
from nlp.ner.names import read_names
from nlp.ner.topic import sentence_topics


def train_model(data_root: str | Path, out: str | Path = MODEL_FILE, *, c1: float = 0.05, c2: float = 0.05,
                max_iterations: int = 150, seed: int = 13, use_newsfane: bool = False, use_aqmar: bool = True,
                use_anercorp: bool = True,
                min_freq: int = 1, topic: bool = True, aqmar_weight: int = 1, names: bool = True,
                lists: tuple[str, ...] | None = None, translit: bool = False, contexts: bool = False,
                progress: bool = True, log=print) -> dict:
    """Train on ANERcorp train (minus the dev split) [+ NewsFANE minus dev text] [+ AQMAR train]; write the model,
    the compiled gazetteer and keep the clusters and names files next to it (``names=False``: a model without the
    person-name features; its folder gets no names file; ``lists``: the arwikicats list types to use as features,
    None for none, as the shipped model; ``translit``: the transliteration-shape feature, ``contexts``: the
    organization-context features (``nlp.ner.contexts``), both off in the shipped model; see docs/ner.md for why). Returns the dev scores."""
    data_root = Path(data_root)
    out = Path(out)
    data = load_training(data_root, use_newsfane=use_newsfane, use_aqmar=use_aqmar, use_anercorp=use_anercorp,
                         aqmar_weight=aqmar_weight)
    log(f"data: {data['stats']}")
    fx = prepare_model_dir(data_root, out.parent, names=names, topic=topic, lists=lists, translit=translit,
                           contexts=contexts)
    fit(data["train"], out, fx, c1=c1, c2=c2, max_iterations=max_iterations, seed=seed, min_freq=min_freq,
        progress=progress, log=log)
    tagger = Tagger(out)
    res = {"dev": evaluate(tagger, data["dev"]), "newsfane_dev": evaluate(tagger, data["newsfane_dev"]),
           "aqmar_dev": evaluate(tagger, data["aqmar_dev"]),
           "params": {"c1": c1, "c2": c2, "max_iterations": max_iterations, "seed": seed, "newsfane": use_newsfane, "anercorp": use_anercorp,
                      "aqmar": use_aqmar, "min_freq": min_freq, "names": len(fx.names),
                      "lists": sorted(lists) if lists is not None else [], "translit": translit,
                      "contexts": contexts}, "data": data["stats"]}
    return res


def prepare_model_dir(data_root: Path, folder: Path, *, names: bool = True, topic: bool = True,
                      lists: tuple[str, ...] | None = None, translit: bool = False,
                      contexts: bool = False) -> FeatureExtractor:
    """Write the compiled gazetteer into ``folder``, copy the shipped clusters (and names) files there unless it has
    its own, and return the feature extractor a model in that folder is trained with. The arwikicats lists: with
    ``lists`` (types), those lists are written there and are features; with None the shipped file is copied there
    (the ``sport_clubs`` rule reads it) and they are no features."""
    folder.mkdir(parents=True, exist_ok=True)
    lists_path = folder / LISTS_FILE.name
    if lists is not None:
        if folder.resolve() == MODEL_DIR.resolve():
            raise ValueError("a subset of the lists would overwrite the shipped lists.tsv: train into another folder")
        write_gazetteer(select(read_gazetteer(LISTS_FILE), tuple(lists)), lists_path)
    elif not lists_path.exists() and LISTS_FILE.exists():
        lists_path.write_bytes(LISTS_FILE.read_bytes())
    gaz = read_anergazet(data_root / "anergazet" / "ANERGazet")
    write_gazetteer(gaz, folder / GAZETTEER_FILE.name)
    clusters_path, names_path = folder / CLUSTERS_FILE.name, folder / NAMES_FILE.name
    contexts_path = folder / CONTEXTS_FILE.name
    for path, shipped in ((clusters_path, CLUSTERS_FILE), (names_path, NAMES_FILE if names else None),
                          (contexts_path, CONTEXTS_FILE if contexts else None)):
        if shipped and not path.exists() and shipped.exists():
            path.write_bytes(shipped.read_bytes())
    if not names and names_path.exists():
        raise ValueError(f"names=False, but {names_path} exists (the tagger would load it): write elsewhere")
    return FeatureExtractor(with_builtin(gaz), read_clusters(clusters_path), counts=read_counts(clusters_path),
                            topic=topic, names=read_names(names_path),
                            lists=read_gazetteer(lists_path) if lists is not None else {}, translit=translit,
                            contexts=read_contexts(contexts_path) if contexts else None)


def fit(sentences: list[Sentence], out: Path, fx: FeatureExtractor, *, c1: float, c2: float, max_iterations: int,
        seed: int, min_freq: int = 1, progress: bool = True, log=print) -> None:
    """Train the CRF on ``sentences`` (in file order: the sports context looks at neighbouring sentences) and write
    ``out`` and its exported weights (``.npz``)."""
    from tqdm import tqdm

    sport = sentence_topics([toks for toks, _ in sentences]) if fx.topic else [False] * len(sentences)
    train = [(toks, tags, sp) for (toks, tags), sp in zip(sentences, sport)]
    random.Random(seed).shuffle(train)  # crfsuite's L-BFGS is deterministic given the order; fix the order
    trainer = _ProgressTrainer(verbose=True)
    for toks, tags, sp in tqdm(train, desc="features", disable=not progress, unit="sent"):
        trainer.append(fx.sentence(toks, sp), tags)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations,
                        "feature.possible_transitions": True, "feature.minfreq": min_freq})
    trainer.bar = tqdm(total=max_iterations, desc="L-BFGS", disable=not progress, unit="it")
    t0 = time.time()
    trainer.train(str(out))
    trainer.bar.close()
    export_weights(out, out.with_suffix(".npz"))
    log(f"trained in {time.time() - t0:.0f}s -> {out} ({out.stat().st_size / 1e6:.1f} MB) + "
        f"{out.with_suffix('.npz').name} ({out.with_suffix('.npz').stat().st_size / 1e6:.1f} MB)")


def cross_validate(data_root: str | Path, work_dir: str | Path, *, folds: int = 5, consistency_window: int = 20,
                   c1: float = 0.05, c2: float = 0.05, max_iterations: int = 150, seed: int = 13,
                   use_aqmar: bool = True, contexts: bool = False, progress: bool = True, log=print) -> dict:
    """K-fold estimate over the whole shared ANERcorp file (3,989 sentences, dev split included): fold k holds out
    the k-th contiguous slice (its articles are contiguous, so folds are near-whole documents) and trains on the rest
    (+ AQMAR train), with the shipped training settings; each held-out slice is scored as ``akhbar ner eval
    --consistency-window`` scores (``contexts``: with the organization-context features). Returns per-fold and mean/sd figures (micro over PER/LOC/ORG)."""
    import statistics

    data_root, work_dir = Path(data_root), Path(work_dir)
    aner = read_conll(data_root / "anercorp" / "anercorp_train.conll")
    aqmar = read_conll(data_root / "aqmar" / "aqmar_train.conll") if use_aqmar else []
    if folds < 2 or len(aner) < folds:
        raise ValueError(f"need 2 <= folds <= {len(aner)} sentences, got {folds}")
    cuts = [round(k * len(aner) / folds) for k in range(folds + 1)]
    out = []
    for k in range(folds):
        held = aner[cuts[k]:cuts[k + 1]]
        model = work_dir / f"fold{k + 1}" / MODEL_FILE.name
        fx = prepare_model_dir(data_root, model.parent, contexts=contexts)
        fit(aner[:cuts[k]] + aner[cuts[k + 1]:] + aqmar, model, fx, c1=c1, c2=c2, max_iterations=max_iterations,
            seed=seed, progress=progress, log=log)
        res = evaluate(Tagger(model), held, docs=consistency_window)
        row = {"fold": k + 1, "sentences": [cuts[k], cuts[k + 1]], "micro": res["micro"]["f1"],
               **{t: res["per_type"].get(t, {}).get("f1", 0.0) for t in MAIN_TYPES}}
        log(f"fold {k + 1}/{folds}: sentences {cuts[k]}-{cuts[k + 1]}, micro F1 {row['micro']:.4f}")
        out.append(row)
    keys = ("micro",) + MAIN_TYPES
    return {"folds": out, "mean": {t: round(statistics.mean(r[t] for r in out), 4) for t in keys},
            "sd": {t: round(statistics.stdev(r[t] for r in out), 4) for t in keys},
            "consistency_window": consistency_window}


class _ProgressTrainer:
    """pycrfsuite.Trainer whose per-iteration messages advance a tqdm bar."""

    def __new__(cls, **kw):
        import pycrfsuite

        class T(pycrfsuite.Trainer):
            bar = None

            def on_iteration(self, log, info):
                if self.bar is not None:
                    self.bar.update(1)
                    self.bar.set_postfix(loss=f"{info.get('loss', 0):.0f}")

            # verbose=True is what makes crfsuite report iterations; silence its other printouts
            def on_start(self, log): pass
            def on_featgen_progress(self, log, percent): pass
            def on_featgen_end(self, log): pass
            def on_prepared(self, log): pass
            def on_prepare_error(self, log): pass
            def on_optimization_end(self, log): pass
            def on_end(self, log): pass

        return T(**kw)


def predict(tagger, sentences: list[Sentence], docs: int = 0, rules: bool = True) -> list[list[str]]:
    """Tags of ``sentences`` as ``Tagger.find`` tags them: the CRF, then (``rules``) the phrase rules; ``docs`` > 0
    also applies document consistency over windows of that many sentences (the dev text has no document
    boundaries)."""
    dec = getattr(tagger, "decoder", None)
    sport = sentence_topics([toks for toks, _ in sentences])
    if dec is not None:  # batches of 16 sentences, like the sentences of one article in Tagger.find
        pred = []
        for i in range(0, len(sentences), 16):
            pred += dec.tag_many([toks for toks, _ in sentences[i:i + 16]], sport[i:i + 16])
    else:
        pred = [tagger.tag(toks) for toks, _ in sentences]
    if rules and getattr(tagger, "rules", None):
        from nlp.ner.rules import apply
        pred = [apply(toks, p, tagger.rules, getattr(tagger, "features", None), sp)
                for (toks, _), p, sp in zip(sentences, pred, sport)]
    if docs:
        from nlp.ner.consistency import harmonize
        out = []
        for i in range(0, len(sentences), docs):
            out += harmonize([t for t, _ in sentences[i:i + docs]], pred[i:i + docs])
        pred = out
    return pred


def evaluate(tagger, sentences: list[Sentence], docs: int = 0, rules: bool = True) -> dict:
    """Score ``tagger`` on gold sentences as ``predict`` tags them (``docs``, ``rules``: as there)."""
    t0 = time.perf_counter()
    pred = predict(tagger, sentences, docs=docs, rules=rules)
    dt = time.perf_counter() - t0
    res = score([g for _, g in sentences], pred)
    ntok = sum(len(t) for t, _ in sentences)
    res["tokens_per_s"] = round(ntok / dt) if dt else 0
    return res


def fold_errors(data_root: str | Path, work_dir: str | Path, *, folds: int = 2, typ: str = "ORG",
                consistency_window: int = 20, max_examples: int = 30, progress: bool = True, log=print) -> dict:
    """Errors on ``typ`` on held-out folds of the training data only (ANERcorp train minus the dev split, AQMAR
    train; the dev sets are never looked at): fold k holds out the k-th contiguous slice of each corpus and trains
    on the rest of both with the shipped settings (a fold model already in ``work_dir`` is reused), then tags the
    held-out slices as ``akhbar ner eval --consistency-window`` does. Returns {"anercorp": ErrorReport, "aqmar": ...}
    (``nlp.ner.errors``) and the held-out scores."""
    from nlp.ner.data import ANERCORP_DEV_START
    from nlp.ner.errors import ErrorReport, classify, seen_keys

    data_root, work_dir = Path(data_root), Path(work_dir)
    corpora = {"anercorp": read_conll(data_root / "anercorp" / "anercorp_train.conll")[:ANERCORP_DEV_START],
               "aqmar": read_conll(data_root / "aqmar" / "aqmar_train.conll")}
    if folds < 2 or min(map(len, corpora.values())) < folds:
        raise ValueError(f"need 2 <= folds <= the sentences of each corpus, got {folds}")
    reports = {name: ErrorReport(typ) for name in corpora}
    gold: dict[str, list] = {name: [] for name in corpora}
    pred: dict[str, list] = {name: [] for name in corpora}
    for k in range(folds):
        parts = {}
        for name, sents in corpora.items():
            cuts = [round(i * len(sents) / folds) for i in range(folds + 1)]
            parts[name] = (sents[:cuts[k]] + sents[cuts[k + 1]:], sents[cuts[k]:cuts[k + 1]])
        train = [s for tr, _ in parts.values() for s in tr]
        model = work_dir / f"fold{k + 1}" / MODEL_FILE.name
        if not model.is_file():
            fit(train, model, prepare_model_dir(data_root, model.parent), c1=0.05, c2=0.05, max_iterations=150,
                seed=13, progress=progress, log=log)
        tagger = Tagger(model)
        seen = seen_keys(train, typ)
        for name, (_, held) in parts.items():
            p = predict(tagger, held, docs=consistency_window)
            classify(held, p, typ, seen=seen, sport=sentence_topics([t for t, _ in held]), report=reports[name],
                     max_examples=max_examples)
            gold[name] += [g for _, g in held]
            pred[name] += p
        log(f"fold {k + 1}/{folds} done")
    return {"reports": reports, "scores": {name: score(gold[name], pred[name]) for name in corpora}}
