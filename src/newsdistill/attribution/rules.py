"""Parse-based attribution rules: speech verbs with their subject and complement, 'according to',
quotes attached to a nearby cue, and uncued quote paragraphs that continue the last speaker."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from .lexicon import CUE_NOUN_OBJECTS, MEDIUM_VERBS, NOUN_CUE_VERBS, SPEECH_LEMMAS
from .quotes import Quote
from .spans import SpanIndex

_SUBJECTS = {"nsubj", "nsubjpass"}
# Verbs of taking a public stance that PolNeAR annotates as attributions ('Trump has praised Putin',
# 'Clinton proposed a tax'); chosen one by one on dev: 'criticize', 'cite', 'urge', 'speak' cost content F1.
_STANCE_LEMMAS = frozenset({"propose", "articulate", "praise", "endorse"})
_COMPLEMENTS = {"ccomp", "xcomp", "dobj", "parataxis"}
_COMPLEMENT_ORDER = {"ccomp": 0, "xcomp": 1, "parataxis": 2, "dobj": 3}


@dataclass
class Draft:
    """An attribution as character spans, before sources are resolved to entities."""

    content: tuple[int, int]
    cue: tuple[int, int] | None = None
    source: tuple[int, int] | None = None
    medium: str | None = None
    sentence: int = 0
    quoted: bool = False  # content is a quotation attached to its cue
    content_words: int = 0  # (model drafts) tokens in the content
    parts: list[tuple[int, int]] = field(default_factory=list)  # the content's pieces, when a cue splits it

    def content_parts(self) -> list[tuple[int, int]]:
        return list(self.parts) if self.parts else [self.content]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


_PLAIN_EDGE = " \t\n,.;:!?—–-"
_OPEN_MARKS, _CLOSE_MARKS = "‘“\"'", "’”\"'"


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces and punctuation at both ends; quote marks only where they wrap the whole span
    or are left unpaired ('he was ‘out of contact’' keeps its marks)."""
    while True:
        before = (start, end)
        while start < end and text[start] in _PLAIN_EDGE:
            start += 1
        while end > start and text[end - 1] in _PLAIN_EDGE:
            end -= 1
        while end > start and text[end - 1] in "‘“":  # an opening mark left dangling at the end
            end -= 1
        while start < end and text[start] in "’”":
            start += 1
        opens = start < end and text[start] in _OPEN_MARKS
        closes = end > start and text[end - 1] in _CLOSE_MARKS
        inner = text[start + opens : end - closes]
        if opens and (closes or not any(m in inner for m in _CLOSE_MARKS)):
            start += 1
            end -= closes
        elif closes and not any(m in text[start : end - 1] for m in _OPEN_MARKS):
            end -= 1
        if (start, end) == before:
            return start, end


def _subtree_span(token: Any, exclude: Any = None) -> tuple[int, int]:
    tokens = [t for t in token.subtree if exclude is None or t.i not in exclude]
    return _edges(tokens) or (token.idx, token.idx + len(token.text))


def _edges(tokens: list[Any]) -> tuple[int, int] | None:
    """The character span from the first to the last token that is not whitespace: spaCy hangs line
    breaks on the tree, and a span must not reach over a paragraph break into the next one."""
    words = [t for t in tokens if not t.is_space]
    return (words[0].idx, words[-1].idx + len(words[-1].text)) if words else None


def _cue_span(verb: Any) -> tuple[int, int]:
    """The verb with its auxiliaries ('has learned') and a noun object that is part of the cue
    ('raised the prospect', 'expressed concern over')."""
    first, last = verb, verb
    for child in verb.children:
        if child.dep_ in {"aux", "auxpass", "neg"} and child.i < verb.i and child.i >= first.i - 2:
            first = min(first, child, key=lambda t: t.i)
        if child.dep_ == "dobj" and child.lemma_.lower() in CUE_NOUN_OBJECTS:
            last = child
            preps = [c for c in child.children if c.dep_ == "prep" and c.lower_ in {"over", "about", "of"}]
            if preps:
                last = preps[0]
    return first.idx, last.idx + len(last.text)


