"""What an attribution reports (`Attribution.act`): speech, writing, thought or evidence; and the cue
senses that report nothing at all ('voted for the bill', 'Edmonton responded a couple minutes later').

The act is read from the cue's lemmas (from the spaCy parse where there is one, else from its words),
the source's head noun, the medium, and a medium phrase hanging off the cue verb ('in a statement'):
- a source that is data or a finding ('figures', 'a report', 'polls') is evidence, whatever the verb;
- a source that is a written thing ('the statement', 'a letter') is writing;
- a writing verb ('wrote', 'tweeted') is writing, a thought verb ('believes', 'wants') is thought;
- a speech cue said in or on something written ('said in a statement', 'told CNN in an email') is writing;
- an evidence verb with no source ('it was found that') is evidence; anything else is speech.
The word lists are `data/acts.txt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from ..lexicons import pattern_list
from ..model import AttributionAct, Span

_CONNECTIVES = frozenset("of from by in on at for to that which who with published released seen".split())
_MEDIUM_PREPOSITIONS = frozenset({"in", "on", "via", "through", "over"})


@dataclass(frozen=True)
class Words:
    """The act lexicon, one frozenset per list of `data/acts.txt`."""

    lists: dict[str, frozenset[str]]
    irregular: dict[str, str]

    def __getitem__(self, name: str) -> frozenset[str]:
        return self.lists.get(name, frozenset())


@cache
def words() -> Words:
    lists: dict[str, set[str]] = {}
    for line in pattern_list("acts"):
        name, _, items = line.partition(":")
        lists.setdefault(name.strip(), set()).update(i.strip().lower() for i in items.split(",") if i.strip())
    irregular = dict(item.split("=", 1) for item in lists.pop("irregular", set()))
    return Words({name: frozenset(items) for name, items in lists.items()}, irregular)


def _verb_lists() -> tuple[str, ...]:
    return ("writing", "thought", "speech", "evidence_verbs", "not_reporting", "needs_clause")


def lemma_of(word: str) -> str:
    """A cue word's lemma without a parse: 'tweeted' -> 'tweet', 'believes' -> 'believe', 'wrote' ->
    'write'. Only lemmas some list names are found; another word comes back as it is."""
    word = word.lower().strip(".,;:!?\"'‘’“”")
    lexicon = words()
    if word in lexicon.irregular:
        return lexicon.irregular[word]
    known = set().union(*(lexicon[name] for name in _verb_lists()))
    for candidate in _candidates(word):
        if candidate in known:
            return candidate
    return word


def _candidates(word: str) -> list[str]:
    found = [word]
    for suffix, replacements in (
        ("ies", ("y",)),
        ("ied", ("y",)),
        ("ing", ("", "e")),
        ("ed", ("", "e")),
        ("es", ("", "e")),
        ("s", ("",)),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            stem = word[: -len(suffix)]
            found += [stem + r for r in replacements]
            if len(stem) > 2 and stem[-1] == stem[-2]:  # 'planned' -> 'plan', 'submitted' -> 'submit'
                found.append(stem[:-1])
    return found


def _head_lemma(lemmas: list[str]) -> str | None:
    """The cue's verb: the first lemma any verb list names ('have expressed concern' -> 'express')."""
    lexicon = words()
    return next((lemma for lemma in lemmas if any(lemma in lexicon[n] for n in _verb_lists())), None)


def act_of(doc: Any, cue: Span | None, source: Span | None, medium: str | None) -> AttributionAct:
    """The act of one attribution found in `doc` (a spaCy parse of the text its offsets index)."""
    cue_tokens = _tokens(doc, cue)
    lemmas = _cue_lemmas(cue_tokens) if cue_tokens else _word_lemmas(cue.text if cue else "")
    source_tokens = _tokens(doc, source)
    if source_tokens:
        inside = {t.i for t in source_tokens}
        heads = [t for t in source_tokens if t.head.i == t.i or t.head.i not in inside]
        # 'The Washington Post' is a name; a sentence's first word is often tagged one ('Data showed').
        common = [t for t in heads[:1] if t.pos_ != "PROPN" or t.is_sent_start]
        source_head = {w for t in common for w in (t.lower_, t.lemma_.lower())}
    else:
        source_head = {_head_word(source.text)} if source else set()
    said_in = _attached_media(cue_tokens) | _media_after_prepositions(cue.text if cue else "")
    return decide(lemmas, source_head, said_in | _phrases(medium or ""), has_source=source is not None)


def act_of_words(cue: str | None, source: str | None, medium: str | None) -> AttributionAct:
    """The act from the words alone (a stored attribution, no parse): cue, source and medium as written."""
    media = _media_after_prepositions(cue or "") | _phrases(medium or "")
    head = {_head_word(source)} if source else set()
    return decide(_word_lemmas(cue or ""), head, media, has_source=source is not None)


