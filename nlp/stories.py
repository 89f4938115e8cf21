"""Story clustering: near-duplicate articles grouped into stories, with MinHash signatures and LSH banding.

Pure Python and numpy, no Kafka import. `StoryIndex` holds the whole clustering; the broker-free path
(`akhbar process`, the evaluation, the tests) and the stream's story agent (agents/stories.py) both run it:

- `signature(text)`: MinHash over word 3-shingles of the matching text (diacritics, tatweel, alef/ya/teh
  marbuta, digits and punctuation do not matter).
- `band_keys(sig)`: one LSH key per band; two articles become candidates when one band agrees.
- `sketch(sig)`: the 1-byte-per-hash form of the signature kept in state to verify candidates
  (b-bit MinHash, b=8); `similarity(a, b)` estimates the Jaccard similarity of two sketches.
- `signed(id, text, seen_at)`: what an article brings to the index (sketch, band keys, event time), computed
  where the article is (the stream's stories-sign agent); `StoryIndex.add_signed` takes it.
- `probe` / `bucket_record` / `bucket_commit` / `choose` / `story_join`: the state transitions of the band
  buckets and the stories.

Times are integer milliseconds since the epoch, taken from the article (`ingested_at`), so replays and
tests are deterministic: an entry expires `horizon_ms` after the article it records was seen.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from nlp.text import matching_text

SHINGLE = 3          # words per shingle
NUM_PERM = 64        # MinHash permutations (the sketch length)
BANDS = 16           # LSH bands ...
ROWS = 2             # ... of this many hashes each: candidates from Jaccard ~ (1/16)^(1/2) = 0.25 upwards
THRESHOLD = 0.5      # estimated Jaccard at or above which a candidate is the same story
MAX_BUCKET = 64      # entries kept per band bucket (oldest dropped): boilerplate cannot blow up one key
REPS = 2             # per story and bucket, the entries kept: its first REPS (the articles that started it) ...
NEWEST = 4           # ... and its NEWEST latest, so a probe's cost is bounded whatever the story's size
HORIZON_MS = 72 * 3600 * 1000

_MERSENNE = np.uint64((1 << 61) - 1)
_MASK32 = np.uint64(0xFFFFFFFF)
_rng = np.random.RandomState(20261129)  # fixed: signatures must agree across processes and restarts
_A = _rng.randint(1, (1 << 31) - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_B = _rng.randint(0, (1 << 31) - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
                dtype=np.uint64)
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The matching-text words: punctuation, diacritics and letter variants do not count."""
    return _WORD.findall(matching_text(text))


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """32-bit stable hashes of the distinct k-word shingles (a text shorter than k words: one shingle).

    Each word is hashed once (CRC-32 of its UTF-8), and a shingle's hash mixes its words' hashes by
    position (multiply-xorshift in 64 bits, wrapping), so the cost is one C call per word plus numpy."""
    toks = words(text)
    if not toks:
        return np.zeros(0, dtype=np.uint64)
    w = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in toks), dtype=np.uint64, count=len(toks))
    n = max(1, len(toks) - k + 1)
    h = np.zeros(n, dtype=np.uint64)
    for i in range(min(k, len(toks))):
        h = (h ^ w[i:i + n]) * _MIX[i]
        h ^= h >> np.uint64(29)
    return np.unique(h & _MASK32)


