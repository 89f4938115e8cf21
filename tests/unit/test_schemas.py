"""The checked-in JSON Schema files match the record types, and real records validate against them."""
import jsonschema
import orjson

from nlp import stages
from schemas.jsonschema import SCHEMA_DIR, rendered
from schemas.records import ALL_RECORDS, SCHEMA_VERSION
from streams.inputs import read_articles
from tests.conftest import SEED


def test_checked_in_schemas_match_the_record_types():
    files = {p.name: p.read_bytes() for p in SCHEMA_DIR.glob("*.schema.json")}
    expected = rendered()
    assert set(files) == set(expected), "run: uv run python -m schemas.jsonschema"
    for name, content in expected.items():
        assert files[name] == content, f"{name} drifted from schemas/records.py; run: uv run python -m schemas.jsonschema"


def test_every_record_type_has_a_schema_with_its_version():
    for cls in ALL_RECORDS:
        schema = orjson.loads((SCHEMA_DIR / f"{cls.__name__}.schema.json").read_bytes())
        assert schema["x-schema-version"] == SCHEMA_VERSION
        jsonschema.Draft202012Validator.check_schema(schema)


def test_an_enriched_seed_record_validates_against_its_schema():
    schema = orjson.loads((SCHEMA_DIR / "EnrichedArticle.schema.json").read_bytes())
    (raw,) = read_articles([SEED])
    record = orjson.loads(orjson.dumps(stages.process(stages.ingest(orjson.dumps(raw), 1 << 20))))
    jsonschema.validate(record, schema)
    broken = dict(record, entities=[{"text": "x"}])
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)
