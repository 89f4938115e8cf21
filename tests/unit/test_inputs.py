import pytest

from streams.inputs import InputError, count_articles, read_articles


def test_reads_txt_json_jsonl_and_directories(tmp_path):
    (tmp_path / "a.txt").write_text("العنوان\nالسطر الأول.\nالسطر الثاني.\n", encoding="utf-8")
    (tmp_path / "b.json").write_text('[{"body": "نص", "id": "b1"}, {"body": "نص آخر", "id": "b2"}]')
    (tmp_path / "c.jsonl").write_text('{"body": "واحد", "id": "c1"}\n\n{"body": "اثنان", "id": "c2"}\n')
    (tmp_path / "ignored.md").write_text("not an article")
    arts = list(read_articles([tmp_path], source="desk"))
    assert [a.id for a in arts[1:]] == ["b1", "b2", "c1", "c2"]
    assert arts[0].title == "العنوان" and arts[0].body == "السطر الأول.\nالسطر الثاني."
    assert all(a.source == "desk" for a in arts)
    assert count_articles([tmp_path]) == 5


def test_errors_name_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"body": "ok"}\n{"body": 5}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: RawArticle.body"):
        list(read_articles([bad]))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(InputError, match="broken.json: invalid JSON"):
        list(read_articles([broken]))
    with pytest.raises(InputError, match="no such file"):
        list(read_articles([tmp_path / "missing"]))
    title_only = tmp_path / "t.txt"
    title_only.write_text("just a title\n")
    with pytest.raises(InputError, match="title line followed by the body"):
        list(read_articles([title_only]))
