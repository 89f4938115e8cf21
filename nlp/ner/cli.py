"""``akhbar ner ...``: train, evaluate and build the word clusters of the NER tagger."""
from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path

import click

from nlp.ner import CLUSTERS_FILE, CONTEXTS_FILE, LISTS_FILE, MODEL_FILE, NAMES_FILE


def _default_root() -> str:
    from nlp.ner.data import default_data_root
    return str(default_data_root())


@click.group(name="ner")
def ner() -> None:
    """Arabic NER: train the shipped CRF tagger, evaluate it, rebuild its word clusters."""


@ner.command()
@click.option("--data-root", default=_default_root, show_default="$AKHBAR_NER_DATA or ../shared/data/ner",
              type=click.Path(file_okay=False), help="Folder with anercorp/, aqmar/, newsfane_gold/, anergazet/.")
@click.option("--out", default=str(MODEL_FILE), show_default=True, type=click.Path(dir_okay=False),
              help="Model file to write (gazetteer.tsv is written next to it; clusters.tsv is copied there).")
@click.option("--c1", default=0.05, show_default=True, help="L1 regularization.")
@click.option("--c2", default=0.05, show_default=True, help="L2 regularization.")
@click.option("--iterations", default=150, show_default=True, help="L-BFGS iterations.")
@click.option("--seed", default=13, show_default=True, help="Seed for the training order.")
@click.option("--newsfane/--no-newsfane", default=False, show_default=True,
              help="Add NewsFANE Gold (minus the sentences of the ANERcorp dev split); lowers dev F1, see docs/ner.md.")
@click.option("--aqmar/--no-aqmar", default=True, show_default=True, help="Add AQMAR train.")
@click.option("--lists", "list_types", default=None, metavar="TYPE,...",
              help="Experiments: these arwikicats lists (CLUB,CUP,CITY,PLACE,PPL) as features; needs an --out outside "
                   "the shipped model folder. Default: none (the shipped model; see docs/ner.md).")
@click.option("--translit/--no-translit", default=False, show_default=True,
              help="Experiments: the transliteration-shape feature (built from the lists in the model folder).")
@click.option("--contexts/--no-contexts", default=False, show_default=True,
              help="Experiments: the organization-context features (model/contexts.tsv, `ner contexts`).")
@click.option("--json", "as_json", is_flag=True, help="Print the dev scores as JSON.")
def train(data_root, out, c1, c2, iterations, seed, newsfane, aqmar, list_types, translit, contexts, as_json):
    """Train the CRF on ANERcorp train minus the dev split (+ NewsFANE, AQMAR), then score dev and AQMAR dev."""
    from nlp.ner.data import ConllError
    from nlp.ner.training import train_model
    root = Path(data_root)
    if not (root / "anercorp" / "anercorp_train.conll").is_file():
        raise click.ClickException(f"no ANERcorp data under {root} (set --data-root or AKHBAR_NER_DATA)")
    try:
        lists = None if list_types is None else tuple(t for t in list_types.split(",") if t)
        res = train_model(root, out, c1=c1, c2=c2, max_iterations=iterations, seed=seed, use_newsfane=newsfane,
                          use_aqmar=aqmar, lists=lists, translit=translit, contexts=contexts, log=lambda m: click.echo(m, err=True))
    except (ConllError, ValueError) as e:
        raise click.ClickException(str(e))
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
    else:
        for name in ("dev", "aqmar_dev"):
            click.echo(_table(name, res[name]))


@ner.command()
@click.option("--data-root", default=_default_root, show_default="$AKHBAR_NER_DATA or ../shared/data/ner",
              type=click.Path(file_okay=False))