def _source(verb: Any) -> Any | None:
    subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
    if not subjects and verb.dep_ in {"conj", "advcl"} and verb.head.pos_ in {"VERB", "AUX"}:
        subjects = [c for c in verb.head.children if c.dep_ in _SUBJECTS]
    if not subjects:
        return None
    subject = subjects[0]
    if subject.lower_ in {"it", "there"} and subject.dep_ == "nsubjpass":
        return None  # "it was claimed": no source
    return subject


def cue_subject(doc: Any, cue: tuple[int, int]) -> tuple[int, int] | None:
    """The parse's subject of the cue's verb (its last verb; else its last noun or auxiliary, as in
    'expressed concern'), as the rules take a verb's source; None where the parse gives none."""
    words = doc.char_span(cue[0], cue[1], alignment_mode="expand")
    candidates = [t for t in words or () if t.pos_ in {"VERB", "AUX", "NOUN"}]
    verbs = [t for t in candidates if t.pos_ == "VERB"] or candidates
    subject = _source(verbs[-1]) if verbs else None
    return _subtree_span(subject) if subject is not None else None


def _is_name_like(token: Any) -> bool:
    if token.pos_ == "DET":
        return False
    return (
        token.pos_ == "PROPN"
        or token.ent_type_ in {"ORG", "PRODUCT", "WORK_OF_ART"}
        or (token.text[:1].isupper() and token.i > token.sent.start and token.pos_ != "PRON")
    )


def _medium(verb: Any) -> str | None:
    """'told CBS News' -> 'CBS News'; 'told Russian broadcaster RTVI' -> 'RTVI'; 'told reporters' -> None."""
    if verb.lemma_.lower() not in MEDIUM_VERBS:
        return None
    for child in verb.children:
        if child.dep_ in {"dobj", "dative", "iobj"} and _is_name_like(child):
            run = _last_run([t for t in child.subtree if _is_name_like(t)])
            return " ".join(t.text for t in run) if run else child.text
    return None


def _last_run(tokens: list[Any]) -> list[Any]:
    run: list[Any] = []
    for token in tokens:
        if run and token.i != run[-1].i + 1:
            run = []
        run.append(token)
    return run


def _content(verb: Any, source: Any | None) -> tuple[int, int] | None:
    children = sorted(verb.children, key=lambda c: _COMPLEMENT_ORDER.get(c.dep_, 9))
    for child in children:
        if child.dep_ == "dobj" and verb.lemma_.lower() in MEDIUM_VERBS:
            continue  # "told CBS News": the listener, not what was said
        if child.dep_ in _COMPLEMENTS and child.lemma_.lower() not in CUE_NOUN_OBJECTS:
            return _subtree_span(child)
        if child.dep_ == "dobj" and child.lemma_.lower() in CUE_NOUN_OBJECTS:
            clauses = [
                g
                for g in child.subtree
                if g.dep_ in {"acl", "ccomp", "pobj", "relcl"} and g.head.i >= child.i
            ]
            if clauses:
                return _subtree_span(clauses[0])
    return _unmarked_clause(verb)


def _unmarked_clause(verb: Any) -> tuple[int, int] | None:
    """'Trump said after the convention he would not accept it': the parser hangs the reported clause on
    the verb as an adverbial clause when a phrase comes between them. One after the verb, with a subject
    of its own and no 'if', 'because' or 'when' to make it adverbial, is what was said."""
    for child in verb.rights:
        if child.dep_ != "advcl" or any(c.dep_ == "mark" for c in child.children):
            continue
        if any(c.dep_ in _SUBJECTS for c in child.children):
            return _subtree_span(child)
    return None


def _is_cue_verb(token: Any) -> bool:
    if token.pos_ not in {"VERB", "AUX"}:
        return False
    lemma = token.lemma_.lower()
    if lemma in SPEECH_LEMMAS or lemma in _STANCE_LEMMAS:
        return True
    # "raised the prospect that", "expressed concern over": the object makes the verb a cue.
    return lemma in NOUN_CUE_VERBS and any(
        c.dep_ == "dobj" and c.lemma_.lower() in CUE_NOUN_OBJECTS for c in token.children
    )


