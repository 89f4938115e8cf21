"""Related headlines in every layout, leave-one-site-out: thresholds chosen on the other sites, scored on one.

    uv run python bench/clean_headlines_eval.py [--data DIR] [--per-site 50] [--baseline-root DIR] [--show SITE]

For each Arabic site of the news data folder (--data, else $AKHBAR_NEWS_DATA, else ../shared/data/news), up to
--per-site articles that keep >= 2 paragraphs get, at one paragraph boundary (between two prose paragraphs when
there is one), the titles of *other* articles of the same site inserted in four layouts:

    sep-chain   `-`, headline, `-`, headline          (the seed's)
    sep-single  `-`, headline, then the next paragraph
    marker      `اقرأ أيضاً:` / `اقرأ أيضا` / `مواضيع ذات صلة` (in turn), then two headlines
    bare        one headline between two paragraphs, no marker, no separator

Scored per layout and site: removal = inserted headlines not in the cleaned body; retention = the article's own
sentences still there, where "own" = the lines the cleaner keeps on the original article *without* the
untriggered headline rules (HeadlineParams.OFF), so a crosshead those rules take is a loss; `sep`/`glued` = body
lines that are only punctuation, and periods glued to the next word (`.و`), left in the output.

Leave-one-site-out: for each site, the thresholds (a grid over HeadlineParams) are those that do best on the
*other* sites (retention >= 0.99 on each, then the highest worst-layout removal), then scored on the left-out
site. Two modes: `signals` (no memory) and `memory` (the site's articles are cleaned in order with a
RecentTitles over the run, as `akhbar process` does; about half the inserted titles were seen before).
--baseline-root DIR scores the cleaner found in DIR (e.g. a `git archive` of an older commit) with its defaults.
"""
from __future__ import annotations

import argparse
import importlib
import itertools
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ("almayadeen_scrape", "antcorpus_multisource", "saudinewsnet")   # the Arabic sites
LAYOUTS = ("sep-chain", "sep-single", "marker", "bare")
MARKERS = ("اقرأ أيضاً:", "اقرأ أيضا", "مواضيع ذات صلة")
GRID = {"bare_min_words": (3, 4, 5), "sep_min_words": (1, 2), "max_overlap": (0.25, 0.34, 0.5),
        "window": (0, 1, 2), "article_slack": (1.0, 0.33)}
PREFIX_REASONS = {"byline-dateline-prefix"}
_GLUED = re.compile(r"(?<![\d.])\.(?=[\u0621-\u064a])")
_PROSE_END = re.compile(r"[.!?؟…:؛][\"'”»)\]}]*$")


class Cell:
    __slots__ = ("heads", "removed", "own", "kept", "sep", "glued")

    def __init__(self) -> None:
        self.heads = self.removed = self.own = self.kept = self.sep = self.glued = 0

    def add(self, other: "Cell") -> None:
        for k in self.__slots__:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def removal(self) -> float:
        return self.removed / self.heads if self.heads else 1.0

    @property
    def retention(self) -> float:
        return self.kept / self.own if self.own else 1.0


def load_sites(data: Path) -> dict[str, list[dict]]:
    sites: dict[str, list[dict]] = defaultdict(list)
    for ds in DATASETS:
        with (data / ds / "articles.jsonl").open(encoding="utf-8") as f:
            for line in f:
                a = json.loads(line)
                sites[a["source"]].append(a)
    return dict(sites)


class Case:
    """One article with one block inserted: the raw body, the inserted headline lines, the own lines."""
    __slots__ = ("site", "index", "title", "body", "heads", "own")

    def __init__(self, site, index, title, body, heads, own):
        self.site, self.index, self.title, self.body, self.heads, self.own = site, index, title, body, heads, own


