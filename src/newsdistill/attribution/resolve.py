"""Resolve an attribution's source, as written, to an entity of the article.

Names and titled surnames match entity mentions; pronouns go to the sentence's own subject,
then to the last speaker, then to the most recent person of that gender; definite role phrases
('The senior Tory MP') to a person described that way, else to the last speaker.
"""

from __future__ import annotations

from typing import Any

from ..entities.names import DATA_HEADS, HONORIFICS, ROLE_NOUNS
from ..model import Attribution, Entity
from .quotes import find_quotes

PRONOUN_GENDER = {"he": "M", "him": "M", "she": "F", "her": "F"}
_DETERMINERS = ("the ", "a ", "an ")


class Resolver:
    def __init__(self, doc: Any, text: str, entities: list[Entity]) -> None:
        self.doc, self.text, self.entities = doc, text, entities
        self.quotes = find_quotes(text)
        self.last_speaker: Entity | None = None
        self.last_speaker_at = -1
        self.gender = {e.id: _gender(e) for e in entities}

    def remember(self, attribution: Attribution) -> None:
        if attribution.source and attribution.source.entity:
            self.last_speaker = next(e for e in self.entities if e.id == attribution.source.entity)
            self.last_speaker_at = attribution.source.start

    def resolve(self, start: int, end: int, text: str) -> tuple[str | None, str | None]:
        head = self._head(start, end)
        lowered = text.lower()
        if lowered in PRONOUN_GENDER or (head is not None and head.lower_ in PRONOUN_GENDER and len(text.split()) == 1):
            entity = self._pronoun(start, PRONOUN_GENDER.get(lowered))
            return (entity.id, entity.name) if entity else (None, None)
        if head is not None and (entity := self._entity_at(head.idx)) is not None:
            return entity.id, entity.name
        if (entity := self._entity_named(text)) is not None:
            return entity.id, entity.name
        if head is not None and head.lower_ in DATA_HEADS:
            modifiers = [t for t in head.lefts if t.dep_ in {"compound", "poss", "nmod", "amod"}]
            if modifiers:
                entity = self._entity_at(modifiers[0].idx)
                return (entity.id, entity.name) if entity else (None, modifiers[0].text)
        if head is not None and head.lower_ in ROLE_NOUNS and lowered.startswith("the "):
            entity = self._described(head.lower_) or self._recent_speaker(start)
            if entity is not None:
                return entity.id, entity.name
        return None, _plain_name(text)

    def _head(self, start: int, end: int) -> Any | None:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return span.root if span is not None and len(span) else None

    def _entity_at(self, offset: int) -> Entity | None:
        for entity in self.entities:
            if entity.type in {"PERSON", "ORG"} and any(m.start <= offset < m.end for m in entity.mentions):
                return entity
        return None

    def _entity_named(self, text: str) -> Entity | None:
        """A name the NER did not tag here ('WALLACE:' heading a transcript line, 'Pence: ...'): the one
        person or organisation of the article with that name, alias or surname, in any case."""
        words = text.lower().split()
        while len(words) > 1 and words[0] in HONORIFICS:
            words = words[1:]
        wanted = " ".join(words)
        if not wanted or wanted in PRONOUN_GENDER:
            return None
        found = [e for e in self.entities if e.type in {"PERSON", "ORG"} and (
            wanted in {e.name.lower(), *(a.lower() for a in e.aliases)}
            or (e.type == "PERSON" and len(words) == 1 and e.name.lower().split()[-1] == wanted))]
        return found[0] if len(found) == 1 else None

    def _quoted(self, offset: int) -> bool:
        return any(q.start < offset < q.end for q in self.quotes)

    def _people_before(self, offset: int) -> list[tuple[int, Entity]]:
        found = [(m.start, e) for e in self.entities if e.type == "PERSON" for m in e.mentions
                 if m.start < offset and not self._quoted(m.start)]
        return sorted(found, key=lambda pair: pair[0])

    def _pronoun(self, offset: int, gender: str | None) -> Entity | None:
        def fits(entity: Entity) -> bool:
            return gender is None or self.gender[entity.id] in {None, gender}

        sentence_start = self._sentence_start(offset)
        people = self._people_before(offset)
        same_sentence = [e for at, e in people if at >= sentence_start and fits(e)]
        if same_sentence:
            return same_sentence[-1]
        if self.last_speaker is not None and self.last_speaker.type == "PERSON" and fits(self.last_speaker):
            return self.last_speaker
        earlier = [e for _, e in people if fits(e)]
        return earlier[-1] if earlier else None

    def _recent_speaker(self, offset: int) -> Entity | None:
        if self.last_speaker is not None and self.last_speaker.type == "PERSON" and offset - self.last_speaker_at < 600:
            return self.last_speaker
        people = self._people_before(offset)
        return people[-1][1] if people else None

    def _described(self, role: str) -> Entity | None:
        matches = [e for e in self.entities if any(role in d.lower().split() for d in e.descriptors)]
        return matches[0] if len(matches) == 1 else None

    def _sentence_start(self, offset: int) -> int:
        for sentence in self.doc.sents:
            if sentence.start_char <= offset < sentence.end_char:
                return int(sentence.start_char)
        return 0


def _gender(entity: Entity) -> str | None:
    from ..entities.names import FEMALE_NAMES, HONORIFICS, MALE_NAMES

    for alias in [entity.name, *entity.aliases]:
        first = alias.split()[0].lower()
        if first in FEMALE_NAMES or HONORIFICS.get(first) == "F":
            return "F"
        if first in MALE_NAMES or HONORIFICS.get(first) == "M":
            return "M"
    return None


def _plain_name(text: str) -> str:
    """'A spokesman for Prigozhin' -> 'a spokesman for Prigozhin': a phrase, not a proper name."""
    return text[0].lower() + text[1:] if text.lower().startswith(_DETERMINERS) else text
