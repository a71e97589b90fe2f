"""Entities of one article from spaCy's NER: aliases and descriptors merged per person/org/place."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from ..model import Entity, EntityType, Mention
from .names import HONORIFICS, ROLE_NOUNS, first_name_gender, is_entity_name, title_gender

NER_TYPES: dict[str, EntityType] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
}
_TRIM = " \t\n'’\"“”.,;:"
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


@dataclass
class EntityDraft:
    type: EntityType
    names: list[str] = field(default_factory=list)
    descriptors: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    _known: tuple[Any, str, frozenset[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def canonical(self) -> str:
        """An organisation or place: its fullest name. A person: the best-supported full name ending in the
        surname: the one most mentions end with (a once-seen 'Crooked Hillary Clinton' supports 'Hillary
        Clinton'), then the fullest; never a headline's 'Obama Sees', which does not end in the surname."""
        if self.type != "PERSON":
            return max(self.names, key=lambda n: (len(n.split()), len(n)))
        surname = self.surname
        ending = [n for n in self.names if surname_of(n) == surname] or self.names
        full = [n for n in ending if len(name_words(n)) > 1]
        # Else 'Ban Ki-moon' for a person called 'Mr. Ban': a family name written first (_named_first, which
        # joins no headline's 'Obama Says' to anyone).
        full = full or [n for n in self.names if _starts(n, surname)] or ending
        return max(full, key=lambda n: (self._support(n), len(n.split()), len(n)))

    @property
    def surname(self) -> str:
        """The last word most of its mentions end with ('obama' for 'Barack Obama', 'Mr. Obama', 'Obama')."""
        return self._person_words()[0]

    @property
    def first_names(self) -> frozenset[str]:
        """First words of its full names ending in the surname: 'ted' for 'Ted Cruz'."""
        return self._person_words()[1]

    def _person_words(self) -> tuple[str, frozenset[str]]:
        """Surname and first names, counted again only when a mention or name was added or moved: every
        NER span asks every person (counting each time made a 400k-character text take 39 s, not 4)."""
        key = (len(self.mentions), len(self.names), self.mentions[-1] if self.mentions else None)
        if self._known is None or self._known[0] != key:
            counts = self._surname_counts()
            surname = counts.most_common(1)[0][0] if counts else surname_of(self.names[0])
            full = [name_words(n) for n in self.names]
            firsts = frozenset(words[0] for words in full if len(words) > 1 and words[-1] == surname)
            self._known = (key, surname, firsts)
        return self._known[1], self._known[2]

    def _surname_counts(self) -> Counter[str]:
        """Mentions by surname, in the order each surname first appears. The texts are counted in C and
        each distinct text is read once: a person named thousands of times is counted again for each new
        mention, and reading every mention's words each time took a transcript of 4,000 quotes 13 s."""
        counts: Counter[str] = Counter()
        for text, times in Counter(map(itemgetter(2), self.mentions)).items():
            counts[surname_of(text)] += times
        return counts

    def _support(self, name: str) -> int:
        words = name_words(name)
        return sum(1 for _, _, text in self.mentions if name_words(text)[-len(words) :] == words)


def name_words(name: str) -> list[str]:
    """A name's words, lower-cased, without a possessive or a trailing 'Jr.' ('Joseph R. Biden Jr.' ->
    joseph, r., biden)."""
    words = strip_possessive(name).lower().replace("’", "'").split()
    while len(words) > 1 and words[-1].strip(".,") in _SUFFIXES:
        words = words[:-1]
    return [w.strip(",") for w in words] or [""]


def surname_of(name: str) -> str:
    return name_words(name)[-1]


def _first_names_fit(first: str, known: frozenset[str]) -> bool:
    """'Joseph' fits a person known as 'Joseph', 'J.' or 'Jos'; anyone fits one with no first name yet."""
    bare = first.rstrip(".")
    return not known or any(k.rstrip(".").startswith(bare) or bare.startswith(k.rstrip(".")) for k in known)


def strip_possessive(text: str) -> str:
    for suffix in ("’s", "'s", "’", "'"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _title_before(span: Any) -> str | None:
    """'US Secretary of State Antony Blinken' -> 'US Secretary of State': the tokens before the name in its
    noun phrase."""
    head = span.root
    words = [t for t in head.lefts if t.i < span.start and t.dep_ in {"compound", "amod", "nmod", "nummod"}]
    if not words:
        return None
    start = min(w.left_edge.i for w in words)
    text = span.doc[start : span.start].text.strip(_TRIM)
    if text.lower() in HONORIFICS or not text:
        return None
    return text if len(text.split()) <= 8 else None


def _apposition(span: Any) -> str | None:
    """'Alicia Kearns, chairman of the committee' -> 'chairman of the committee'."""
    for child in span.root.children:
        if child.dep_ == "appos" and child.i > span.end - 1:
            text = span.doc[child.left_edge.i : child.right_edge.i + 1].text.strip(_TRIM)
            return text if 0 < len(text.split()) <= 15 else None
    return None


def _find_draft(
    drafts: list[EntityDraft], kind: EntityType, name: str, gender: str | None = None
) -> EntityDraft | None:
    if kind == "PERSON":
        return _find_person([d for d in drafts if d.type == "PERSON"], name, gender)
    lowered = name.lower()
    for draft in drafts:
        if draft.type != kind:
            continue
        names = {n.lower() for n in draft.names}
        if lowered in names:
            return draft
        if kind == "ORG" and any(
            lowered in n or n in lowered for n in names if min(len(n), len(lowered)) > 3
        ):
            return draft
    return None


def _find_person(people: list[EntityDraft], name: str, gender: str | None = None) -> EntityDraft | None:
    """A full name joins the person of that surname whose full name it ends with ('Crooked Hillary Clinton')
    or whose first name fits ('Donald J. Trump' joins 'Donald Trump', 'Melania Trump' does not); a bare
    surname, the person of that surname and of its title's gender `_owner_of` picks."""
    words = name_words(name)
    same = [p for p in people if p.surname == words[-1]]
    if len(words) == 1:
        return _owner_of([p for p in same if _fits_gender(p, gender)])
    exact = [p for p in same if name.lower() in {n.lower() for n in p.names}]
    ending = [p for p in same if any(_ends_with(words, name_words(n)) for n in p.names)]
    named = [p for p in same if p.first_names and _first_names_fit(words[0], p.first_names)]
    return next(iter(exact + ending + named), None)


def _ends_with(words: list[str], full_name: list[str]) -> bool:
    return 1 < len(full_name) < len(words) and words[-len(full_name) :] == full_name


def _owner_of(people: list[EntityDraft]) -> EntityDraft | None:
    """Which of the people sharing a surname a bare mention of it means: the most mentioned, of those with a
    full name if any. (Measured on the speaker gold set against the latest named before the mention and the
    first named: most mentioned was best on both halves.)"""
    named = [p for p in people if p.first_names] or people
    return max(named, key=lambda p: len(p.mentions)) if named else None


def _fits_gender(person: EntityDraft, gender: str | None) -> bool:
    """A person whose first names say the other gender is not the one 'Mr.' / 'Mrs.' means."""
    return gender is None or all(first_name_gender(first) in (None, gender) for first in person.first_names)


def _clean_name(span: Any) -> tuple[str, int]:
    """Mention text without a leading article, honorific or role word ('Organiser Tom Becker')
    and a trailing possessive; with its offset into the span."""
    tokens = list(span)
    while len(tokens) > 1 and (
        tokens[0].lower_ in {"the", "a", "an"}
        or tokens[0].lower_ in HONORIFICS
        or tokens[0].lower_ in ROLE_NOUNS
        or tokens[0].pos_ in {"NOUN", "ADJ", "DET"}
    ):
        tokens = tokens[1:]
    start = tokens[0].idx - span.start_char
    return strip_possessive(span.text[start:].strip(_TRIM)), start


def _merge_into_people(drafts: list[EntityDraft], text: str) -> list[EntityDraft]:
    """Each mention that is only a surname ('Trump', or spaCy's ORG 'Prigozhin') goes to the fully named
    person of that surname `_owner_of` picks, and a full name typed ORG to that person; the 'Trump
    Foundation' beside them stays an organisation. A person known by surname alone shares it with no one."""
    people = [d for d in drafts if d.type == "PERSON"]
    body = max(0, text.find("\n"))  # where the headline ends (a text of one paragraph has none)
    moves = [
        (draft, mention, owner)
        for draft in drafts
        for mention in draft.mentions
        if (owner := _person_named(people, draft, mention[2], title_gender(text, mention[0]), body))
        is not None
        and owner is not draft
    ]
    for draft, mention, owner in moves:
        draft.mentions.remove(mention)
        owner.mentions.append(mention)
        if mention[2] not in owner.names:
            owner.names.append(mention[2])
    kept = [d for d in drafts if d.mentions]
    for draft in kept:
        draft.mentions.sort()
        draft.names = [n for n in draft.names if any(t == n for _, _, t in draft.mentions)] or draft.names
    return kept


def _person_named(
    people: list[EntityDraft], draft: EntityDraft, name: str, gender: str | None = None, body: int = 0
) -> EntityDraft | None:
    """The person a mention in `draft` names, where that is not `draft` itself: a person's name typed ORG or
    PLACE; a bare surname that fully named people have (a person known by surname alone keeps it), of the
    gender its title says ('Mr. Obama' is not Michelle Obama)."""
    words = name_words(name)
    if len(words) > 1:
        wanted = name.lower()
        full = (p for p in people if draft.type != "PERSON" and wanted in {n.lower() for n in p.names})
        return next(full, None)
    same = [p for p in people if p.surname == words[0] and (p.first_names or draft.type != "PERSON")]
    if not same:  # a place or an organisation named like someone's first name ('Jordan') stays itself
        return _named_first(people, draft, words[0], gender, body) if draft.type == "PERSON" else None
    return _owner_of([p for p in same if _fits_gender(p, gender)])


def _named_first(
    people: list[EntityDraft], draft: EntityDraft, word: str, gender: str | None, body: int
) -> EntityDraft | None:
    """The one other person named in full, below the headline (`body` on), by a name that starts with a bare
    name that is no one's surname: a family name written first ('Mr. Ban' after 'Ban Ki-moon', 'Xi' after
    'Xi Jinping') or a first name ('Melanie said' after 'Melanie Austin'). Two such people: neither. A
    headline's 'Obama Says' is no full name."""
    found = [
        p
        for p in people
        if p is not draft
        and _fits_gender(p, gender)
        and any(_starts(t, word) for s, _, t in p.mentions if s >= body)
    ]
    return found[0] if len(found) == 1 else None


def _starts(name: str, word: str) -> bool:
    words = name_words(name)
    return len(words) > 1 and words[0] == word


def build_entities(doc: Any) -> list[EntityDraft]:
    drafts: list[EntityDraft] = []
    text = doc.text  # read once: Doc.text is rebuilt from every token on each access
    for span in doc.ents:
        kind = NER_TYPES.get(span.label_)
        if kind is None:
            continue
        name, offset = _clean_name(span)
        if not is_entity_name(name, kind):  # a date, a number or a lowercase phrase NER took for a name
            continue
        gender = title_gender(text, span.start_char + offset) if kind == "PERSON" else None
        draft = _find_draft(drafts, kind, name, gender)
        if draft is None:
            draft = EntityDraft(type=kind)
            drafts.append(draft)
        if name not in draft.names:
            draft.names.append(name)
        draft.mentions.append((span.start_char + offset, span.start_char + offset + len(name), name))
        for descriptor in (_title_before(span), _apposition(span)) if kind == "PERSON" else ():
            if descriptor and descriptor not in draft.descriptors:
                draft.descriptors.append(descriptor)
    return _merge_into_people(drafts, text)


def to_entities(drafts: list[EntityDraft]) -> list[Entity]:
    entities = []
    for number, draft in enumerate(drafts, start=1):
        canonical = draft.canonical
        entities.append(
            Entity(
                id=f"e{number}",
                name=canonical,
                type=draft.type,
                aliases=[n for n in draft.names if n != canonical],
                descriptors=list(draft.descriptors),
                mentions=[Mention(text=t, start=s, end=e) for s, e, t in draft.mentions],
            )
        )
    return entities