def _reported_clause(verb: Any) -> tuple[int, int] | None:
    """'..., it was claimed last night' / '..., she said': the clause the reporting verb hangs off."""
    if verb.dep_ not in {"parataxis", "advcl", "ccomp", "conj"} or verb.head is verb:
        return None
    own = {t.i for t in verb.subtree}
    return _edges([t for t in verb.head.subtree if t.i not in own])


def _quote_before(verb: Any, quotes: list[Quote], ends: list[int]) -> tuple[int, int] | None:
    """'‘...,’ she said': the quote that ends right before the reporting clause is what was said. `ends`:
    the quotes' ends, ascending as the quotes are (in order, not overlapping), so that only the quotes
    ending within 3 characters before the clause are read."""
    clause = [verb] + [
        t for c in verb.lefts if c.dep_ in {"nsubj", "nsubjpass", "aux", "advmod", "neg"} for t in c.subtree
    ]
    first = min(clause, key=lambda t: t.i).idx
    text = verb.doc.user_data.get("text") or verb.doc.text
    for quote in quotes[bisect_left(ends, first - 3) : bisect_right(ends, first)]:
        gap = text[quote.end : first]
        # ",’ she said" continues the sentence; ".’" ends it, and a paragraph break ends everything.
        if (
            quote.closed
            and len(gap) <= 3
            and "\n" not in gap
            and text[quote.end - 2 : quote.end - 1] in ",!?—–-"
        ):
            return quote.start, quote.end
    return None


def verb_drafts(doc: Any, quotes: list[Quote]) -> list[Draft]:
    doc.user_data.setdefault("text", doc.text)  # Doc.text is rebuilt from the tokens on every access
    ends = [quote.end for quote in quotes]
    drafts = []
    for number, sentence in enumerate(doc.sents):
        for token in sentence:
            if not _is_cue_verb(token):
                continue
            source = _source(token)
            quote = _quote_before(token, quotes, ends)
            content = quote or _content(token, source) or _reported_clause(token)
            if content is None:
                continue
            draft = Draft(
                content=content,
                cue=_cue_span(token),
                sentence=number,
                medium=_medium(token),
                quoted=quote is not None,
            )
            if source is not None:
                draft.source = _subtree_span(source)
            drafts.append(draft)
        drafts.extend(_according_to(sentence, number))
    return drafts


def _according_to(sentence: Any, number: int) -> list[Draft]:
    drafts = []
    for token in sentence:
        if (
            token.lower_ != "according"
            or token.i + 1 >= len(token.doc)
            or token.doc[token.i + 1].lower_ != "to"
        ):
            continue
        to = token.doc[token.i + 1]
        objects = [c for c in to.children if c.dep_ == "pobj"] or [
            c for c in token.children if c.dep_ == "pobj"
        ]
        if not objects:
            continue
        phrase = {t.i for t in token.subtree} | {t.i for t in to.subtree} | {token.i, to.i}
        rest = [t for t in sentence if t.i not in phrase and not (t.is_punct or t.is_space)]
        if not rest:
            continue
        drafts.append(
            Draft(
                content=(rest[0].idx, rest[-1].idx + len(rest[-1].text)),
                cue=(token.idx, to.idx + 2),
                source=_subtree_span(objects[0]),
                sentence=number,
            )
        )
    return drafts


