"""Person-name lists: Arabic given names and surnames, a CRF feature (``nm=G``, ``nm=S``).

Built by ``akhbar ner names`` from two openly licensed lists shipped inside PyPI wheels (nothing is fetched at run
time; the compiled ``model/names.tsv`` ships with the model):

- ``arabic-name-romanizer`` 0.2.0, ``resources/names.sqlite3``, table ``units``: Arabic-script given names and
  surnames of people in Wikidata (CC0 1.0), with their role (given / surname).
- ``arabnamer`` 0.1.3, ``data/dict_FINAL.json``: ~22.8k English -> Arabic name pairs (CC BY 4.0, E. Yousef 2026),
  which adds the Arabic spellings of foreign names (لافروف، بلاتر). Only one-word values are kept (the file also
  holds phrases); they count as ``A`` (a name, role unknown).

Entries are in matching form (``tokens.norm``); one- and two-letter forms are dropped. Many names are also common
words (علي = على once normalized, أمل، نور): the CRF weighs the feature against the word's frequency bucket.
"""
from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from nlp.ner.tokens import norm

ROLES = {"given": "G", "surname": "S"}
_SQLITE = "arabic_name_romanizer/resources/names.sqlite3"
_ARABNAMER = "arabnamer/data/dict_FINAL.json"


def _add(out: dict[str, set[str]], word: str, role: str) -> None:
    n = norm(word.strip())
    if len(n) >= 3 and " " not in n and n.isalpha():
        out.setdefault(n, set()).add(role)


def from_wikidata_sqlite(path: str | Path, out: dict[str, set[str]]) -> int:
    """Given names and surnames of ``names.sqlite3`` (Wikidata rows only) into ``out``; returns rows read."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT arabic_key, role FROM units WHERE source = 'wikidata'").fetchall()
    finally:
        con.close()
    for key, role in rows:
        if role in ROLES:
            _add(out, key, ROLES[role])
    return len(rows)


def from_arabnamer_json(data: dict, out: dict[str, set[str]]) -> int:
    for value in data.values():
        if isinstance(value, str):  # _add keeps one-word values only (the file also holds phrases)
            _add(out, value, "A")
    return len(data)


def build_names(wheels: list[str | Path], log=print) -> dict[str, str]:
    """{normalized word: roles, e.g. "GS"} from the two wheels (either order; each is recognised by its content)."""
    out: dict[str, set[str]] = {}
    seen = set()
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            names = set(z.namelist())
            if _SQLITE in names:
                with tempfile.TemporaryDirectory() as tmp:
                    z.extract(_SQLITE, tmp)
                    n = from_wikidata_sqlite(Path(tmp) / _SQLITE, out)
                seen.add("wikidata")
                log(f"{wheel}: {n} Wikidata name rows")
            elif _ARABNAMER in names:
                n = from_arabnamer_json(json.loads(z.read(_ARABNAMER)), out)
                seen.add("arabnamer")
                log(f"{wheel}: {n} name pairs")
            else:
                raise ValueError(f"{wheel}: neither {_SQLITE} nor {_ARABNAMER} inside")
    missing = {"wikidata", "arabnamer"} - seen
    if missing:
        raise ValueError(f"missing source(s): {', '.join(sorted(missing))} (see `akhbar ner names --help`)")
    return {w: "".join(sorted(r)) for w, r in out.items()}


def write_names(names: dict[str, str], path: str | Path) -> None:
    Path(path).write_text("".join(f"{w}\t{r}\n" for w, r in sorted(names.items())), encoding="utf-8")


def read_names(path: str | Path) -> dict[str, str]:
    """{normalized word: roles}; {} when the file is missing (a model trained without names)."""
    p = Path(path)
    if not p.is_file():
        return {}
    out = {}
    for line in p.read_text(encoding="utf-8").splitlines():
        w, _, r = line.partition("\t")
        if w and r:
            out[w] = r
    return out