def signature(text: str) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32 values); all-max for an empty text (which matches nothing)."""
    h = shingle_hashes(text)
    if h.size == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    # (a*x + b) mod p, then 32 bits: p is a Mersenne prime > 2^32, products stay below 2^63
    perm = ((np.outer(h, _A) + _B) % _MERSENNE) & _MASK32
    return perm.min(axis=0).astype(np.uint32)


def is_empty(sig: np.ndarray) -> bool:
    return bool((sig == 0xFFFFFFFF).all())


def band_keys(sig: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> list[str]:
    """One key per band, `"<band>:<16 hex digits>"`: the Kafka key of the band's bucket."""
    out = []
    for b in range(bands):
        chunk = sig[b * rows:(b + 1) * rows].tobytes()
        out.append(f"{b:02d}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return out


def sketch(sig: np.ndarray) -> str:
    """The lowest byte of every hash (b-bit MinHash), base64: 88 characters kept per state entry."""
    return base64.b64encode((sig & 0xFF).astype(np.uint8).tobytes()).decode("ascii")


_C = 1.0 / 256
# the similarity for k agreeing bytes out of NUM_PERM, one Python float per k: the vectorized comparison
# looks its counts up here, so it gives exactly what `similarity` gives pair by pair
_SIM = [round(max(0.0, min(1.0, (k / NUM_PERM - _C) / (1 - _C))), 4) for k in range(NUM_PERM + 1)]


def decode(sketches: list[str]) -> np.ndarray:
    """Sketches (base64) to one (n, NUM_PERM) uint8 array, each decoded once."""
    raw = b"".join(binascii.a2b_base64(s) for s in sketches)
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(sketches), NUM_PERM)


