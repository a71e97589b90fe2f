"""Entities of one article from spaCy's NER: aliases and descriptors merged per person/org/place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Entity, EntityType, Mention
from .names import HONORIFICS, ROLE_NOUNS, is_entity_name

NER_TYPES: dict[str, EntityType] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
}
_TRIM = " \t\n'’\"“”.,;:"


@dataclass
class EntityDraft:
    type: EntityType
    names: list[str] = field(default_factory=list)
    descriptors: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def canonical(self) -> str:
        return max(self.names, key=lambda n: (len(n.split()), len(n)))

    @property
    def surname(self) -> str:
        return self.canonical.split()[-1].lower()


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


def _find_draft(drafts: list[EntityDraft], kind: EntityType, name: str) -> EntityDraft | None:
    lowered = name.lower()
    for draft in drafts:
        if draft.type != kind:
            continue
        names = {n.lower() for n in draft.names}
        if lowered in names:
            return draft
        if kind == "PERSON" and (lowered.split()[-1] == draft.surname or draft.surname in lowered.split()):
            return draft
        if kind == "ORG" and any(
            lowered in n or n in lowered for n in names if min(len(n), len(lowered)) > 3
        ):
            return draft
    return None


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


def _merge_into_people(drafts: list[EntityDraft]) -> list[EntityDraft]:
    """spaCy sometimes types a surname ORG or PLACE ('Prigozhin'); a known person's name wins."""
    people = [d for d in drafts if d.type == "PERSON"]
    kept = []
    for draft in drafts:
        owner = next(
            (
                p
                for p in people
                if draft.type != "PERSON" and draft.canonical.lower() in {p.surname, p.canonical.lower()}
            ),
            None,
        )
        if owner is None:
            kept.append(draft)
        else:
            owner.mentions.extend(draft.mentions)
    return kept


def build_entities(doc: Any) -> list[EntityDraft]:
    drafts: list[EntityDraft] = []
    for span in doc.ents:
        kind = NER_TYPES.get(span.label_)
        if kind is None:
            continue
        name, offset = _clean_name(span)
        if not is_entity_name(name, kind):  # a date, a number or a lowercase phrase NER took for a name
            continue
        draft = _find_draft(drafts, kind, name)
        if draft is None:
            draft = EntityDraft(type=kind)
            drafts.append(draft)
        if name not in draft.names:
            draft.names.append(name)
        draft.mentions.append((span.start_char + offset, span.start_char + offset + len(name), name))
        for descriptor in (_title_before(span), _apposition(span)) if kind == "PERSON" else ():
            if descriptor and descriptor not in draft.descriptors:
                draft.descriptors.append(descriptor)
    return _merge_into_people(drafts)


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
