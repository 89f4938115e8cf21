"""JSON Schema (draft 2020-12) generated from the record dataclasses.

`python -m schemas.jsonschema` rewrites the checked-in files in schemas/json/; a unit test fails
when they drift from the record types.
"""
from __future__ import annotations

import dataclasses
import sys
import types
import typing
from pathlib import Path
from typing import Any

import orjson

from schemas.records import ALL_RECORDS, SCHEMA_VERSION

SCHEMA_DIR = Path(__file__).with_name("json")
_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _type_schema(tp: Any, defs: dict) -> dict:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}  # placeholder against recursion
            defs[tp.__name__] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type_schema(a, defs) for a in typing.get_args(tp)]}
    if origin is list:
        return {"type": "array", "items": _type_schema(typing.get_args(tp)[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(typing.get_args(tp)[1], defs)}
    if tp is type(None):
        return {"type": "null"}
    if tp is Any:
        return {}
    return {"type": _SCALARS[tp]}


def _object_schema(cls: type, defs: dict) -> dict:
    hints = typing.get_type_hints(cls)
    props, required = {}, []
    for f in dataclasses.fields(cls):
        props[f.name] = _type_schema(hints[f.name], defs)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    schema = {"type": "object", "properties": props, "required": required}
    if cls.__doc__:
        schema["description"] = " ".join(cls.__doc__.split())
    return schema


def record_schema(cls: type) -> dict:
    defs: dict = {}
    body = _object_schema(cls, defs)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"akhbar/{cls.__name__}/v{SCHEMA_VERSION.split('.')[0]}",
        "title": cls.__name__,
        "x-schema-version": SCHEMA_VERSION,
        **body,
    }
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def rendered() -> dict[str, bytes]:
    """File name -> file content for every record type."""
    return {f"{cls.__name__}.schema.json": orjson.dumps(record_schema(cls), option=orjson.OPT_INDENT_2) + b"\n"
            for cls in ALL_RECORDS}


def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, content in rendered().items():
        (SCHEMA_DIR / name).write_bytes(content)
        print(f"wrote {SCHEMA_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