def build_cases(sites: dict[str, list[dict]], per_site: int, cleaner) -> dict[str, dict[str, list[Case]]]:
    """site -> layout -> cases (same articles, same boundary, same headlines in every layout)."""
    clean, display_line, sentence_spans, off = cleaner
    out: dict[str, dict[str, list[Case]]] = {}
    for site, arts in sorted(sites.items()):
        titles = [display_line(a["title"] or "") for a in arts]
        by_layout: dict[str, list[Case]] = {lay: [] for lay in LAYOUTS}
        taken = 0
        for index, a in enumerate(arts):
            if taken >= per_site:
                break
            raw = a["body"].splitlines()
            ref = clean(a["title"], a["body"], *off)
            gone = {r.line for r in ref.removed if r.reason not in PREFIX_REASONS}
            kept = [n for n in range(1, len(raw) + 1) if raw[n - 1].strip() and n not in gone
                    and display_line(raw[n - 1])]
            if len(kept) < 2:
                continue
            rng = random.Random(f"{site}:{a['id']}")
            bounds = list(zip(kept, kept[1:]))
            prose = [b for b in bounds if all(_is_prose(display_line(raw[n - 1])) for n in b)]
            after, _ = rng.choice(prose or bounds)
            own_title = titles[index]
            pool = [t for i, t in enumerate(titles) if i != index and t != own_title and len(t.split()) >= 3]
            h1, h2 = rng.sample(pool, 2)
            weights = {n: max(1, len(sentence_spans(display_line(raw[n - 1])))) for n in kept}
            blocks = {"sep-chain": ["-", h1, "-", h2], "sep-single": ["-", h1],
                      "marker": [MARKERS[taken % len(MARKERS)], h1, h2], "bare": [h1]}
            for lay, block in blocks.items():
                lines = raw[:after] + block + raw[after:]
                heads = {after + 1 + i for i, x in enumerate(block) if x in (h1, h2)}
                own = {(n if n <= after else n + len(block)): w for n, w in weights.items()}
                by_layout[lay].append(Case(site, index, a["title"], "\n".join(lines), heads, own))
            taken += 1
        out[site] = by_layout
    return out


def _is_prose(text: str) -> bool:
    return bool(_PROSE_END.search(text)) and len(text.split()) >= 6


def score(cases: list[Case], clean, params=None, memory=None) -> Cell:
    """`params` None: the cleaner's own defaults, called as clean(title, body) (any version of it)."""
    cell = Cell()
    for c in cases:
        known = memory[c.site][c.index] if memory is not None else ()
        r = clean(c.title, c.body) if params is None else clean(c.title, c.body, known, params)
        gone = {x.line for x in r.removed if x.reason not in PREFIX_REASONS}
        cell.heads += len(c.heads)
        cell.removed += len(c.heads & gone)
        cell.own += sum(c.own.values())
        cell.kept += sum(w for n, w in c.own.items() if n not in gone)
        lines = r.body.split("\n") if r.body else []
        cell.sep += sum(1 for x in lines if not any(ch.isalnum() for ch in x))
        cell.glued += len(_GLUED.findall(r.body))
    return cell


def memories(sites: dict[str, list[dict]], recent_titles, display_line) -> dict[str, list]:
    """Per site, per article index: the known title keys when that article is cleaned, i.e. the titles of the
    site's articles before it in stream (file) order, never its own or a later one's."""
    out = {}
    for site, arts in sites.items():
        mem = recent_titles()
        snaps = []
        for i, a in enumerate(arts):
            snaps.append(frozenset(mem.known(site)))
            mem.add(site, display_line(a["title"] or ""), float(i))   # what nlp.stages.clean adds
        out[site] = snaps
    return out


def print_misses(by_layout: dict[str, list[Case]], clean, display_line) -> None:
    """The misses of the default cleaner (no memory): kept inserted headlines with the lines around them, and
    own lines removed (retention losses)."""
    for lay in ("sep-single", "bare"):
        for c in by_layout[lay]:
            r = clean(c.title, c.body)
            gone = {x.line for x in r.removed if x.reason not in PREFIX_REASONS}
            raw = c.body.split("\n")
            for n in sorted(c.heads - gone):
                ctx = [f"    {m}{'*' if m == n else ' '} {display_line(raw[m - 1])[:110]}"
                       for m in range(max(1, n - 2), min(len(raw), n + 1) + 1) if raw[m - 1].strip()]
                print(f"MISS {lay} {c.site} #{c.index} title: {display_line(c.title or '')[:80]}")
                print("\n".join(ctx))
            for n in sorted(set(c.own) & gone):
                why = next(x.reason for x in r.removed if x.line == n)
                print(f"LOST {lay} {c.site} #{c.index} ({why}): {display_line(raw[n - 1])[:110]}")


