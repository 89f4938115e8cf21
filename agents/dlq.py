"""Dead-letter routing: every message a stage cannot process becomes one DeadLetter, and the stream goes on."""
from __future__ import annotations

import base64
import logging

from nlp.stages import PIPELINE_VERSION, InvalidInput, utc_now
from schemas.codec import encode
from schemas.records import DeadLetter

log = logging.getLogger("akhbar.dlq")


def failed_stage(stage: str, exc: BaseException) -> str:
    """The stage a failure is charged to: input that fails validation (InvalidInput) is a dead letter of stage
    "ingest", whichever agent validated it (the producer's fault, not the stage's); anything else, `stage`."""
    return "ingest" if isinstance(exc, InvalidInput) else stage


def dead_letter(stage: str, exc: BaseException, payload: bytes | None, message=None,
                target: str | None = None) -> DeadLetter:
    """Build the DeadLetter for `payload` that failed in `stage` (message: the faust Message, when there is one;
    target: where a failed delivery was going)."""
    payload = payload or b""
    try:
        text, encoding = payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(payload).decode("ascii"), "base64"
    key = getattr(message, "key", None)
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    return DeadLetter(
        stage=stage, error_type=type(exc).__name__, error=str(exc)[:2000], payload=text,
        payload_encoding=encoding, topic=getattr(message, "topic", None),
        partition=getattr(message, "partition", None), offset=getattr(message, "offset", None),
        failed_at=utc_now(), key=key, pipeline_version=PIPELINE_VERSION, target=target,
    )


class DeadLetters:
    """The DLQ sink of one app: `await dlq.send(stage, exc, event)`."""

    def __init__(self, topic):
        self.topic = topic

    async def send(self, stage: str, exc: BaseException, event) -> None:
        message = event.message
        record = dead_letter(stage, exc, event.value if isinstance(event.value, bytes) else None, message)
        log.warning("dead letter from %s at %s[%s]@%s: %s: %s", stage, record.topic, record.partition,
                    record.offset, record.error_type, record.error[:200])
        key = message.key if isinstance(message.key, bytes) else None
        await self.topic.send(key=key, value=encode(record))