def decide(lemmas: list[str], source_head: set[str], media: set[str], has_source: bool) -> AttributionAct:
    """The rules of the module's docstring, in their order."""
    lexicon = words()
    if source_head & lexicon["evidence_sources"]:
        return "evidence"
    if source_head & lexicon["writing_sources"]:
        return "writing"
    head = _head_lemma(lemmas)
    if head in lexicon["writing"]:
        return "writing"
    if head in lexicon["thought"] or (head is None and lexicon["thought_nouns"].intersection(lemmas)):
        return "thought"
    if media & lexicon["writing_media"]:
        return "writing"
    if head in lexicon["evidence_verbs"] and not has_source:
        return "evidence"
    return "speech"


def reports_something(doc: Any, cue: Span, content: Span, quoted: bool) -> bool:
    """False for a cue sense that reports nothing: 'voted for', and 'responded' (or 'replied', 'answered')
    with neither a quote nor a clause it reports ('responded with a goal'). 'Plans to' is kept, as a
    thought: PolNeAR annotates intentions, and who-said leaves thoughts out unless asked."""
    cue_tokens = _tokens(doc, cue)
    head = _head_lemma(_cue_lemmas(cue_tokens) if cue_tokens else _word_lemmas(cue.text))
    lexicon = words()
    if head in lexicon["not_reporting"]:
        return False
    if head in lexicon["needs_clause"] and not quoted and cue_tokens:
        return _reports_clause(cue_tokens, _tokens(doc, content))
    return True


def _reports_clause(cue_tokens: list[Any], content_tokens: list[Any]) -> bool:
    """The content is a clause the cue reports, not the clause it is coordinated with ('The Flames tied
    it, but Edmonton responded a couple minutes later') or a phrase with no verb ('with a goal')."""
    inside = {t.i for t in content_tokens}
    if not any(t.pos_ in {"VERB", "AUX"} for t in content_tokens):
        return False
    verbs = [t for t in cue_tokens if t.pos_ in {"VERB", "AUX"}]
    return not any(v.dep_ in {"conj", "advcl"} and v.head.i in inside for v in verbs)


def _tokens(doc: Any, span: Span | None) -> list[Any]:
    """The parse's tokens of a span (none without a parse), spaces and punctuation left out."""
    if doc is None or span is None:
        return []
    found = doc.char_span(span.start, span.end, alignment_mode="expand")
    return [t for t in found or () if not (t.is_space or t.is_punct)]


def _cue_lemmas(cue_tokens: list[Any]) -> list[str]:
    """The lemmas that can name the act: the cue's verbs where it has one ('did not unveil plans' is not
    'plan'), else all its words ('his belief', 'according to')."""
    verbs = [t for t in cue_tokens if t.pos_ == "VERB"]
    return [_lemma(t) for t in verbs or cue_tokens]


def _lemma(token: Any) -> str:
    """spaCy's lemma where a list knows it, else the word's own ('tweeted' is sometimes a noun's)."""
    lemma = token.lemma_.lower()
    return lemma if lemma in words().irregular.values() or _head_lemma([lemma]) else lemma_of(token.text)


def _word_lemmas(text: str) -> list[str]:
    return [lemma_of(word) for word in text.split()]


def _head_word(source: str) -> str:
    """A source's head noun from its words: the last word before 'of', 'from', 'by'... ('figures from
    the agency' -> 'figures', 'the agency's latest figures' -> 'figures'); '' for a capitalised word
    after the first, a name ('The Washington Post')."""
    kept: list[str] = []
    for word in source.split():
        if word.lower() in _CONNECTIVES and kept:
            break
        kept.append(word.strip(".,;:!?\"'‘’“”()"))
    if not kept or (len(kept) > 1 and kept[-1][:1].isupper()):
        return ""
    return kept[-1].lower()


def _phrases(text: str) -> set[str]:
    """Each word and each pair of words ('truth social'), lowercased."""
    found = [w.strip(".,;:!?\"'‘’“”()") for w in text.lower().split()]
    return set(found) | {" ".join(pair) for pair in pairwise(found)}


def _media_after_prepositions(text: str) -> set[str]:
    """The words of each 'in ...', 'on ...', 'via ...' in a cue as written ('said in a statement'), up to
    three words on: 'made this statement' is no medium."""
    found = text.lower().split()
    return {
        phrase
        for i, word in enumerate(found)
        if word in _MEDIUM_PREPOSITIONS
        for phrase in _phrases(" ".join(found[i + 1 : i + 4]))
    }


def _attached_media(cue_tokens: list[Any]) -> set[str]:
    """What the cue verb was said in or on: 'said in a statement', 'wrote on Truth Social'."""
    found: set[str] = set()
    for verb in (t for t in cue_tokens if t.pos_ in {"VERB", "AUX"}):
        for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in _MEDIUM_PREPOSITIONS):
            for noun in (c for c in prep.children if c.dep_ == "pobj"):
                compounds = [c.lower_ for c in noun.lefts if c.dep_ == "compound"]
                found |= {noun.lower_, noun.lemma_.lower(), " ".join([*compounds[-1:], noun.lower_])}
    return found
