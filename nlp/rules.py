"""Alert rules: parsed from YAML that editors write, matched against enriched articles. No Kafka here.

A rule file holds one rule (a mapping), a list of rules, a mapping with a `rules:` list, or several YAML
documents. Two kinds:

    id: syria-defections            # match rule (the default kind)
    severity: high                  # info | warning | high | critical
    match:                          # a condition tree (see below)
      all:
        - entities: {any: [سوريا, الأسد]}
        - keyword: انشقاق           # clitic-aware on matching text: matches والانشقاقات
    sources: [wire-a, wire-b]       # optional filters
    langs: [ar]
    suppress_minutes: 30            # one alert per rule and story (or entity) within this window
    suppress_by: story              # story (article id, or its story when it has one) | entity | rule

    id: iraq-spike
    kind: spike
    entity: العراق                  # canonical entity whose mentions are counted
    window: {size_s: 600, step_s: 60}   # tumbling when step_s is absent or equal to size_s
    threshold: 5                    # alert when the current window reaches this count ...
    baseline: {windows: 6, factor: 3}   # ... and/or exceeds factor x the mean of the previous windows

Condition tree: `all: [...]`, `any: [...]`, `not: {...}`, `entity: X`, `entities: [..] | {any|all: [..]}`,
`keyword: X`, `keywords: [..] | {any|all: [..]}`.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from nlp.text import matching_text

SEVERITIES = ("info", "warning", "high", "critical")
SUPPRESS_BY = ("story", "entity", "rule")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

# Clitics, in matching-text form (teh marbuta already normalized to heh). Before a word, in this order: a
# conjunction, then a preposition or the future marker, then the article (ل + ال is written لل). After it: an
# ending (plural, dual, nisba), then a possessive or object pronoun. A final ة becomes ت before an ending
# (حكومتها, حكومتين) and gives way to the feminine plural (الحكومات).
CONJUNCTIONS = ("و", "ف")
PREPOSITIONS = ("ب", "ك", "ل", "س")
ENDINGS = ("ات", "ون", "ين", "ان", "ي", "يه", "يا", "يات", "يون", "يين")
PRONOUNS = ("ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "كن", "نا", "ي")


class RuleError(ValueError):
    """A rule file or rule is invalid; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str = "match"  # match | spike
    name: str = ""
    severity: str = "info"
    condition: dict | None = None
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    suppress_minutes: float = 30.0
    suppress_by: str = "story"
    # spike rules
    entity: str = ""
    window_s: float = 600.0
    step_s: float = 600.0
    threshold: int = 0
    baseline_windows: int = 0
    baseline_factor: float = 0.0
    spec: dict = field(default_factory=dict, compare=False)  # the rule as written, for storage and listing

    def to_spec(self) -> dict:
        return dict(self.spec)


@dataclass
class Match:
    """What made a match rule fire on one article."""

    entities: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"entities": sorted(set(self.entities)), "keywords": sorted(set(self.keywords))}


# ---------------------------------------------------------------- parsing

def load_rules_yaml(text: str, where: str = "rules") -> list[Rule]:
    """Every rule in a YAML text (one rule, a list, `rules: [...]`, or several documents)."""
    import yaml

    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise RuleError(f"{where}: not valid YAML: {exc}") from None
    specs: list = []
    for doc in docs:
        if isinstance(doc, dict) and "rules" in doc and "id" not in doc:
            doc = doc["rules"]
        specs.extend(doc if isinstance(doc, list) else [doc])
    if not specs:
        raise RuleError(f"{where}: no rules found")
    rules = [parse_rule(spec, f"{where}[{i}]") for i, spec in enumerate(specs)]
    ids = [r.id for r in rules]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise RuleError(f"{where}: duplicate rule id(s) {', '.join(dup)}")
    return rules


