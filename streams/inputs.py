"""Reading articles from files: seed-format .txt (first line = title), .json (object or array), .jsonl.

Shared by `akhbar produce` and the broker-free `akhbar process`, so both read inputs identically.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import orjson

from nlp.stages import article_id
from schemas.codec import RecordError, from_dict
from schemas.records import RawArticle

SUFFIXES = (".txt", ".json", ".jsonl")


class InputError(ValueError):
    pass


def expand(paths: list[str | Path], exclude: Path | None = None) -> list[Path]:
    """Files named, and the input files below directories named, in a stable order; never `exclude` (the file
    being written, e.g. `akhbar process DIR -o DIR/out.jsonl`), whether named or found in a directory."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    if exclude is not None:
        files = [f for f in files if not same_file(f, exclude)]
    return files


def same_file(a: Path, b: Path) -> bool:
    """The same file on disk (through symlinks, hard links, `..`); False when either does not exist."""
    try:
        return a.samefile(b)
    except OSError:
        return False


def read_text_article(path: Path, source: str | None = None) -> RawArticle:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 ({exc})") from None
    title, _, body = text.strip("\n").partition("\n")
    if not body.strip():
        raise InputError(f"{path}: expected a title line followed by the body, found {len(text)} characters")
    src = source or path.parent.name or "local"
    return RawArticle(body=body, title=title.strip(), source=src, id=article_id(src, title.strip(), body))


def _record(obj, where: str, source: str | None) -> RawArticle:
    try:
        raw = from_dict(RawArticle, obj)
    except RecordError as exc:
        raise InputError(f"{where}: {exc}") from None
    if source and not raw.source:
        raw.source = source
    return raw


def read_articles(paths: list[str | Path], source: str | None = None,
                  exclude: Path | None = None) -> Iterator[RawArticle]:
    for path in expand(paths, exclude):
        if path.suffix == ".txt":
            yield read_text_article(path, source)
        elif path.suffix == ".jsonl":
            with path.open("rb") as fh:
                for number, line in enumerate(fh, start=1):
                    if line.strip():
                        yield _record(_loads(line, f"{path}:{number}"), f"{path}:{number}", source)
        elif path.suffix == ".json":
            data = _loads(path.read_bytes(), str(path))
            for i, obj in enumerate(data if isinstance(data, list) else [data]):
                yield _record(obj, f"{path}[{i}]", source)
        else:
            raise InputError(f"{path}: unsupported file type (use {', '.join(SUFFIXES)})")


def _loads(data: bytes, where: str):
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON ({exc})") from None


def count_articles(paths: list[str | Path], exclude: Path | None = None) -> int:
    """How many articles the paths hold (for progress bars): .txt files, .jsonl lines, .json array items."""
    total = 0
    for path in expand(paths, exclude):
        if path.suffix == ".jsonl":
            with path.open("rb") as fh:
                total += sum(1 for line in fh if line.strip())
        elif path.suffix == ".json":
            try:
                data = orjson.loads(path.read_bytes())
            except orjson.JSONDecodeError:
                data = None  # reported by read_articles with its location
            total += len(data) if isinstance(data, list) else 1
        else:
            total += 1
    return total