@click.option("--folds", default=5, show_default=True, help="Contiguous folds of the ANERcorp file.")
@click.option("--work-dir", required=True, type=click.Path(file_okay=False), help="Where the fold models go.")
@click.option("--consistency-window", default=20, show_default=True, help="As in `ner eval`.")
@click.option("--contexts/--no-contexts", default=False, show_default=True,
              help="Experiments: with the organization-context features (as `ner train --contexts`).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def cv(data_root, folds, work_dir, consistency_window, contexts, as_json):
    """K-fold estimate of F1 over the whole ANERcorp file (the dev split included), with the shipped training
    settings: a second view of the model's accuracy, less tied to one held-out slice (~2 min a fold)."""
    from nlp.ner.data import ConllError
    from nlp.ner.training import cross_validate
    root = Path(data_root)
    if not (root / "anercorp" / "anercorp_train.conll").is_file():
        raise click.ClickException(f"no ANERcorp data under {root} (set --data-root or AKHBAR_NER_DATA)")
    try:
        res = cross_validate(root, work_dir, folds=folds, consistency_window=consistency_window, contexts=contexts,
                             log=lambda m: click.echo(m, err=True))
    except (ConllError, ValueError) as e:
        raise click.ClickException(str(e))
    if as_json:
        click.echo(json.dumps(res))
        return
    cols = ("micro", "PER", "LOC", "ORG")
    click.echo(f"{'fold':>5} {'sentences':>11} " + " ".join(f"{c:>7}" for c in cols))
    rows = [(str(r["fold"]), f"{r['sentences'][0]:>5}-{r['sentences'][1]:<5}", r) for r in res["folds"]]
    for label, span, vals in rows + [("mean", "", res["mean"]), ("sd", "", res["sd"])]:
        click.echo(f"{label:>5} {span:11} " + " ".join(f"{vals[c]:7.4f}" for c in cols))


@ner.command()
@click.option("--data-root", default=_default_root, show_default="$AKHBAR_NER_DATA or ../shared/data/ner",
              type=click.Path(file_okay=False))
@click.option("--work-dir", required=True, type=click.Path(file_okay=False),
              help="Where the fold models go (reused when there).")
@click.option("--folds", default=2, show_default=True, help="Contiguous folds of each training corpus.")
@click.option("--type", "typ", default="ORG", show_default=True, type=click.Choice(["PER", "LOC", "ORG", "MISC"]))
@click.option("--examples", default=15, show_default=True, help="Examples printed per class.")
def errors(data_root, work_dir, folds, typ, examples):
    """Classify the errors on one entity type on held-out folds of the training data (ANERcorp train minus the dev
    split, AQMAR train; never the dev sets): missed, wrong type, boundaries, false positives, with flags (head
    word, unseen name, sports context, length) and examples. See nlp/ner/errors.py for the classes."""
    from nlp.ner.data import ConllError
    from nlp.ner.training import fold_errors
    try:
        res = fold_errors(Path(data_root), work_dir, folds=folds, typ=typ, max_examples=examples,
                          log=lambda m: click.echo(m, err=True))
    except (ConllError, ValueError) as e:
        raise click.ClickException(str(e))
    for name, rep in res["reports"].items():
        sc = res["scores"][name]["per_type"].get(typ, {})
        click.echo(f"== {name} train folds: {rep.gold} gold {typ}, F1 {sc.get('f1', 0):.4f} "
                   f"(P {sc.get('precision', 0):.4f}, R {sc.get('recall', 0):.4f})")
        for cls, n, flags in rep.rows():
            click.echo(f"  {cls:24} {n:5}   " + " ".join(f"{f}={v}" for f, v in flags.items()))
    for name, rep in res["reports"].items():
        for cls, n, _ in rep.rows():
            click.echo(f"\n## {name} {cls} ({n})")
            for line in rep.examples[cls][:examples]:
                click.echo("   " + line)


@ner.command(name="eval")
@click.option("--conll", required=True, type=click.Path(dir_okay=False), help="token<TAB>tag file, IOB2.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--model", default=None, type=click.Path(dir_okay=False), help="Model file (default: the shipped one).")
@click.option("--consistency-window", default=0, show_default=True,
              help="Apply document consistency over windows of N sentences (0: sentence by sentence).")
@click.option("--rules/--no-rules", default=True, show_default=True,
              help="Apply the phrase rules that Tagger.find applies after the CRF.")
def eval_(conll, as_json, model, consistency_window, rules):
    """Entity-level exact-match P/R/F1 (conlleval semantics); micro over PER/LOC/ORG, MISC separate."""
    from nlp.ner import Tagger
    from nlp.ner.data import ConllError, read_conll
    from nlp.ner.training import evaluate
    try:
        sents = read_conll(conll)
    except ConllError as e:
        raise click.ClickException(str(e))
    except UnicodeDecodeError as e:
        raise click.ClickException(f"{conll}: not UTF-8 ({e})")
    if not sents:
        raise click.ClickException(f"{conll}: no sentences")
    try:
        tagger = Tagger(model)
    except FileNotFoundError as e:
        raise click.ClickException(str(e))
    res = evaluate(tagger, sents, docs=consistency_window, rules=rules)
    if as_json:
        res = {"micro": {k: res["micro"][k] for k in ("precision", "recall", "f1")},
               "per_type": {t: {k: v[k] for k in ("precision", "recall", "f1", "gold", "pred")}
                            for t, v in res["per_type"].items()},
               "sentences": res["sentences"], "tokens_per_s": res["tokens_per_s"]}
        click.echo(json.dumps(res, ensure_ascii=False))
    else:
        click.echo(_table(conll, res))


@ner.command()
@click.option("--data-root", default=_default_root, show_default="$AKHBAR_NER_DATA or ../shared/data/ner",
              type=click.Path(file_okay=False))
@click.option("--out-dir", required=True, type=click.Path(file_okay=False), help="Where to write the dev files.")
def split(data_root, out_dir):
    """Write the dev split as CoNLL files (anercorp_dev.conll, newsfane_dev.conll) for `ner eval`."""
    from nlp.ner.data import load_training
    data = load_training(Path(data_root), use_newsfane=False)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, key in (("anercorp_dev.conll", "dev"), ("newsfane_dev.conll", "newsfane_dev")):
        with (out / name).open("w", encoding="utf-8") as fh:
            for toks, tags in data[key]:
                fh.write("".join(f"{t}\t{g}\n" for t, g in zip(toks, tags)) + "\n")
        click.echo(f"{out / name}: {len(data[key])} sentences", err=True)


@ner.command()
@click.option("--data-root", default=_default_root, type=click.Path(file_okay=False))
@click.option("--news", default=None, help="Glob of articles.jsonl files (default: ../shared/data/news/*/articles.jsonl).")
@click.option("--out", default=str(CLUSTERS_FILE), show_default=True, type=click.Path(dir_okay=False))
@click.option("--seed", default=13, show_default=True)
def clusters(data_root, news, out, seed):
    """Rebuild the word clusters from unlabeled news + the training text (never the dev split)."""
    from tqdm import tqdm

    from nlp.ner.clusters import build_clusters, news_texts, token_streams, write_clusters
    from nlp.ner.data import load_training
    from nlp.ner.tokens import norm
    root = Path(data_root)
    news = news or str(root.parent / "news" / "*" / "articles.jsonl")
    streams = list(tqdm(token_streams(news_texts(news)), desc="news", unit="art"))
    streams += [[norm(w) for w in toks] for toks, _ in load_training(root, use_newsfane=False)["train"]]
    bar = tqdm(total=3, desc="k-means")
    cl = build_clusters(streams, seed=seed, progress=lambda k: bar.update(1))
    bar.close()
    write_clusters(cl, out)
    click.echo(f"{len(cl)} words -> {out}", err=True)


@ner.command()
@click.argument("wheels", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", default=str(NAMES_FILE), show_default=True, type=click.Path(dir_okay=False))
def names(wheels, out):
    """Rebuild the person-name list (model/names.tsv) from the wheels of arabic-name-romanizer 0.2.0 (Wikidata
    given names and surnames, CC0) and arabnamer 0.1.3 (CC BY 4.0). Get them with:

    pip download --no-deps -d /tmp/names arabic-name-romanizer==0.2.0 arabnamer==0.1.3
    """
    from nlp.ner.names import build_names, write_names
    try:
        built = build_names(list(wheels), log=lambda m: click.echo(m, err=True))
    except (ValueError, OSError) as e:
        raise click.ClickException(str(e))
    write_names(built, out)
    click.echo(f"{len(built)} names -> {out}", err=True)


@ner.command()
@click.option("--gold", "gold_path", default=None, type=click.Path(dir_okay=False),
              show_default="tests/gold/ner_news.jsonl", help="The news gold set (ids and offsets).")
@click.option("--news-root", default=None, type=click.Path(file_okay=False),
              show_default="../shared/data/news", help="Folder with <dataset>/articles.jsonl.")
@click.option("--model", default=None, type=click.Path(dir_okay=False), help="Model file (default: the shipped one).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def gold(gold_path, news_root, model, as_json):
    """Score Tagger.find (CRF, rules, document consistency) on the gold set of current news: exact-match P/R/F1 per
    type over the annotated regions of its articles (conventions in docs/ner.md)."""
    from nlp.ner import Tagger
    from nlp.ner.data import default_data_root
    from nlp.ner.newsgold import GOLD_FILE, GoldError, attach_texts, evaluate_gold, read_gold
    try:
        records = read_gold(gold_path or GOLD_FILE)
        pairs = attach_texts(records, news_root or default_data_root().parent / "news")
        res = evaluate_gold(Tagger(model), pairs)
    except (GoldError, OSError, ValueError) as e:
        raise click.ClickException(str(e))
    if as_json:
        click.echo(json.dumps(res))
        return
    click.echo(_table("", res, head=f"news gold: {res['articles']} articles"))


@ner.command()
@click.option("--data-root", default=_default_root, type=click.Path(file_okay=False))
@click.option("--news", default=None, help="Glob of articles.jsonl files (default: ../shared/data/news/*/articles.jsonl).")
@click.option("--out", default=str(CONTEXTS_FILE), show_default=True, type=click.Path(dir_okay=False))
def contexts(data_root, news, out):
    """Rebuild the organization contexts (model/contexts.tsv) from the unlabelled news: how often each word follows
    an organization head (شركة، نادي، وكالة ...) or precedes a nationality adjective."""
    from nlp.ner.clusters import news_texts, token_streams
    from nlp.ner.contexts import count_contexts, write_contexts
    news = news or str(Path(data_root).parent / "news" / "*" / "articles.jsonl")
    ctx = count_contexts(token_streams(news_texts(news)))
    if not ctx:
        raise click.ClickException(f"no Arabic news under {news}")
    write_contexts(ctx, out)
    click.echo(f"{len(ctx)} words -> {out}", err=True)


@ner.command(name="lists")
@click.argument("wheel", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", default=str(LISTS_FILE), show_default=True, type=click.Path(dir_okay=False))
def lists_(wheel, out):
    """Rebuild the entity lists (model/lists.tsv: clubs, competitions, cities, places, people) from the wheel of
    arwikicats 0.2.3 (Arabic Wikipedia category labels, MIT). Get it with:

    pip download --no-deps -d /tmp/lists arwikicats==0.2.3
    """
    from nlp.ner.gazetteers import write_gazetteer
    from nlp.ner.lists import build_lists
    try:
        built = build_lists(wheel, log=lambda m: click.echo(m, err=True))
    except (ValueError, OSError, zipfile.BadZipFile) as e:
        raise click.ClickException(str(e))
    write_gazetteer(built, out)
    click.echo(f"{sum(map(len, built.values()))} entries -> {out}", err=True)


def _table(name: str, res: dict, head: str | None = None) -> str:
    lines = [head or f"{name}: {res['sentences']} sentences, {res.get('tokens_per_s', 0)} tokens/s",
             f"{'type':6} {'P':>7} {'R':>7} {'F1':>7} {'gold':>6} {'pred':>6}"]
    for t, v in list(res["per_type"].items()) + [("micro", res["micro"])]:
        lines.append(f"{t:6} {v['precision']:7.4f} {v['recall']:7.4f} {v['f1']:7.4f} {v['gold']:6d} {v['pred']:6d}")
    return "\n".join(lines)


def main() -> None:  # `python -m nlp.ner.cli ...` without the akhbar CLI
    ner(prog_name="ner")


if __name__ == "__main__":
    main()