def compare(sk: str, others: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> tuple[list[float], list[int]]:
    """One sketch against many (rows of a `decode`d array) at once: `similarity` and `shared_bands` of each."""
    x = np.frombuffer(binascii.a2b_base64(sk), dtype=np.uint8)
    eq = others == x
    sims = [_SIM[k] for k in eq.sum(axis=1).tolist()]
    same = eq[:, :bands * rows].reshape(len(others), bands, rows).all(axis=2)
    return sims, (same @ (1 << np.arange(bands, dtype=np.int64))).tolist()


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two sketches (b-bit MinHash estimator, b=8), in [0, 1]."""
    x = np.frombuffer(base64.b64decode(a), dtype=np.uint8)
    y = np.frombuffer(base64.b64decode(b), dtype=np.uint8)
    agree = float((x == y).mean())
    return round(max(0.0, min(1.0, (agree - _C) / (1 - _C))), 4)


def shared_bands(a: str, b: str, bands: int = BANDS, rows: int = ROWS) -> int:
    """Bitmask of the bands whose hashes agree in their lowest byte in both sketches: every band where the
    two articles share a bucket is in it (equal band keys have equal bytes), plus rare chance agreements."""
    x = np.frombuffer(base64.b64decode(a), dtype=np.uint8)[:bands * rows].reshape(bands, rows)
    y = np.frombuffer(base64.b64decode(b), dtype=np.uint8)[:bands * rows].reshape(bands, rows)
    mask = 0
    for n, same in enumerate((x == y).all(axis=1)):
        if same:
            mask |= 1 << n
    return mask


def to_ms(timestamp: str | None) -> int | None:
    """ISO-8601 (with Z or an offset) to epoch milliseconds; None when absent or unreadable."""
    if not timestamp:
        return None
    try:
        dt = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


_to_ms_cached = functools.lru_cache(maxsize=4096)(to_ms)  # candidates repeat their stories' first_seen


def article_text(title: str | None, body: str) -> str:
    return f"{title or ''}\n{body}"


# ---- state transitions shared by the agents and StoryIndex ---------------------------------------------
# A bucket entry: (article_id, story_id, first_seen (ISO), seen_ms, sketch, committed); a bucket: a tuple of
# entries. Tuples of strings and numbers only, so the garbage collector stops tracking them: an index of 72 hours
# of news holds ~16 buckets per article, which as lists every full collection had to traverse (a worker's pause).
# A candidate:    [article_id, story_id, first_seen, similarity, committed, band, shared-bands mask,
#                  (optional) found-in-bands mask]


def probe(buckets: list[tuple[int, tuple]], article_id: str, story_id: str, first_seen: str, seen_ms: int,
          sk: str, horizon_ms: int, max_bucket: int = MAX_BUCKET) -> tuple[list[list], list[tuple]]:
    """An article probes several band buckets at once, given as (band, entries): returns (candidates, each
    bucket's new entries, in the order given).

    Expired entries go; the article itself is recorded in each bucket as its own story (committed=False),
    until it is committed to the story it joined when it joined another one; an earlier version of the
    same article is replaced but still offered as a candidate, so a re-sent article joins the story it was in.
    An entry found in several buckets is one candidate, compared once: its band is the first bucket it was
    found in and its last field the mask of all of them (what `choose` needs for racing copies). All the
    candidates' sketches are decoded together and compared in one vectorized step.
    """
    found: dict[tuple, list] = {}
    for band, entries in buckets:
        for entry in entries:
            if seen_ms - entry[3] > horizon_ms:
                continue
            key = (entry[0], entry[1], entry[2], entry[5], entry[4])
            cand = found.get(key)
            if cand is None:
                cand = found[key] = [entry[0], entry[1], entry[2], 0.0, entry[5], band, 0, 0]
            cand[7] |= 1 << band
    new_entries = [bucket_record(entries, article_id, story_id, first_seen, seen_ms, sk, horizon_ms, max_bucket)
                   for _, entries in buckets]
    candidates = list(found.values())
    if candidates:
        sims, masks = compare(sk, decode([key[4] for key in found]))
        for cand, sim, mask in zip(candidates, sims, masks):
            cand[3], cand[6] = sim, mask
    return candidates, new_entries


def bucket_record(entries: tuple, article_id: str, story_id: str, first_seen: str, seen_ms: int, sk: str,
                  horizon_ms: int, max_bucket: int = MAX_BUCKET) -> tuple:
    """A bucket's entries once the article is recorded in it (what `probe` does to each bucket, without the
    comparisons; also how `StoryIndex.restore` rebuilds the buckets): expired entries and an earlier version
    of the article go, the article is appended uncommitted, the oldest beyond `max_bucket` are dropped."""
    kept = [e for e in entries if seen_ms - e[3] <= horizon_ms and e[0] != article_id]
    kept.append((article_id, story_id, first_seen, seen_ms, sk, False))
    return tuple(kept[-max_bucket:])


def bound_stories(entries: tuple, reps: int = REPS, newest: int = NEWEST) -> tuple:
    """Per story (entry[1]), keep in a bucket only its first `reps` entries (the articles that started it)
    and its `newest` latest (bucket order is arrival order): a copy of a big story still meets the story's
    start and its recent wording, and its probe compares with at most reps + newest entries of it."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry[1]] = counts.get(entry[1], 0) + 1
    if max(counts.values(), default=0) <= reps + newest:
        return entries
    seen: dict[str, int] = {}
    out = []
    for entry in entries:
        i = seen[entry[1]] = seen.get(entry[1], -1) + 1
        if i < reps or i >= counts[entry[1]] - newest:
            out.append(entry)
    return tuple(out)


def bucket_commit(entries: tuple, article_id: str, story_id: str, first_seen: str) -> tuple:
    """Record the story an article joined in one bucket (no change when the entry is gone); the story's
    entries there are then bounded (`bound_stories`)."""
    return bound_stories(tuple((e[0], story_id, first_seen, e[3], e[4], True) if e[0] == article_id else e
                               for e in entries))


def choose(candidates: list[list], article_id: str, threshold: float = THRESHOLD,
           seen_ms: int | None = None) -> list | None:
    """The candidate whose story the article joins: its own earlier version first; else, among candidates at
    or above the threshold, the most similar, then one whose story is committed (it joined a story), then the
    one seen first. None: a new story.

    Copies racing in a burst: a candidate not yet committed is eligible when it was seen before this article
    (time, then id), or when this article found it in every band the two share (by their sketches): then
    the candidate probed every shared bucket first and never saw this article, so the two cannot each join
    the other.
    """
    seen: dict[str, int] = {}
    for cand in candidates:
        if len(cand) > 5:
            seen[cand[0]] = seen.get(cand[0], 0) | (cand[7] if len(cand) > 7 else 1 << cand[5])
    best, best_key = None, None
    for cand in candidates:
        if cand[0] == article_id:
            return cand
        if cand[3] < threshold:
            continue
        ms = _to_ms_cached(cand[2])
        ms = ms if ms is not None else 0
        if not cand[4] and seen_ms is not None and (ms, cand[0]) >= (seen_ms, article_id):
            if len(cand) <= 6 or cand[6] & ~seen.get(cand[0], 0):
                continue
        key = (cand[3], bool(cand[4]), -ms)
        if best is None or key > best_key:
            best, best_key = cand, key
    return best


def story_join(story: dict | None, first_seen: str, seen_ms: int, horizon_ms: int) -> dict:
    """Add a new article to a story's state; the caller adds each article id once (StoryIndex: its `articles`).

    A story: {"first_seen": ISO, "first_ms": ..., "size": n, "last_ms": ...}: first_seen is the earliest member's
    (members may arrive out of order across partitions). A story whose last article is older than the horizon
    starts over.
    """
    if story is None or seen_ms - story["last_ms"] > horizon_ms:
        story = {"first_seen": first_seen, "first_ms": seen_ms, "size": 0, "last_ms": seen_ms}
    story["size"] += 1
    if seen_ms < story["first_ms"]:
        story["first_ms"], story["first_seen"] = seen_ms, first_seen
    story["last_ms"] = max(story["last_ms"], seen_ms)
    return story


def sweep(table_items, partition: int, now_ms: int, horizon_ms: int) -> list:
    """Keys of expired state in `partition`: every state value carries its partition ("p") and the epoch
    milliseconds it was last touched ("ms")."""
    return [k for k, v in table_items if v.get("p") == partition and now_ms - v.get("ms", now_ms) > horizon_ms]


def fields_for(article_id: str, story_id: str, story: dict, sim: float | None) -> dict:
    """The story fields of an EnrichedArticle (as JSON): story {id, first_seen, size}, duplicate_of, similarity.
    The story id is the id of its earliest article; duplicate_of is that id unless the article is it."""
    return {"story": {"id": story_id, "first_seen": story["first_seen"], "size": story["size"]},
            "duplicate_of": None if story_id == article_id else story_id, "similarity": sim}


def signed(article_id: str, text: str, seen_at: str | None, default_ms: int = 0) -> dict:
    """What an article brings to the story index, computed where it is (the stream's stories-sign agent, or
    `StoryIndex.add`): its id, event time (epoch ms) and first_seen (ISO), and for a text with words its
    sketch and band keys (an empty text has neither and compares with nothing)."""
    sig = signature(text)
    out = {"id": article_id, "ms": to_ms(seen_at) or default_ms, "first_seen": seen_at or "", "sk": None,
           "keys": []}
    if not is_empty(sig):
        out["sk"], out["keys"] = sketch(sig), band_keys(sig)
    return out


@dataclass(slots=True)
class Assignment:
    """What an enriched record carries about its story."""

    story_id: str
    first_seen: str
    size: int
    duplicate_of: str | None
    similarity: float | None


@dataclass
class StoryIndex:
    """The whole clustering, in one place and in arrival order: the broker-free path (`akhbar process`, the
    evaluation, the tests) and the stream's stories-story agent, which owns the one partition of
    articles.stories and keeps the index's state in two tables (agents/stories.py).

    State: `buckets` (band key -> entries, derived: rebuilt by `restore`), `stories` (story id -> first_seen,
    size, last_ms) and `articles` (article id -> its story, similarity, sketch, band keys, event time, the
    first_seen its bucket entries carry, and its arrival number `n`). An article id already in `articles`
    (within the horizon) is not added again: a redelivered or re-sent article gets the story it was given
    and changes nothing, however big the story (`add_signed` says so by returning False).
    `compared` counts the sketches the last add compared with (one per distinct candidate): bounded by
    BANDS * (REPS + NEWEST) per story met, whatever the story's size.
    """

    horizon_ms: int = HORIZON_MS
    threshold: float = THRESHOLD
    buckets: dict[str, tuple] = field(default_factory=dict)
    stories: dict[str, dict] = field(default_factory=dict)
    articles: dict[str, dict] = field(default_factory=dict)
    compared: int = 0
    arrivals: int = 0

    def add(self, article_id: str, text: str, seen_at: str | None) -> Assignment:
        return self.add_signed(signed(article_id, text, seen_at))[0]

    def add_signed(self, art: dict) -> tuple[Assignment, bool]:
        """Add an article whose signature was computed already (a `signed` dict): its assignment, and whether
        the state changed (False: the article was known, and nothing was written)."""
        article_id, seen_ms, first_seen = art["id"], art["ms"], art["first_seen"]
        known = self.articles.get(article_id)
        if known is not None and seen_ms - known["ms"] <= self.horizon_ms and known["story"] in self.stories:
            self.compared = 0
            return self.assignment(article_id), False
        best, keys = None, art["keys"]
        self.compared = 0
        if keys:  # an empty text (no words) compares with nothing: a story of its own
            candidates, kept = probe([(band, self.buckets.get(key, ())) for band, key in enumerate(keys)],
                                     article_id, article_id, first_seen, seen_ms, art["sk"], self.horizon_ms)
            self.buckets.update(zip(keys, kept))
            self.compared = len(candidates)
            best = choose(candidates, article_id, self.threshold, seen_ms)
        story_id = best[1] if best else article_id
        story = story_join(self.stories.get(story_id), first_seen, seen_ms, self.horizon_ms)
        self.stories[story_id] = story
        entry_first_seen = first_seen
        if story_id != article_id:  # a new story's entries are already right
            entry_first_seen = story["first_seen"]
            for key in keys:
                self.buckets[key] = bucket_commit(self.buckets[key], article_id, story_id, entry_first_seen)
        self.articles[article_id] = {"story": story_id, "sim": None if best is None or best[0] == article_id
                                     else best[3], "sk": art["sk"], "keys": keys, "ms": seen_ms,
                                     "first_seen": entry_first_seen, "n": self.arrivals}
        self.arrivals += 1
        return self.assignment(article_id), True

    def assignment(self, article_id: str) -> Assignment:
        """The story fields of a known article, with its story as it is now."""
        art = self.articles[article_id]
        story = self.stories[art["story"]]
        f = fields_for(article_id, art["story"], story, art["sim"])
        return Assignment(art["story"], story["first_seen"], story["size"], f["duplicate_of"], art["sim"])

    def restore(self, articles, stories) -> None:
        """Rebuild the index from its persisted state, (article id, value) and (story id, value) pairs in any
        order: the articles' bucket entries are recorded again in their arrival order, with the same commits
        and bounds as when they arrived, so the buckets are those the index had."""
        for _ in self.restoring(articles, stories):
            pass

    def restoring(self, articles, stories, chunk: int = 1000):
        """`restore` as a generator that yields after every `chunk` articles, so that a caller on an event
        loop can let other tasks (a consumer's heartbeats) run during a long rebuild."""
        self.stories = dict(stories)
        self.articles = dict(sorted(articles, key=lambda item: item[1]["n"]))
        self.buckets = {}
        for done, (aid, art) in enumerate(self.articles.items(), 1):
            for key in art["keys"]:
                entries = bucket_record(self.buckets.get(key, ()), aid, aid, art["first_seen"], art["ms"],
                                        art["sk"], self.horizon_ms)
                self.buckets[key] = (entries if art["story"] == aid else
                                     bucket_commit(entries, aid, art["story"], art["first_seen"]))
            if done % chunk == 0:
                yield done
        self.arrivals = max((art["n"] for art in self.articles.values()), default=-1) + 1

    def expire(self, now_ms: int) -> tuple[list[str], list[str]]:
        """Forget the articles and stories older than the horizon (an article's entries leave its buckets
        with it); returns their ids, (articles, stories), for the stream to delete from its tables."""
        gone = [aid for aid, art in self.articles.items() if now_ms - art["ms"] > self.horizon_ms]
        for aid in gone:
            for key in self.articles.pop(aid)["keys"]:
                kept = tuple(e for e in self.buckets.get(key, ()) if e[0] != aid and now_ms - e[3] <= self.horizon_ms)
                if kept:
                    self.buckets[key] = kept
                else:
                    self.buckets.pop(key, None)
        old = [sid for sid, v in self.stories.items() if now_ms - v["last_ms"] > self.horizon_ms]
        for sid in old:
            del self.stories[sid]
        return gone, old