def fmt_row(name: str, cells: dict[str, Cell], extra: str = "") -> str:
    total = Cell()
    for c in cells.values():
        total.add(c)
    rem = " | ".join(f"{cells[lay].removal:.3f}" for lay in LAYOUTS)
    return (f"| {name} | {extra}{rem} | {total.retention:.4f} | {total.sep} | {total.glued} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--per-site", type=int, default=50)
    ap.add_argument("--baseline-root", help="score the cleaner of this source tree (its defaults, no grid)")
    ap.add_argument("--show", help="print the lines the new rules remove from this site's original articles")
    ap.add_argument("--misses", help="comma-separated sites: print the inserted headlines the default cleaner "
                    "keeps (sep-single, bare) with their neighbours, and the own lines it drops; only on sites "
                    "you tune on")
    ap.add_argument("--dump", help="write the whole grid (per setting, site and layout: heads, removed, own, kept) "
                    "to this JSON file, to study fold-selection rules without re-running it")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(args.baseline_root).resolve()) if args.baseline_root else str(ROOT))
    sys.path.insert(1, str(ROOT / "bench"))
    clean_mod = importlib.import_module("nlp.clean")
    from nlp.segment import sentence_spans  # noqa: E402
    from nlp.text import display_line  # noqa: E402
    from clean_eval import data_dir  # noqa: E402  (the data folder rule, one place; after nlp is imported)
    data = data_dir(args.data)
    sites = load_sites(data)
    header = ("| left-out site | " + ("thresholds (bare, sep, overlap, window, slack) | " if not args.baseline_root else "")
              + " | ".join(LAYOUTS) + " | retention | sep left | glued left |")
    align = "| --- | " + ("--- | " if not args.baseline_root else "") + "---: | " * (len(LAYOUTS) + 3)

    if args.baseline_root:
        cleaner = (lambda t, b, *_: clean_mod.clean_article(t, b), display_line, sentence_spans, ())
        cases = build_cases(sites, args.per_site, cleaner)
        print(f"baseline cleaner from {args.baseline_root}; {sum(len(v['bare']) for v in cases.values())} "
              "articles\n")
        print(header.replace("left-out site", "site"))
        print(align.rstrip())
        for site in sorted(cases):
            print(fmt_row(site, {lay: score(cases[site][lay], clean_mod.clean_article) for lay in LAYOUTS}))
        return 0

    from nlp import headlines as H  # noqa: E402
    cleaner = (clean_mod.clean_article, display_line, sentence_spans, ((), H.OFF))
    cases = build_cases(sites, args.per_site, cleaner)
    names = sorted(cases)
    print(f"{sum(len(v['bare']) for v in cases.values())} articles, {len(names)} sites, "
          f"{len(list(itertools.product(*GRID.values())))} threshold settings\n")
    if args.show:
        for c in cases[args.show]["bare"]:
            a = sites[c.site][c.index]
            on = {x.line for x in clean_mod.clean_article(a["title"], a["body"]).removed}
            off = {x.line for x in clean_mod.clean_article(a["title"], a["body"], (), H.OFF).removed}
            raw = a["body"].splitlines()
            for n in sorted(on - off):
                print(f"{a['id']} line {n}: {display_line(raw[n - 1])}")
        return 0
    if args.misses:
        for site in args.misses.split(","):
            print_misses(cases[site], clean_mod.clean_article, display_line)
        return 0
    # every setting on every site once; each fold then picks from the table
    table: dict[tuple, dict[str, dict[str, Cell]]] = {}
    for values in itertools.product(*GRID.values()):
        params = H.HeadlineParams(**dict(zip(GRID, values)))
        table[values] = {s: {lay: score(cases[s][lay], clean_mod.clean_article, params) for lay in LAYOUTS}
                         for s in names}

    if args.dump:
        rows = [{"values": list(v), "site": s, "layout": lay,
                 **{k: getattr(c, k) for k in Cell.__slots__}}
                for v, by_site in table.items() for s, cells in by_site.items() for lay, c in cells.items()]
        Path(args.dump).write_text(json.dumps(rows), encoding="utf-8")

    def site_total(cells: dict[str, Cell]) -> Cell:
        t = Cell()
        for c in cells.values():
            t.add(c)
        return t

    def choose(train: list[str]) -> tuple:
        def key(values):
            by_site = table[values]
            feasible = all(site_total(by_site[s]).retention >= 0.99 for s in train)
            worst = min(by_site[s][lay].removal for s in train for lay in LAYOUTS)
            mean_ret = sum(site_total(by_site[s]).retention for s in train) / len(train)
            return (feasible, worst, mean_ret)
        return max(table, key=key)

    chosen = {}
    print("### signals only (no memory)\n")
    print(header)
    print(align.rstrip())
    for left in names:
        values = choose([s for s in names if s != left])
        chosen[left] = values
        print(fmt_row(left, table[values][left], ", ".join(map(str, values)) + " | "))
    default = tuple(getattr(H.DEFAULT, k) for k in GRID)
    print(f"\nchosen on all sites: {choose(names)}; nlp/headlines.py DEFAULT: {default}\n")

    print("### signals + memory of recent titles (RecentTitles over the run), thresholds of each fold\n")
    mem = memories(sites, H.RecentTitles, display_line)
    print(header)
    print(align.rstrip())
    for left in names:
        values = chosen[left]
        params = H.HeadlineParams(**dict(zip(GRID, values)))
        cells = {lay: score(cases[left][lay], clean_mod.clean_article, params, mem) for lay in LAYOUTS}
        print(fmt_row(left, cells, ", ".join(map(str, values)) + " | "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
