import orjson
import pytest

from schemas.codec import RecordError, decode, encode, from_dict
from schemas.records import CleanArticle, DeadLetter, Processing, RawArticle, Removed, Span


def test_round_trip_keeps_nested_records():
    article = CleanArticle(id="a1", source="s", url=None, published_at=None, ingested_at="2026-01-01T00:00:00Z",
                           lang="ar", title="عنوان", body="نص الخبر.", paragraphs=[Span(0, 9)],
                           removed=[Removed("-", "separator", 3)], processing=Processing("v", {"clean": 1.5}))
    again = decode(encode(article), CleanArticle)
    assert again == article
    assert isinstance(again.paragraphs[0], Span) and isinstance(again.removed[0], Removed)


@pytest.mark.parametrize("payload, message", [
    ({"body": 3}, "RawArticle.body: expected string, got integer"),
    ({"title": "x"}, "RawArticle.body: required field is missing"),
    ({"body": "x", "title": ["a"]}, "RawArticle.title"),
    ({"body": None}, "RawArticle.body: expected string, got null"),
])
def test_invalid_fields_are_named(payload, message):
    with pytest.raises(RecordError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from_dict(RawArticle, payload)


def test_unknown_fields_from_newer_producers_are_ignored():
    raw = decode(orjson.dumps({"body": "x", "added_in_v1_1": True}), RawArticle)
    assert raw.body == "x"


def test_numbers_and_booleans_are_not_confused():
    with pytest.raises(RecordError):
        from_dict(Processing, {"pipeline_version": "v", "stages_ms": {"clean": True}})
    assert from_dict(Processing, {"pipeline_version": "v", "stages_ms": {"clean": 2}}).stages_ms == {"clean": 2.0}
    with pytest.raises(RecordError, match="offset"):
        from_dict(DeadLetter, {"stage": "s", "error_type": "E", "error": "e", "payload": "", "payload_encoding": "utf-8",
                               "topic": "t", "partition": 0, "offset": "12", "failed_at": "now"})
