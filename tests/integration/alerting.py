"""Helpers for the alerting and feed tests: enriched articles, rules through the real CLI."""
from __future__ import annotations

import subprocess
import sys
import uuid

import orjson

from tests.integration.conftest import REPO


def enriched(title="", body="", entities=(), source="wire", lang="ar", id=None, ingested_at=None, **extra) -> dict:
    """A minimal EnrichedArticle dict; entities are (text, type) or text (LOC); offsets found in body."""
    ents = []
    for e in entities:
        text, typ = (e, "LOC") if isinstance(e, str) else e
        start = body.find(text)
        ents.append({"text": text, "type": typ, "start": max(start, 0), "end": max(start, 0) + len(text),
                     "canonical": text, "translit": "", "id": None})
    return {"id": id or uuid.uuid4().hex[:20], "source": source, "url": None, "published_at": None,
            "ingested_at": ingested_at, "lang": lang, "title": title, "body": body,
            "paragraphs": [{"start": 0, "end": len(body)}], "removed": [], "entities": ents, "quotes": [],
            "processing": {"pipeline_version": "test", "stages_ms": {"clean": 1.5, "entities": 0.5}},
            "schema_version": "1.0", **extra}


def as_message(article: dict):
    return (article["id"].encode(), orjson.dumps(article), None)


def as_signed(article: dict):
    """`article` (an EnrichedArticle dict) as the entities agent sends it to articles.stories: signed."""
    from agents.stories import signed_message
    from schemas.codec import from_dict
    from schemas.records import EnrichedArticle

    return (article["id"].encode(), signed_message(from_dict(EnrichedArticle, article)), None)


def akhbar(pipeline, *args, check=True) -> subprocess.CompletedProcess:
    """Run the real CLI with the test's environment."""
    proc = subprocess.run([sys.executable, "-m", "streams.cli.main", *args], cwd=REPO, env=pipeline.env,
                          capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"akhbar {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def add_rules(pipeline, tmp_path, text: str) -> None:
    path = tmp_path / f"rules-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(text, encoding="utf-8")
    akhbar(pipeline, "rules", "add", str(path))