def parse_rule(spec: Any, where: str = "rule") -> Rule:
    if not isinstance(spec, dict):
        raise RuleError(f"{where}: a rule must be a mapping, got {type(spec).__name__}")
    rid = spec.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RuleError(f"{where}.id: required; letters, digits, '.', '_' or '-' (got {rid!r})")
    where = f"rule {rid}"
    known = {"id", "kind", "name", "severity", "match", "sources", "langs", "suppress_minutes", "suppress_by",
             "entity", "window", "threshold", "baseline"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise RuleError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}; known: {', '.join(sorted(known))}")
    kind = spec.get("kind", "match")
    if kind not in ("match", "spike"):
        raise RuleError(f"{where}.kind: must be match or spike, not {kind!r}")
    severity = spec.get("severity", "warning" if kind == "spike" else "info")
    if severity not in SEVERITIES:
        raise RuleError(f"{where}.severity: must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    suppress = spec.get("suppress_minutes", 30)
    if isinstance(suppress, bool) or not isinstance(suppress, (int, float)) or suppress < 0:
        raise RuleError(f"{where}.suppress_minutes: must be a number >= 0")
    suppress_by = spec.get("suppress_by", "entity" if kind == "spike" else "story")
    if suppress_by not in SUPPRESS_BY:
        raise RuleError(f"{where}.suppress_by: must be one of {', '.join(SUPPRESS_BY)}")
    common = dict(id=rid, kind=kind, name=str(spec.get("name", "")), severity=severity,
                  sources=_strings(spec.get("sources"), f"{where}.sources"),
                  langs=_strings(spec.get("langs"), f"{where}.langs"),
                  suppress_minutes=float(suppress), suppress_by=suppress_by, spec=dict(spec))
    if kind == "match":
        if "match" not in spec:
            raise RuleError(f"{where}.match: required for a match rule (entities, keywords, all/any/not)")
        for f in ("entity", "window", "threshold", "baseline"):
            if f in spec:
                raise RuleError(f"{where}.{f}: only for kind: spike")
        return Rule(condition=_condition(spec["match"], f"{where}.match"), **common)
    entity = spec.get("entity")
    if not isinstance(entity, str) or not entity.strip():
        raise RuleError(f"{where}.entity: required for a spike rule (the canonical entity to count)")
    window = spec.get("window", {})
    if isinstance(window, (int, float)) and not isinstance(window, bool):
        window = {"size_s": window}
    if not isinstance(window, dict):
        raise RuleError(f"{where}.window: a mapping {{size_s, step_s}}")
    size = _positive(window.get("size_s", 600), f"{where}.window.size_s")
    step = _positive(window.get("step_s", size), f"{where}.window.step_s")
    if step > size:
        raise RuleError(f"{where}.window.step_s: must be <= size_s")
    threshold = spec.get("threshold", 0)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise RuleError(f"{where}.threshold: an integer >= 0")
    baseline = spec.get("baseline") or {}
    if not isinstance(baseline, dict):
        raise RuleError(f"{where}.baseline: a mapping {{windows, factor}}")
    b_windows = baseline.get("windows", 0)
    b_factor = baseline.get("factor", 0)
    if baseline and (not isinstance(b_windows, int) or b_windows < 1):
        raise RuleError(f"{where}.baseline.windows: an integer >= 1")
    if baseline and (not isinstance(b_factor, (int, float)) or b_factor <= 0):
        raise RuleError(f"{where}.baseline.factor: a number > 0")
    if threshold == 0 and not baseline:
        raise RuleError(f"{where}: a spike rule needs a threshold, a baseline, or both")
    if "match" in spec:
        raise RuleError(f"{where}.match: not for kind: spike (spike rules count `entity`)")
    return Rule(entity=entity.strip(), window_s=size, step_s=step, threshold=threshold,
                baseline_windows=int(b_windows), baseline_factor=float(b_factor), **common)


def _positive(value, where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise RuleError(f"{where}: a number of seconds > 0")
    return float(value)


def _strings(value, where) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(f"{where}: a string or a list of strings")
    return tuple(value)


def _terms(value, where) -> dict:
    """`X`, `[X, Y]` (any of) or `{any: [...]}` / `{all: [...]}`."""
    if isinstance(value, str):
        return {"any": [value]}
    if isinstance(value, list):
        return {"any": list(_strings(value, where))}
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("any", "all"):
        mode = next(iter(value))
        terms = list(_strings(value[mode], f"{where}.{mode}"))
        if not terms:
            raise RuleError(f"{where}.{mode}: empty")
        return {mode: terms}
    raise RuleError(f"{where}: a string, a list, or {{any: [...]}} / {{all: [...]}}")


def _condition(node, where) -> dict:
    if not isinstance(node, dict) or len(node) != 1:
        raise RuleError(f"{where}: one of all, any, not, entity, entities, keyword, keywords "
                        f"(a mapping with exactly one key; put several under all: or any:)")
    (op, value), = node.items()
    if op in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}.{op}: a non-empty list of conditions")
        return {op: [_condition(v, f"{where}.{op}[{i}]") for i, v in enumerate(value)]}
    if op == "not":
        return {"not": _condition(value, f"{where}.not")}
    if op in ("entity", "entities"):
        return {"entities": _terms(value, f"{where}.{op}")}
    if op in ("keyword", "keywords"):
        terms = _terms(value, f"{where}.{op}")
        for t in next(iter(terms.values())):
            if not matching_text(t).split():
                raise RuleError(f"{where}.{op}: empty keyword {t!r}")
        return {"keywords": terms}
    raise RuleError(f"{where}: unknown condition {op!r}; use all, any, not, entity/entities, keyword/keywords")


# ---------------------------------------------------------------- matching

def norm(text: str) -> str:
    """Entity names compared in matching-text form, whitespace collapsed."""
    return " ".join(matching_text(text).split())


def _alternatives(items) -> str:
    return "|".join(sorted(map(re.escape, set(items)), key=len, reverse=True))


@functools.lru_cache(maxsize=4096)
def keyword_pattern(keyword: str) -> re.Pattern:
    """A regex over matching text for `keyword`: proclitics allowed on its first word (و ف, then ب ك ل س,
    then ال or لل; a keyword that has the article takes ب ك before it or contracts to لل), endings and a
    pronoun on its last (a final heh from teh marbuta may appear as teh before them, or give way to ات),
    whitespace of any length between words, never inside another word."""
    words = matching_text(keyword).split()
    conj, prep = f"(?:{_alternatives(CONJUNCTIONS)})?", _alternatives(PREPOSITIONS)
    parts = []
    for n, word in enumerate(words):
        core = re.escape(word)
        if n == len(words) - 1 and word.endswith("ه") and len(word) > 1:
            core = rf"{re.escape(word[:-1])}(?:ه|ت(?=\w)|ات)"
        if n == 0:
            if word.startswith("ال") and len(word) > 2:
                core = f"{conj}(?:[بك]?ال|لل){core[2:]}"
            else:
                core = f"{conj}(?:(?:{prep})?(?:ال)?|لل){core}"
        if n == len(words) - 1:
            core += f"(?:{_alternatives(ENDINGS)})?(?:{_alternatives(PRONOUNS)})?"
        parts.append(core)
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


class ArticleView:
    """What rules look at in one enriched article (a dict as decoded from JSON)."""

    def __init__(self, article: dict):
        self.article = article
        self.source = article.get("source") or ""
        self.lang = article.get("lang") or ""
        self._text: str | None = None
        ents = article.get("entities") or []
        self.entities = {}
        for e in ents:
            for name in (e.get("canonical"), e.get("text"), e.get("id")):
                if name:
                    self.entities.setdefault(norm(name), e.get("canonical") or e.get("text"))

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = matching_text(f"{self.article.get('title') or ''}\n{self.article.get('body') or ''}")
        return self._text

    def has_entity(self, name: str) -> str | None:
        return self.entities.get(norm(name))

    def has_keyword(self, keyword: str) -> bool:
        return keyword_pattern(keyword).search(self.text) is not None


def passes_filters(rule: Rule, view: ArticleView) -> bool:
    if rule.sources and view.source not in rule.sources:
        return False
    if rule.langs and view.lang not in rule.langs:
        return False
    return True


def evaluate(rule: Rule, view: ArticleView) -> Match | None:
    """The Match when the match rule fires on the article, else None (spike rules never match here)."""
    if rule.kind != "match" or not passes_filters(rule, view):
        return None
    found = Match()
    return found if _eval(rule.condition, view, found) else None


def _eval(node: dict, view: ArticleView, found: Match) -> bool:
    (op, value), = node.items()
    if op == "all":
        return all(_eval(n, view, found) for n in value)  # short-circuits: fine, a failed all() is discarded
    if op == "any":
        hits = [_eval(n, view, found) for n in value]  # evaluate all, to report everything that matched
        return any(hits)
    if op == "not":
        return not _eval(value, view, Match())
    (mode, terms), = value.items()
    if op == "entities":
        hits = [c for c in (view.has_entity(t) for t in terms) if c]
        ok = len(hits) == len(terms) if mode == "all" else bool(hits)
        if ok:
            found.entities.extend(hits)
        return ok
    hits = [t for t in terms if view.has_keyword(t)]
    ok = len(hits) == len(terms) if mode == "all" else bool(hits)
    if ok:
        found.keywords.extend(hits)
    return ok


def spike_entities(rules) -> dict[str, list[Rule]]:
    """Normalized entity name -> the spike rules counting it."""
    out: dict[str, list[Rule]] = {}
    for r in rules:
        if r.kind == "spike":
            out.setdefault(norm(r.entity), []).append(r)
    return out


def spike_fires(rule: Rule, count: int, previous: list[int]) -> tuple[bool, float | None]:
    """Whether a window count fires a spike rule, and the trailing baseline used (mean of previous windows)."""
    baseline = None
    ok = True
    if rule.threshold:
        ok = count >= rule.threshold
    if rule.baseline_windows:
        prev = previous[: rule.baseline_windows]
        baseline = sum(prev) / rule.baseline_windows if prev else 0.0
        # an entity never seen before has baseline 0: any count above it is a spike only with a threshold too
        ok = ok and count > rule.baseline_factor * baseline and (baseline > 0 or rule.threshold > 0)
    return ok, baseline


def suppression_subject(rule: Rule, article: dict, match: Match | None = None, entity: str | None = None) -> str:
    """What one alert is about, for suppression: the story (or article), the entity, or the rule itself."""
    if rule.suppress_by == "rule":
        return "*"
    if rule.suppress_by == "entity":
        if entity:
            return norm(entity)
        if match and match.entities:
            return "|".join(sorted({norm(e) for e in match.entities}))
    story = article.get("story")
    if isinstance(story, dict):
        story = story.get("id")
    return str(story or article.get("id") or "")
