"""Entity lists from the arwikicats wheel (nlp.ner.lists), their CRF features, and the transliteration shape."""
from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from nlp.ner import LISTS_FILE
from nlp.ner.cli import ner
from nlp.ner.features import FeatureExtractor
from nlp.ner.gazetteers import read_gazetteer
from nlp.ner.lists import LIST_TYPES, SOURCES, build_lists, select
from nlp.ner.translit import ForeignShape

_DATA = {
    "sports/Clubs_key.json": {"1. fc kaiserslautern": "نادي كايزرسلاوترن لكرة القدم", "x": "نادي فرانكفورت",
                              "rm": "ريال مدريد", "latin": "نادي a1", "h": "نادي"},
    "sports/clubs_teams_leagues.json": {"la liga": "الدوري الإسباني"},
    "sports/inter_federations.json": {"cl": "دوري أبطال أوروبا 2017–18", "lib": "كأس ليبرتادوريس"},
    "cities/cities_full.json": {"mascara": "معسكر (مدينة)", "aachen": "آخن", "ab": "اب"},
    "geography/P17_2_final_ll.json": {"west bank": "الضفة الغربية"},
    "geography/popopo.json": {"asir": "منطقة عسير"},
    "people/peoples.json": {"churchill": "ونستون تشرشل", "one": "سقراط"},
}


def _wheel(tmp_path, data=_DATA):
    whl = tmp_path / "arwikicats-0.2.3-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        for f, d in data.items():
            z.writestr("ArWikiCats/jsons/" + f, json.dumps(d, ensure_ascii=False))
    return whl


def test_build_strips_club_heads_and_qualifiers(tmp_path):
    lists = build_lists(_wheel(tmp_path), log=lambda m: None)
    assert lists["CLUB"] == {"كايزرسلاوترن", "فرانكفورت", "ريال مدريد"}  # as ANERcorp tags: نادي [فرانكفورت]
    assert lists["CUP"] == {"الدوري الاسباني", "كاس ليبرتادوريس"}      # with digits: dropped
    assert lists["CITY"] == {"معسكر", "اخن"}                              # qualifier removed, 2 letters dropped
    assert lists["PLACE"] == {"الضفه الغربيه", "منطقه عسير"}
    assert lists["PPL"] == {"ونستون تشرشل"}                             # full names only


def test_build_names_the_missing_file(tmp_path):
    data = {k: v for k, v in _DATA.items() if k != "people/peoples.json"}
    with pytest.raises(ValueError, match="peoples.json"):
        build_lists(_wheel(tmp_path, data), log=lambda m: None)


def test_cli_lists_writes_file_and_fails_clearly(tmp_path):
    out = tmp_path / "lists.tsv"
    r = CliRunner().invoke(ner, ["lists", str(_wheel(tmp_path)), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert read_gazetteer(out)["CLUB"] == {"كايزرسلاوترن", "فرانكفورت", "ريال مدريد"}
    bad = tmp_path / "bad.whl"
    bad.write_text("not a zip")
    r = CliRunner().invoke(ner, ["lists", str(bad), "--out", str(tmp_path / "x.tsv")])
    assert r.exit_code == 1 and "Traceback" not in r.output and not (tmp_path / "x.tsv").exists()


def test_select_and_unknown_type():
    lists = {"CLUB": {"ميلان"}, "CITY": {"ميلانو"}}
    assert select(lists, ("CLUB",)) == {"CLUB": {"ميلان"}}
    assert select(lists, None) == lists
    with pytest.raises(ValueError, match="unknown list"):
        select(lists, ("CLUBS",))


def test_shipped_lists():
    lists = read_gazetteer(LISTS_FILE)
    assert set(lists) == set(LIST_TYPES) == set(SOURCES)
    assert {"برشلونه", "ريال مدريد", "مانشستر يونايتد"} <= lists["CLUB"]
    assert len(lists["CITY"]) > 5_000


def test_list_hits_are_features_and_do_not_hide_gazetteer_matches():
    gaz = {"ORG": {"ريال مدريد"}, "LOC": {"مدريد"}}
    lists = {"CLUB": {"ريال مدريد سي", "ميلان"}, "CITY": {"مدريد"}}
    fx = FeatureExtractor(gaz, {}, lists=lists)
    f = fx.sentence(["فاز", "ريال", "مدريد", "سي", "على", "ميلان"])
    assert "mgz=B-ORG" in f[1] and "mgz=B-CLUB" in f[1]       # both sources match on their own
    assert "mgz=I-ORG" in f[2] and "mgz=I-CLUB" in f[3] and "mgz=I-ORG" not in f[3]
    assert {"gz=LOC", "gz=CITY"} <= set(f[2])
    assert "gz=CLUB" in f[5] and "-1:gz=CLUB" in fx.sentence(["ميلان", "فاز"])[1]
    assert "gz=CLUB" in fx.sentence(["وميلان"])[0]            # through the proclitic candidate


def test_foreign_shape_separates_transliterations():
    foreign = {"فرانكفورت", "ليفربول", "مانشستر", "يونايتد", "برشلونه", "ميلانو", "تشيلسي", "كولونيا", "هامبورغ",
               "موناكو", "بوروسيا", "دورتموند", "انترناسيونالي", "بايرن", "ميونخ", "يوفنتوس", "لايبزيغ"}
    native = {"الحكومه", "وزاره", "قالت", "المسلحين", "الاتفاق", "العسكريه", "مجلس", "اجتماع", "مسؤولون", "الانتخابات",
              "يجتمع", "المفاوضات", "الشعب", "استقبل", "العلاقات", "المتحده", "محادثات"}
    fs = ForeignShape(foreign, native)
    assert fs.score("شتوتغارت") > fs.score("مفاوضات")
    assert fs.score("تورينو") > 0 > fs.score("اجتماعات")
    assert fs.bucket("ميلانو") and fs.bucket("وزاره") is None
    assert fs.bucket("بار") is None  # too short to tell


def test_shipped_tagger_reads_the_club_list_but_has_no_list_features():
    # the shipped model was not trained with the lists (docs/ner.md: they did not gain across the dev sets), so they
    # are no features of it; the sport_clubs rule reads the club list all the same
    from nlp.ner import load_tagger
    fx = load_tagger().features
    assert fx.lmulti == {} and fx.translit is None
    assert not any("CLUB" in t for t in fx.single.values())
    assert {"برشلونه", "ريال مدريد"} <= fx.clubs
