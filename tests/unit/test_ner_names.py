"""Person-name lists (nlp.ner.names): building from the two wheels, the file format, the CRF features."""
from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest
from click.testing import CliRunner

from nlp.ner import NAMES_FILE
from nlp.ner.cli import ner
from nlp.ner.features import FeatureExtractor
from nlp.ner.names import build_names, read_names, write_names


def _romanizer_wheel(tmp_path, rows):
    db = tmp_path / "names.sqlite3"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE units (arabic_key TEXT, latin TEXT, role TEXT, count INTEGER, source TEXT)")
    con.executemany("INSERT INTO units VALUES (?, '', ?, 1, ?)", rows)
    con.commit()
    con.close()
    whl = tmp_path / "arabic_name_romanizer-0.2.0-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        z.write(db, "arabic_name_romanizer/resources/names.sqlite3")
    return whl


def _arabnamer_wheel(tmp_path, pairs):
    whl = tmp_path / "arabnamer-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        z.writestr("arabnamer/data/dict_FINAL.json", json.dumps(pairs, ensure_ascii=False))
    return whl


def test_build_merges_roles_and_normalizes(tmp_path):
    a = _romanizer_wheel(tmp_path, [("بسّام", "given", "wikidata"), ("بسام", "surname", "wikidata"),
                                    ("الصباغ", "surname", "wikidata"), ("زيد", "unknown", "wikidata"),
                                    ("كريم", "given", "dzirinames"), ("أحمد", "given", "wikidata")])
    b = _arabnamer_wheel(tmp_path, {"lavrov": "لافروف", "phrase": "في أسرع وقت", "x": "مع", "bassam": "بسام"})
    names = build_names([b, a], log=lambda m: None)
    assert names["بسام"] == "AGS"            # diacritics removed before merging; roles from both sources
    assert names["الصباغ"] == "S" and names["لافروف"] == "A"
    assert names["احمد"] == "G"              # matching form: hamza alef normalized
    for absent in ("زيد", "كريم", "مع", "في"):  # unknown role, a non-Wikidata row, two letters, a phrase
        assert absent not in names


def test_build_needs_both_sources(tmp_path):
    a = _romanizer_wheel(tmp_path, [("بسام", "given", "wikidata")])
    with pytest.raises(ValueError, match="arabnamer"):
        build_names([a], log=lambda m: None)
    other = tmp_path / "other.whl"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("pkg/__init__.py", "")
    with pytest.raises(ValueError, match="neither"):
        build_names([a, other], log=lambda m: None)


def test_cli_names_writes_file_and_fails_clearly(tmp_path):
    a = _romanizer_wheel(tmp_path, [("بسام", "given", "wikidata")])
    b = _arabnamer_wheel(tmp_path, {"lavrov": "لافروف"})
    out = tmp_path / "names.tsv"
    r = CliRunner().invoke(ner, ["names", str(a), str(b), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert read_names(out) == {"بسام": "G", "لافروف": "A"}
    r = CliRunner().invoke(ner, ["names", str(a), "--out", str(tmp_path / "x.tsv")])
    assert r.exit_code == 1 and "missing source" in r.output and "Traceback" not in r.output


def test_file_round_trip_and_missing_file(tmp_path):
    write_names({"بسام": "AGS", "الصباغ": "S"}, tmp_path / "n.tsv")
    assert read_names(tmp_path / "n.tsv") == {"بسام": "AGS", "الصباغ": "S"}
    assert read_names(tmp_path / "missing.tsv") == {}


def test_shipped_list_has_the_seed_names():
    names = read_names(NAMES_FILE)
    assert len(names) > 20_000
    assert "G" in names["بسام"] and "S" in names["الصباغ"]


def _attrs(fx, word):
    return fx.word_features(word)[0]


def test_name_features_on_word_and_clitic_forms():
    fx = FeatureExtractor({}, {}, counts={"بسام": 9}, names={"بسام": "GS", "السوري": "S"})
    assert {"nm=G", "nm=S", "nm|fq=2"} <= set(_attrs(fx, "بسام"))
    assert "nm=G" in _attrs(fx, "وبسام")                        # conjunction + name
    assert "-1:nm=G" in fx.word_features("بسام")[1]             # seen by the next word
    assert not any(a.startswith("nm") for a in _attrs(fx, "السوري"))  # a nationality adjective keeps only `nat`
    assert "nat" in _attrs(fx, "السوري")
    assert not any(a.startswith("nm") for a in _attrs(fx, "كتاب"))
