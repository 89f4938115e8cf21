"""Line-level precision and recall of boilerplate removal against the hand-labelled gold set.

    uv run python bench/clean_eval.py [--data DIR] [--gold FILE] [--split dev|holdout|holdout2|all] [--errors]

The gold file (tests/gold/cleaning_labels.jsonl) holds no article text: one record per article with its dataset,
article id, split and a label per non-empty raw body line (1-based): keep / remove / byline / dateline. The text
is read from the news data folder: --data, else $AKHBAR_NEWS_DATA, else ../shared/data/news next to the repo.

A line counts as removed when it is not in the cleaned body: any label other than `keep` in the gold; any entry
in CleanResult.removed for that line except a byline/dateline *prefix* split off a kept paragraph.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.clean import clean_article  # noqa: E402
from nlp.text import display_line  # noqa: E402

PREFIX_REASONS = {"byline-dateline-prefix"}


def data_dir(option: str | None) -> Path:
    path = Path(option or os.environ.get("AKHBAR_NEWS_DATA") or ROOT.parent / "shared" / "data" / "news")
    if not path.is_dir():
        sys.exit(f"clean_eval: news data folder not found: {path}\n"
                 "  give it with --data DIR or AKHBAR_NEWS_DATA=DIR (it holds <dataset>/articles.jsonl)")
    return path


def load_articles(path: Path, datasets: set[str]) -> dict[tuple[str, str], dict]:
    out = {}
    for ds in sorted(datasets):
        file = path / ds / "articles.jsonl"
        if not file.is_file():
            sys.exit(f"clean_eval: missing {file}")
        with file.open(encoding="utf-8") as f:
            for line in f:
                a = json.loads(line)
                out[(ds, a["id"])] = a
    return out


class Counts:
    __slots__ = ("tp", "fp", "fn", "tn", "articles")

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = self.articles = 0

    def row(self, name: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        lines = self.tp + self.fp + self.fn + self.tn
        return (f"| {name} | {self.articles} | {lines} | {self.tp + self.fn} | {self.tp} | {self.fp} | {self.fn} "
                f"| {p:.3f} | {r:.3f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="news data folder (default $AKHBAR_NEWS_DATA or ../shared/data/news)")
    ap.add_argument("--gold", default=str(ROOT / "tests" / "gold" / "cleaning_labels.jsonl"))
    ap.add_argument("--split", default="all", choices=["dev", "holdout", "holdout2", "all"])
    ap.add_argument("--errors", action="store_true", help="print each disagreeing line (text from the data)")
    args = ap.parse_args(argv)

    gold = [json.loads(x) for x in Path(args.gold).read_text(encoding="utf-8").splitlines() if x.strip()]
    splits = ["dev", "holdout", "holdout2"] if args.split == "all" else [args.split]
    gold = [g for g in gold if g["split"] in splits]
    arts = load_articles(data_dir(args.data), {g["dataset"] for g in gold})

    table: dict[str, dict[str, Counts]] = {s: defaultdict(Counts) for s in splits}
    byline_hits = byline_total = 0
    for g in gold:
        a = arts.get((g["dataset"], g["id"]))
        if a is None:
            sys.exit(f"clean_eval: article {g['id']} not in {g['dataset']}")
        result = clean_article(a["title"], a["body"])
        predicted = {r.line for r in result.removed if r.reason not in PREFIX_REASONS}
        raw_lines = a["body"].splitlines()
        for key in (a["source"], "ALL"):
            table[g["split"]][key].articles += 1
        for number, label in g["labels"].items():
            n = int(number)
            truth = label != "keep"
            pred = n in predicted
            for key in (a["source"], "ALL"):
                c = table[g["split"]][key]
                if truth and pred:
                    c.tp += 1
                elif pred:
                    c.fp += 1
                elif truth:
                    c.fn += 1
                else:
                    c.tn += 1
            if truth != pred and args.errors:
                kind = "FALSE-REMOVE" if pred else "MISSED"
                why = next((r.reason for r in result.removed if r.line == n), "")
                print(f"{kind:12s} {g['id']} line {n} gold={label} {why}: {display_line(raw_lines[n - 1])[:100]}")
        for number, label in g.get("prefix", {}).items():
            byline_total += 1
            byline_hits += any(r.line == int(number) and r.reason in PREFIX_REASONS for r in result.removed)

    print("Removal = a gold line labelled remove/byline/dateline; P/R of the cleaner's removals, line level.\n")
    for split in splits:
        print(f"### {split}\n")
        print("| site | articles | lines | gold removed | TP | FP | FN | precision | recall |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        rows = table[split]
        for key in sorted(k for k in rows if k != "ALL"):
            print(rows[key].row(key))
        if "ALL" in rows:
            print(rows["ALL"].row("**overall**"))
        print()
    if byline_total:
        print(f"byline/dateline prefixes split off a kept first paragraph: {byline_hits}/{byline_total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