def attach_quotes(doc: Any, drafts: list[Draft], quotes: list[Quote], text: str) -> list[Draft]:
    """Direct quotes: a quote whose sentence has a cue takes that cue's source; a quote paragraph
    with no cue continues the previous speaker."""
    sentences = list(doc.sents)
    starts = [sentence.start_char for sentence in sentences]
    by_sentence: dict[int, list[Draft]] = {}
    for draft in drafts:
        by_sentence.setdefault(draft.sentence, []).append(draft)
    result = list(drafts)
    # Only the verbs' drafts can cover a quote's words: those added below hold earlier quotes, which end
    # before it starts.
    contents = SpanIndex([draft.content for draft in drafts])
    last_speaker: Draft | None = None
    for quote in quotes:
        inner = trim(text, *quote.inner)
        covering = _covering(drafts, contents, inner)
        if inner[1] - inner[0] < 2 or covering is not None:
            last_speaker = covering or last_speaker
            continue
        number = _sentence_of(sentences, starts, quote.start)
        cued = _cue_near(by_sentence, number, quote, sentences)
        if cued is not None:
            draft = Draft(
                content=inner,
                cue=cued.cue,
                source=cued.source,
                medium=cued.medium,
                sentence=number,
                quoted=True,
            )
            result.append(draft)
            last_speaker = draft
        elif last_speaker is not None and _opens_paragraph(text, quote.start) and len(inner) > 1:
            result.append(Draft(content=inner, source=last_speaker.source, sentence=number, quoted=True))
    return sorted(result, key=lambda d: d.content[0])


def _covering(drafts: list[Draft], contents: SpanIndex, span: tuple[int, int]) -> Draft | None:
    """The first draft whose content holds `span` (to one character past its end; `trim` may leave a lone
    mark's bounds reversed). `contents`: the drafts' contents indexed. A covering content starts at or before
    the span's start and ends at or after its end less one, so it overlaps the window below."""
    start, end = span
    near = contents.overlapping(min(start, end) - 2, start + 1)
    return next(
        (drafts[i] for i in near if drafts[i].content[0] <= start and end <= drafts[i].content[1] + 1), None
    )


def _sentence_of(sentences: list[Any], starts: list[int], offset: int) -> int:
    """The number of the sentence holding `offset` (`starts`: the sentences' first characters); the last
    sentence for an offset in none."""
    number = bisect_right(starts, offset) - 1
    if number >= 0 and offset < sentences[number].end_char:
        return number
    return len(sentences) - 1


def _cue_near(
    by_sentence: dict[int, list[Draft]], number: int, quote: Quote, sentences: list[Any]
) -> Draft | None:
    """A cue right before the quote ('He added: ‘...’') or right after it ('‘...,’ she said')."""
    for candidate in (number, number - 1, number + 1):
        for draft in by_sentence.get(candidate, []):
            if draft.cue is None or quote.start <= draft.cue[0] < quote.end:
                continue
            edges = [draft.cue[0], draft.cue[1]] + (
                [draft.source[0], draft.source[1]] if draft.source else []
            )
            if any(0 <= quote.start - e <= 30 or 0 <= e - quote.end <= 30 for e in edges):
                return draft
    return None


def _opens_paragraph(text: str, offset: int) -> bool:
    return offset == 0 or text[max(0, offset - 2) : offset] == "\n\n"


def drop_nested(drafts: list[Draft], quotes: list[Quote]) -> list[Draft]:
    """Cues inside a quotation or inside another attribution's content are part of what was said."""
    quoted = SpanIndex([(q.start, q.end) for q in quotes])
    contents = SpanIndex([draft.content for draft in drafts])
    kept = []
    for draft in drafts:
        cue = draft.cue
        if cue is not None and any(quotes[i].start < cue[0] for i in quoted.holding(cue[0])):
            continue
        if cue is not None and any(
            drafts[i] is not draft and drafts[i].cue != cue for i in contents.holding(cue[0])
        ):
            continue
        kept.append(draft)
    return kept


def dedupe(drafts: list[Draft]) -> list[Draft]:
    """One attribution per cue and content: a quote draft replaces the verb draft it contains."""
    result: list[Draft] = []
    by_cue: dict[tuple[int, int] | None, list[Draft]] = {}  # only a draft with the same cue can be the same
    for draft in sorted(drafts, key=lambda d: (d.content[0], -(d.content[1] - d.content[0]))):
        same = next(
            (r for r in by_cue.get(draft.cue, []) if r.content[0] <= draft.content[0] < r.content[1]),
            None,
        )
        if same is None:
            result.append(draft)
            by_cue.setdefault(draft.cue, []).append(draft)
        elif draft.content[1] > same.content[1]:
            same.content = (same.content[0], draft.content[1])
    return result
