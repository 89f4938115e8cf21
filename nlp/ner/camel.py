"""Optional backend: camel-tools' BERT NER (``AKHBAR_NER_BACKEND=camel``).

Not the default and not installed here: it needs torch + transformers and the camel-tools data package
``ner-arabert`` (``camel_data -i ner-arabert``). It is imported lazily, and constructing it fails with a clear error
when any of that is missing. It offers the same ``find`` / ``tag`` as the CRF ``Tagger``.
"""
from __future__ import annotations

from nlp.ner import Mention, spans_from_tags

_TAGMAP = {"PERS": "PER", "MIS": "MISC"}


class BackendUnavailable(RuntimeError):
    pass


class CamelTagger:
    def __init__(self, path: str | None = None):
        try:
            from camel_tools.ner import NERecognizer
        except Exception as e:  # ImportError: torch/transformers absent
            raise BackendUnavailable(
                "AKHBAR_NER_BACKEND=camel needs camel-tools' NER with torch and transformers installed "
                f"({type(e).__name__}: {e}); unset AKHBAR_NER_BACKEND to use the built-in CRF tagger") from e
        try:
            self._ner = NERecognizer(path) if path else NERecognizer.pretrained()
        except Exception as e:
            raise BackendUnavailable(
                "camel-tools NER model data not found (install it with `camel_data -i ner-arabert`, or pass its "
                f"folder as the path): {type(e).__name__}: {e}") from e

    @staticmethod
    def _fix(tag: str) -> str:
        p, _, t = tag.partition("-")
        return f"{p}-{_TAGMAP.get(t, t)}" if t else tag

    def tag(self, tokens: list[str]) -> list[str]:
        if not tokens:
            return []
        try:
            return [self._fix(t) for t in self._ner.predict_sentence(list(tokens))]
        except Exception:
            return ["O"] * len(tokens)

    def find(self, text: str) -> list[Mention]:
        try:
            from nlp.ner.tokens import sentences
            sents = sentences(text)
            if not sents:
                return []
            all_tags = self._ner.predict([[w for w, _, _ in s] for s in sents])
            out: list[Mention] = []
            for s, tags in zip(sents, all_tags):
                out += spans_from_tags([(a, b) for _, a, b in s], [self._fix(t) for t in tags])
            return out
        except Exception:
            return []
