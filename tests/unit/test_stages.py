"""The stage functions the agents and `akhbar process` share."""
import orjson
import pytest

from nlp import stages
from streams.inputs import read_articles
from tests.conftest import SEED


@pytest.mark.parametrize("payload, fragment", [
    (b"\xff\xfe", "not valid UTF-8"),
    (b"{", "not valid JSON"),
    (b"[]", "expected a JSON object"),
    (b'{"body": 1}', "RawArticle.body"),
    (b'{"body": " \\t "}', "body: is empty"),
    (b'{"body": "x", "id": " "}', "id: is empty"),
])
def test_ingest_rejects_bad_input_with_a_reason(payload, fragment):
    with pytest.raises(stages.InvalidInput, match=fragment):
        stages.ingest(payload, 1 << 20)


def test_ingest_enforces_the_size_limit():
    payload = orjson.dumps({"body": "x" * 5000})
    with pytest.raises(stages.InvalidInput, match="over the limit of 4096"):
        stages.ingest(payload, 4096)
    assert stages.ingest(payload, len(payload)).body == "x" * 5000


def test_ingest_assigns_a_stable_id_and_ingest_time():
    a = stages.ingest(b'{"body": "\xd9\x86\xd8\xb5", "source": "wire"}', 1 << 20)
    b = stages.ingest(b'{"body": "\xd9\x86\xd8\xb5", "source": "wire"}', 1 << 20)
    c = stages.ingest(b'{"body": "\xd9\x86\xd8\xb5", "source": "other"}', 1 << 20)
    assert a.id == b.id != c.id
    assert a.ingested_at.endswith("Z")
    assert stages.ingest(b'{"body": "x", "id": "given"}', 1 << 20).id == "given"


def test_seed_is_cleaned_and_enriched():
    (raw,) = read_articles([SEED])
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    rec = stages.process(stages.ingest(orjson.dumps(raw), 1 << 20))
    assert rec.title == title.strip()
    assert "تعزيزات عسكرية ضخمة في ريف حماة" not in rec.body
    assert "دوريات مشتركة بين تركيا وروسيا" not in rec.body
    assert not any(line.strip() == "-" for line in rec.body.splitlines())
    assert rec.body.startswith("سمحت السلطات العراقية")
    assert rec.body.rstrip().endswith("لإبعاد مخاطر التصعيد”.")
    assert "(قسد). وبموافقة" in rec.body
    for p in rec.paragraphs:
        text = rec.body[p.start:p.end]
        assert text and text == text.strip() and "\n" not in text
    assert sum(r.reason == "related-headline" for r in rec.removed) == 6
    for e in rec.entities:
        assert rec.body[e.start:e.end] == e.text
    assert rec.lang == "ar"


def test_non_arabic_articles_skip_the_arabic_entity_model():
    raw = stages.ingest(orjson.dumps({"body": "The minister said on Monday that talks in Baghdad would resume."}),
                        1 << 20)
    rec = stages.process(raw)
    assert rec.lang == "en" and rec.entities == []


def test_clean_remembers_the_titles_of_the_run_per_source():
    from nlp.headlines import RecentTitles
    from schemas.records import RawArticle

    p = "قال المسؤول إن الحكومة ستعلن القرار النهائي خلال الأيام المقبلة بعد مشاورات واسعة مع الأطراف المعنية."
    head = "الحكومة ستعلن القرار النهائي للمشاورات"   # its words are the article's: only the memory tells
    first = RawArticle(body=p, title=head, source="desk", id="a1")
    later = RawArticle(body="\n".join([p, head, p.replace("قال", "وأكد")]), title="عنوان آخر", source="desk", id="a2")
    assert stages.clean(later).removed == []
    titles = RecentTitles()
    stages.clean(first, titles=titles)
    assert [(x.line, x.reason) for x in stages.clean(later, titles=titles).removed] == [(2, "related-headline")]
    other = RawArticle(body=later.body, title="عنوان آخر", source="wire", id="a3")
    assert stages.clean(other, titles=titles).removed == []   # per source
