"""The search box's language, as people know it from web search, translated to a safe FTS5 query.

    bridge closed          both words (anywhere, any order)
    "wounded mortally"     the words next to each other, in this order
    putin -wagner          putin, but no article that has wagner (also: NOT wagner)
    kyiv OR kiev           either word (OR binds closer than the implicit AND)
    puti*                  words that begin with "puti"
    title:bridge           the word in the title; title:"harbour bridge" a phrase in the title
    outlet:reuters         only articles from that outlet (outlet:"new york times")

Only words (letters and digits) reach FTS5, each inside double quotes, so no user text is ever FTS5 syntax.
What cannot be understood raises QueryError with a message for the person who typed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_TERMS = 32  # FTS5 cost grows with the terms of a query; nobody types more
_WORD = re.compile(r"\w+")
# Chinese, Japanese and Korean are written without spaces: each of their characters is its own word.
CJK = "\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
CJK_SEPARATOR = "\u200b"  # between CJK characters in the index; clean text never holds one
_TOKEN = re.compile(r'\s*(-?)(?:(\w+):)?(?:"([^"]*)("?)|([^\s"]+))')
FIELDS = ("title", "outlet")


class QueryError(ValueError):
    """A query that cannot be understood; the message says why, for the person who typed it."""


@dataclass
class Term:
    words: list[str]
    prefix: bool = False
    column: str | None = None  # "title", or None for title and text

    def fts(self) -> str:
        phrase = '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")
        return f"{self.column} : {phrase}" if self.column else phrase


@dataclass
class Query:
    groups: list[list[Term]] = field(default_factory=list)  # AND of ORs
    excluded: list[Term] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)

    @property
    def cjk(self) -> bool:
        """Whether the query has a CJK word: then it is looked up in the CJK index."""
        return any(has_cjk(w) for group in self.groups for term in group for w in term.words)

    def fts(self) -> str:
        """The FTS5 MATCH expression; empty when the query has no word to look for (outlet: alone)."""
        if not self.groups:
            return ""
        ands = [
            group[0].fts() if len(group) == 1 else "(" + " OR ".join(t.fts() for t in group) + ")"
            for group in self.groups
        ]
        wanted = " AND ".join(ands)
        if not self.excluded:
            return wanted
        return f"({wanted})" + "".join(f" NOT {term.fts()}" for term in self.excluded)


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def segment(text: str) -> str:
    """Text as the CJK index holds it: every CJK character a word of its own."""
    return _CJK_CHAR.sub(lambda m: f"{CJK_SEPARATOR}{m.group()}{CJK_SEPARATOR}", text)


def unsegment(text: str) -> str:
    return text.replace(CJK_SEPARATOR, "")


def words(text: str) -> list[str]:
    """The words of `text` as the index splits them (CJK characters one by one), lower-cased."""
    return [w.lower() for w in _WORD.findall(_CJK_CHAR.sub(lambda m: f" {m.group()} ", text))]


def parse(text: str) -> Query:
    """The query typed; raises QueryError with a message a person can act on."""
    query, pending_or, negate_next = Query(), False, False
    for negated, column, value, bare in _tokens(text):
        operator = value if bare and not negated and not column else ""
        if operator in ("OR", "|"):
            if pending_or or negate_next or not query.groups:
                raise QueryError("OR needs a word on each side, as in: kyiv OR kiev")
            pending_or = True
        elif operator == "NOT":
            if negate_next:
                raise QueryError("NOT needs a word after it, as in: putin NOT wagner")
            negate_next = True
        else:
            pending_or = _add(query, negated or negate_next, column, value, bare, pending_or)
            negate_next = False
    if pending_or:
        raise QueryError("OR needs a word on each side, as in: kyiv OR kiev")
    if negate_next:
        raise QueryError("NOT needs a word after it, as in: putin NOT wagner")
    return _checked(query)


def _tokens(text: str) -> Iterator[tuple[bool, str | None, str, bool]]:
    """(negated, field, value, bare: not in quotes) for each term typed."""
    position, text = 0, text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or (match.group(3) is not None and not match.group(4)):
            raise QueryError('a quotation mark is not closed: add the closing " or remove it')
        position = match.end()
        negated, column, phrase, _, bare = match.groups()
        if column and column.lower() not in FIELDS:  # "ratio 3:1", "Note:": words, not a field
            if phrase is not None:
                phrase = f"{column} {phrase}"
            else:
                bare = f"{column}:{bare}"
            column = None
        yield bool(negated), column, phrase if phrase is not None else bare, phrase is None


def _add(query: Query, negated: bool, column: str | None, value: str, bare: bool, joined: bool) -> bool:
    """One term into `query`; returns False (no OR pending any more)."""
    column = column.lower() if column else None
    if column == "outlet":
        if negated:
            raise QueryError("-outlet: is not supported: choose the outlets to keep with outlet:NAME")
        name = " ".join(value.split())
        if not name:
            raise QueryError('outlet: needs a name, as in outlet:reuters or outlet:"new york times"')
        query.outlets.append(name)
        return False
    prefix = bare and value.endswith("*")
    found = words(value.rstrip("*") if prefix else value)
    if not found:
        if prefix:
            raise QueryError("* goes at the end of a word's beginning, as in puti* (at least one letter)")
        return joined  # punctuation only ('-', '&'): nothing to look for, and no error either
    term = Term(found, prefix, column)
    if negated:
        query.excluded.append(term)
    elif joined:
        query.groups[-1].append(term)
    else:
        query.groups.append([term])
    return False


def _checked(query: Query) -> Query:
    if query.excluded and not query.groups:
        raise QueryError("a query needs a word to look for, not only words to leave out (-word)")
    terms = sum(len(g) for g in query.groups) + len(query.excluded)
    if terms > MAX_TERMS:
        raise QueryError(f"too many terms ({terms}); at most {MAX_TERMS}")
    for group in query.groups:
        for term in group:
            if term.prefix and has_cjk(term.words[-1]):
                term.prefix = False  # a CJK character is a whole word: a prefix of it is itself
    return query
