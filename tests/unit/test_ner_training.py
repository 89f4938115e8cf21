"""Training helpers on a tiny synthetic data root: k-fold cross-validation and its CLI."""
from __future__ import annotations

import json

from click.testing import CliRunner

from nlp.ner.cli import ner
from nlp.ner.training import cross_validate

_SENTS = [
    ("قال الرئيس جون كيري في واشنطن", "O O B-PER I-PER O B-LOC"),
    ("زار وزير الخارجية سامح شكري القاهرة", "O O O B-PER I-PER B-LOC"),
    ("أعلنت شركة أرامكو أرباحها", "O O B-ORG O"),
    ("وصل محمد علي إلى بغداد أمس", "O B-PER I-PER O B-LOC O"),
]


def _root(tmp_path, n=12):
    root = tmp_path / "ner"
    (root / "anercorp").mkdir(parents=True)
    (root / "aqmar").mkdir()
    rows = [_SENTS[i % len(_SENTS)] for i in range(n)]
    text = "".join("".join(f"{w}\t{t}\n" for w, t in zip(s.split(), tags.split())) + "\n" for s, tags in rows)
    (root / "anercorp" / "anercorp_train.conll").write_text(text, encoding="utf-8")
    (root / "aqmar" / "aqmar_train.conll").write_text(text.split("\n\n")[0] + "\n\n", encoding="utf-8")
    for sub, entry in (("AlignedLocGazetteer", "بغداد"), ("AlignedOrgGazetteer", "أرامكو"),
                       ("AlignedPersGazetteer", "جون")):
        d = root / "anergazet" / "ANERGazet" / sub
        d.mkdir(parents=True)
        (d / "data").write_text(entry + "\n", encoding="utf-8")
    return root


def test_cross_validate_holds_out_each_slice_once(tmp_path):
    res = cross_validate(_root(tmp_path), tmp_path / "cv", folds=3, max_iterations=20, progress=False,
                         log=lambda m: None)
    spans = [r["sentences"] for r in res["folds"]]
    assert spans == [[0, 4], [4, 8], [8, 12]]                     # contiguous, disjoint, covering the file
    for r in res["folds"]:
        assert (tmp_path / "cv" / f"fold{r['fold']}" / "akhbar-ner.crfsuite").is_file()
        assert 0.0 <= r["micro"] <= 1.0
    assert res["mean"]["micro"] == round(sum(r["micro"] for r in res["folds"]) / 3, 4)
    assert res["folds"][0]["micro"] > 0.5    # the repeated sentences are learned from the other folds


def test_cli_cv_json_and_refusal(tmp_path):
    root = _root(tmp_path, n=6)
    r = CliRunner().invoke(ner, ["cv", "--data-root", str(root), "--work-dir", str(tmp_path / "w"), "--folds", "2",
                                 "--json"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output.strip().splitlines()[-1])
    assert [f["sentences"] for f in obj["folds"]] == [[0, 3], [3, 6]] and set(obj["sd"]) >= {"micro", "PER"}
    r = CliRunner().invoke(ner, ["cv", "--data-root", str(root), "--work-dir", str(tmp_path / "w2"), "--folds", "2"])
    table = {line.split()[0]: line.split() for line in r.output.splitlines() if line.split()[:1] in (["mean"], ["sd"])}
    assert float(table["mean"][1]) == obj["mean"]["micro"]     # the table shows the same figures as the JSON
    r = CliRunner().invoke(ner, ["cv", "--data-root", str(root), "--work-dir", str(tmp_path / "w"), "--folds", "1"])
    assert r.exit_code == 1 and "folds" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(ner, ["cv", "--data-root", str(tmp_path / "none"), "--work-dir", str(tmp_path / "w")])
    assert r.exit_code == 1 and "no ANERcorp data" in r.output
