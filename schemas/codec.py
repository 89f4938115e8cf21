"""The orjson codec: records to bytes and back, with validation that names the offending field."""
from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, TypeVar

import orjson

T = TypeVar("T")


class RecordError(ValueError):
    """The payload is JSON but not a valid record of the expected type."""


def encode(record: Any) -> bytes:
    """Serialize a record (or any orjson-serializable value) to compact UTF-8 JSON bytes."""
    return orjson.dumps(record)


def to_dict(record: Any) -> dict:
    return orjson.loads(orjson.dumps(record))


def decode(data: bytes | str, cls: type[T]) -> T:
    """Parse JSON bytes into `cls`; raises orjson.JSONDecodeError or RecordError."""
    obj = orjson.loads(data)
    return from_dict(cls, obj)


def from_dict(cls: type[T], obj: Any) -> T:
    if not isinstance(obj, dict):
        raise RecordError(f"{cls.__name__}: expected a JSON object, got {_json_type(obj)}")
    return _converter(cls)(obj, cls.__name__)


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def _converter(tp: Any):
    """Build (once per type) a function that validates a decoded JSON value against `tp`."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        fields = [(f.name, _converter(_hints(tp)[f.name]),
                   f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
                  for f in dataclasses.fields(tp)]

        def convert_record(value, where):
            if not isinstance(value, dict):
                raise RecordError(f"{where}: expected object, got {_json_type(value)}")
            kwargs = {}
            for name, conv, required in fields:
                if name in value:
                    kwargs[name] = conv(value[name], f"{where}.{name}")
                elif required:
                    raise RecordError(f"{where}.{name}: required field is missing")
            # unknown fields are ignored: producers may be newer than us (additive changes)
            return tp(**kwargs)

        return convert_record
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        convs = [_converter(a) for a in args if a is not type(None)]
        nullable = type(None) in args

        def convert_union(value, where):
            if value is None:
                if nullable:
                    return None
                raise RecordError(f"{where}: must not be null")
            errors = []
            for conv in convs:
                try:
                    return conv(value, where)
                except RecordError as exc:
                    errors.append(str(exc))
            raise RecordError(errors[0] if len(errors) == 1 else f"{where}: no alternative matched: {errors}")

        return convert_union
    if origin is list:
        (item,) = typing.get_args(tp)
        conv = _converter(item)

        def convert_list(value, where):
            if not isinstance(value, list):
                raise RecordError(f"{where}: expected array, got {_json_type(value)}")
            return [conv(v, f"{where}[{i}]") for i, v in enumerate(value)]

        return convert_list
    if origin is dict:
        _, val = typing.get_args(tp)
        conv = _converter(val)

        def convert_dict(value, where):
            if not isinstance(value, dict):
                raise RecordError(f"{where}: expected object, got {_json_type(value)}")
            return {k: conv(v, f"{where}.{k}") for k, v in value.items()}

        return convert_dict
    if tp is Any:
        return lambda value, where: value
    if tp is float:
        def convert_float(value, where):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise RecordError(f"{where}: expected number, got {_json_type(value)}")
            return float(value)
        return convert_float
    if tp in (str, int, bool):
        def convert_scalar(value, where):
            if type(value) is not tp:
                raise RecordError(f"{where}: expected {_json_type(tp())}, got {_json_type(value)}")
            return value
        return convert_scalar
    raise TypeError(f"unsupported type in a record: {tp!r}")
