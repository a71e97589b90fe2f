"""Resolve an attribution's source, as written, to an entity of the article.

Names and titled surnames match entity mentions (a name word inside a longer, mis-tagged mention by its own
name; a surname two people share to the one mentioned most, as entity building does); pronouns go to the
sentence's own subject (a person, or a title phrase resolved as below), then to the last speaker, then to
the most recent person of that gender; 'it' to what the nearest singular subject before it stands for (an
organisation or place, 'the city' resolved, nothing for a thing such as 'the ad'). Definite title phrases
('the senator', 'The Republican nominee', 'The Republican') go to the latest person described that way,
else to the last speaker; definite organisation phrases ('the agency', 'the newspaper') to the latest
organisation named so, else to the latest one named in this or the sentence before; appositions ('the
senator, Jane Doe') to the name beside them.
Measured with benchmarks/speaker_resolution.py.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from ..entities.names import DATA_HEADS, ROLE_NOUNS, bare_person_name
from ..model import Attribution, Entity
from .quotes import Quote

PRONOUN_GENDER = {"he": "M", "him": "M", "his": "M", "she": "F", "her": "F"}
FIRST_PERSON = frozenset({"i", "me"})
THING_PRONOUNS = frozenset({"it", "its"})
# Heads of a definite phrase that names an office one person holds ('the senator', 'the nominee').
TITLE_HEADS = frozenset(
    """president senator governor mayor nominee candidate secretary chairman chairwoman speaker leader judge
    justice congressman congresswoman representative minister chancellor premier commissioner ambassador
    director general attorney spokesman spokeswoman republican democrat""".split()
)  # 'The Republican is also encouraging his supporters': a party's member stands for its nominee
# Heads of a definite phrase that stands for an organisation ('the agency') or a place ('the city').
ORG_HEADS = frozenset(
    """agency bank fund commission committee court company firm network newspaper paper union group
    organization organisation department alliance board council website site outlet institute""".split()
)
PLACE_HEADS = frozenset({"city", "state", "country", "nation"})
_PARTIES = {"democratic": "D", "democrat": "D", "republican": "R", "gop": "R"}
_DETERMINERS = ("the ", "a ", "an ")
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})


class Resolver:
    """Lookups by character offset go through sorted lists and bisection, so that a long article costs
    time in proportion to its length (scanning every mention for every pronoun did not)."""

    def __init__(self, doc: Any, text: str, entities: list[Entity], quotes: list[Quote]) -> None:
        """`quotes`: the article's `find_quotes(text)`, in order and not overlapping."""
        self.doc, self.text, self.entities, self.quotes = doc, text, entities, quotes
        self.last_speaker: Entity | None = None
        self.last_speaker_at = -1
        self.gender = {e.id: _gender(e, text) for e in entities}
        self._quote_starts = [q.start for q in quotes]
        self._people = self._unquoted_people()
        self._people_starts = [at for at, _ in self._people]
        self._things = sorted(
            ((m.start, e) for e in entities if e.type in {"ORG", "PLACE"} for m in e.mentions),
            key=lambda pair: pair[0],
        )
        self._thing_starts = [at for at, _ in self._things]
        self._thing_at = _entity_by_offset(entities, {"ORG", "PLACE"})
        self._named_at = _entity_by_offset(entities, {"PERSON", "ORG"})
        self._mention_bounds = _mention_bounds(entities)
        self._by_id = {e.id: e for e in entities}
        self._by_name, self._by_surname = _name_index(entities)
        sentences = list(doc.sents)
        self._sentence_starts = [s.start_char for s in sentences]
        self._sentence_ends = [s.end_char for s in sentences]
        self._signers = self._signed()

    def remember(self, attribution: Attribution) -> None:
        if attribution.source and attribution.source.entity:
            self.last_speaker = self._by_id[attribution.source.entity]
            self.last_speaker_at = attribution.source.start

    def resolve(self, start: int, end: int, text: str) -> tuple[str | None, str | None]:
        head = self._head(start, end)
        lowered = text.lower()
        if lowered in PRONOUN_GENDER or (
            head is not None and head.lower_ in PRONOUN_GENDER and len(text.split()) == 1
        ):
            return _named(self._pronoun(start, PRONOUN_GENDER.get(lowered)))
        if lowered in THING_PRONOUNS:
            return _named(self._thing_subject(start))
        if lowered in FIRST_PERSON and not self._quoted(start):
            return _named(self._writer(start))
        if head is not None and (entity := self._entity_at(head.idx)) is not None:
            mistagged = not _names_word(entity, text) or self._runs_past(head.idx, start, end)
            if mistagged and (named := self._entity_named(text)) is not None:
                return named.id, named.name  # 'Obama' inside a headline's 'Obama Sees Insult', NER's person
            return entity.id, entity.name
        if (entity := self._entity_named(text)) is not None:
            return entity.id, entity.name
        if head is not None and (entity := self._apposed(head)) is not None:
            return entity.id, entity.name
        if head is not None and head.lower_ in DATA_HEADS:
            modifiers = [t for t in head.lefts if t.dep_ in {"compound", "poss", "nmod", "amod"}]
            if modifiers:
                entity = self._entity_at(modifiers[0].idx)
                return (entity.id, entity.name) if entity else (None, modifiers[0].text)
        if head is not None and lowered.startswith("the ") and (entity := self._definite(head, start)):
            return entity.id, entity.name
        return None, _plain_name(text)

    def _definite(self, head: Any, offset: int) -> Entity | None:
        """'the senator' -> the latest person described so; 'the agency' -> an organisation; 'the city' ->
        a place; any other role noun ('the spokesman') -> a person described so, else the last speaker."""
        role = head.lower_
        if role in ORG_HEADS:
            return self._named_so(role, offset, {"ORG"}) or self._recent_subject(
                offset, {"ORG"}, any_role=True
            )
        if role in PLACE_HEADS:
            return self._recent_subject(offset, {"PLACE"}, any_role=True)
        if role in TITLE_HEADS or role in ROLE_NOUNS:
            words = [t.lower_ for t in head.subtree if t.i <= head.i]
            return self._titled(words, offset) or self._described(role) or self._recent_speaker(offset)
        return None

    def _head(self, start: int, end: int) -> Any | None:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return span.root if span is not None and len(span) else None

    def _entity_at(self, offset: int) -> Entity | None:
        return self._named_at.get(offset)

    def _runs_past(self, offset: int, start: int, end: int) -> bool:
        """Whether the mention at `offset` runs past a source of one word ('Washington Post Trump' for a
        source 'Trump', 'Obama Seeks' in a headline): the NER glued words to the name."""
        bounds = self._mention_bounds.get(offset)
        return (
            bounds is not None
            and len(bare_person_name(self.text[start:end]).split()) == 1
            and (bounds[0] < start or bounds[1] > end)
        )

    def _entity_named(self, text: str) -> Entity | None:
        """A name the NER did not tag here ('WALLACE:' heading a transcript line, 'Pence: ...'): the one
        person or organisation of the article with that name, alias or surname, in any case and without
        titles (the corpus's rule, `bare_person_name`)."""
        wanted = bare_person_name(text).lower()
        words = wanted.split()
        if not wanted or wanted in PRONOUN_GENDER:
            return None
        found = set(self._by_name.get(wanted, ()))
        if len(words) == 1:
            found.update(self._by_surname.get(wanted, ()))
        if len(found) == 1:
            return self.entities[found.pop()]
        return _most_mentioned([self.entities[i] for i in found]) if len(words) == 1 else None

    def _quoted(self, offset: int) -> bool:
        last_opened = (
            bisect_left(self._quote_starts, offset) - 1
        )  # quotes do not overlap: only it can hold offset
        return last_opened >= 0 and offset < self.quotes[last_opened].end

    def _writer(self, offset: int) -> Entity | None:
        """Who 'I' is outside quotes: the writer who signs next, below it (a letter's signature, an op-ed's
        closing line about its author)."""
        return next((person for at, person in self._signers if at > offset), None)

    def _signed(self) -> list[tuple[int, Entity]]:
        """(offset, person) for each paragraph that signs a text: a person's name alone ('Michael
        Pravica.', a letter's signature), or, as the last paragraph, a person's name followed by a verb
        (an op-ed's closing line, 'Charlotte Meehan is playwright-in-residence at …')."""
        last_line = self.text.rstrip().rfind("\n") + 1
        signers = []
        for mention, person in sorted(
            ((m, e) for e in self.entities if e.type == "PERSON" for m in e.mentions),
            key=lambda pair: pair[0].start,
        ):
            at = mention.start
            if at > 0 and self.text[at - 1] != "\n":
                continue
            line_end = self.text.find("\n", at)
            rest = self.text[mention.end : line_end if line_end >= 0 else len(self.text)].strip()
            token = self._token_at(mention.end + 1) if rest and at == last_line else None
            if rest in {"", "."} or (token is not None and token.pos_ in {"AUX", "VERB"}):
                signers.append((at, person))
        return signers

    def _token_at(self, offset: int) -> Any | None:
        span = self.doc.char_span(offset, offset + 1, alignment_mode="expand")
        return span[0] if span is not None and len(span) else None

    def _unquoted_people(self) -> list[tuple[int, Entity]]:
        found = [
            (m.start, e)
            for e in self.entities
            if e.type == "PERSON"
            for m in e.mentions
            if not self._quoted(m.start)
        ]
        return sorted(found, key=lambda pair: pair[0])

    def _people_before(self, offset: int) -> range:
        """Indices into `self._people` (mentions of people outside quotes) before `offset`, latest first."""
        return range(bisect_left(self._people_starts, offset) - 1, -1, -1)

    def _pronoun(self, offset: int, gender: str | None) -> Entity | None:
        """This sentence's subject before it (a titled phrase such as 'the president', or a person), else the
        last speaker, else the latest person the pronoun can name. (Known genders first was measured worse:
        the name lists are short, and an unknown last speaker is usually right; the subject of the sentence
        before ahead of the last speaker lost 2 items on half A.)"""

        def fits(entity: Entity) -> bool:
            return gender is None or self.gender[entity.id] in {None, gender}

        sentence_start = self._sentence_start(offset)
        if (titled := self._titled_subject(sentence_start, offset)) is not None and fits(titled):
            return titled
        for i in self._people_before(offset):
            at, person = self._people[i]
            if at < sentence_start:
                break
            if fits(person) and self._is_subject(at):  # not 'People like Scott, he said'
                return person
        if self.last_speaker is not None and self.last_speaker.type == "PERSON" and fits(self.last_speaker):
            return self.last_speaker
        return next(
            (self._people[i][1] for i in self._people_before(offset) if fits(self._people[i][1])), None
        )

    def _titled_subject(self, start: int, offset: int) -> Entity | None:
        """'If the president follows through on his threat': a subject between `start` and `offset` that
        is a definite title or role phrase stands for the person the pronoun names."""
        span = self.doc.char_span(start, offset, alignment_mode="contract")
        for token in reversed(span if span is not None else []):
            if token.dep_ in _SUBJECTS and not self._quoted(token.idx):
                role = token.lower_
                definite = _has_the(token) and token.tag_ == "NN"
                if (
                    definite
                    and (role in TITLE_HEADS or role in ROLE_NOUNS)
                    and self._entity_at(token.idx) is None
                ):
                    return self._definite(token, token.idx)
                return None
        return None

    def _recent_speaker(self, offset: int) -> Entity | None:
        if (
            self.last_speaker is not None
            and self.last_speaker.type == "PERSON"
            and offset - self.last_speaker_at < 600
        ):
            return self.last_speaker
        latest = self._people_before(offset)
        return self._people[latest[0]][1] if latest else None

    def _described(self, role: str) -> Entity | None:
        matches = [e for e in self.entities if any(role in d.lower().split() for d in e.descriptors)]
        return matches[0] if len(matches) == 1 else None

    def _apposed(self, head: Any) -> Entity | None:
        """'the senator, Jane Doe' or 'Jane Doe, the senator': the named entity in apposition."""
        beside = [t for t in head.children if t.dep_ == "appos"]
        if head.dep_ == "appos":
            beside.append(head.head)
        return next((e for t in beside if (e := self._entity_at(t.idx)) is not None), None)

    def _titled(self, words: list[str], offset: int) -> Entity | None:
        """The person last mentioned before `offset` among those described with the phrase's head word
        ('The Republican nominee' -> described 'Republican presidential nominee'), no party contradicting."""
        party = {_PARTIES[w] for w in words if w in _PARTIES}
        best: tuple[int, Entity] | None = None
        for entity in self.entities:
            described = [d.lower().split() for d in entity.descriptors] + _titles_in(entity, self.text)
            if entity.type != "PERSON" or not any(words[-1] in d for d in described):
                continue
            if party and any({_PARTIES[w] for w in d if w in _PARTIES} - party for d in described):
                continue
            last = max((m.start for m in entity.mentions if m.start < offset), default=-1)
            if last >= 0 and (best is None or last > best[0]):
                best = (last, entity)
        return best[1] if best else None

    def _named_so(self, role: str, offset: int, types: set[str]) -> Entity | None:
        """The organisation whose name holds the role word ('the commission' -> 'Commission on
        Presidential Debates'), the one mentioned last before `offset`."""
        best: tuple[int, Entity] | None = None
        for entity in self.entities:
            words = entity.name.lower().split()
            if entity.type not in types or role not in words or len(words) < 2:  # NER's lone 'Bank'
                continue
            last = max((m.start for m in entity.mentions if m.start < offset), default=-1)
            if last >= 0 and (best is None or last > best[0]):
                best = (last, entity)
        return best[1] if best else None

    def _recent_subject(self, offset: int, types: set[str], any_role: bool = False) -> Entity | None:
        """The latest entity of `types` mentioned in this sentence or the one before, before `offset`, as a
        subject (any mention when `any_role`): what 'it' or 'the agency' most likely stands for."""
        window = self._sentence_start(max(0, self._sentence_start(offset) - 1))
        for start, entity in reversed(self._things_between(window, offset)):
            if entity.type in types and (any_role or self._is_subject(start)):
                return entity
        return None

    def _thing_subject(self, offset: int, depth: int = 3) -> Entity | None:
        """'it' -> what the nearest subject before it stands for: an organisation or place named there, what
        'the city' there means, nothing when it is a thing ('The ad uses footage ... It also mentions'); an
        earlier 'it' passes on its own. With no such subject, an organisation or place that is one."""
        subject = self._antecedent_subject(offset)
        if subject is None:
            return self._recent_subject(offset, {"ORG", "PLACE"})
        if (entity := self._thing_at.get(subject.idx)) is not None:
            return entity
        if subject.lower_ in THING_PRONOUNS:
            return self._thing_subject(subject.idx, depth - 1) if depth else None
        if subject.pos_ == "PROPN":  # a name the NER did not tag: the old guess
            return self._recent_subject(offset, {"ORG", "PLACE"})
        definite = _has_the(subject)
        if definite and subject.lower_ in ORG_HEADS | PLACE_HEADS:
            return self._definite(subject, subject.idx)
        return None

    def _antecedent_subject(self, offset: int) -> Any | None:
        """The nearest subject before `offset` in this sentence or the one before that 'it' can stand for:
        outside quotes, singular, not a person and not another pronoun than 'it'."""
        window = self._sentence_start(max(0, self._sentence_start(offset) - 1))
        span = self.doc.char_span(window, offset, alignment_mode="expand")
        for token in reversed(span if span is not None else []):
            if token.dep_ not in _SUBJECTS or token.idx >= offset or self._quoted(token.idx):
                continue
            if token.tag_ in {"NNS", "NNPS"} or (token.pos_ == "PRON" and token.lower_ not in THING_PRONOUNS):
                continue
            person = self._entity_at(token.idx)
            if person is None or person.type != "PERSON":
                return token
        return None

    def _things_between(self, start: int, end: int) -> list[tuple[int, Entity]]:
        i, j = bisect_left(self._thing_starts, start), bisect_left(self._thing_starts, end)
        return self._things[i:j]

    def _is_subject(self, offset: int) -> bool:
        span = self.doc.char_span(offset, offset + 1, alignment_mode="expand")
        token = span.root if span is not None and len(span) else None
        while token is not None and token.dep_ in {"compound", "det", "amod"} and token.head is not token:
            token = token.head
        return token is not None and token.dep_ in _SUBJECTS

    def _sentence_start(self, offset: int) -> int:
        """Where the sentence holding `offset` starts (0 in the whitespace between sentences)."""
        i = bisect_right(self._sentence_starts, offset) - 1
        return self._sentence_starts[i] if i >= 0 and offset < self._sentence_ends[i] else 0


def _has_the(head: Any) -> bool:
    """Whether a noun is definite: 'the' among its left dependents ('the president', 'the city')."""
    return any(t.lower_ == "the" for t in head.lefts)


def _most_mentioned(entities: list[Entity]) -> Entity | None:
    """The one person mentioned more than twice as often as any other of the same surname, as entity
    building gives a bare surname to the most mentioned person who has it ('Scott' for the article's Bobby
    Scott, not a Tim Scott named once)."""
    people = sorted((e for e in entities if e.type == "PERSON"), key=lambda e: -len(e.mentions))
    if people and (len(people) == 1 or len(people[0].mentions) > 2 * len(people[1].mentions)):
        return people[0]
    return None


def _named(entity: Entity | None) -> tuple[str | None, str | None]:
    return (entity.id, entity.name) if entity else (None, None)


def _titles_in(entity: Entity, text: str) -> list[list[str]]:
    """The words written just before each mention ('President' in 'President Obama'): a title."""
    return [text[max(0, m.start - 40) : m.start].lower().split()[-3:] for m in entity.mentions]


def _entity_by_offset(entities: list[Entity], types: set[str]) -> dict[int, Entity]:
    """Each character of a mention of an entity of `types`, to the first such entity mentioned there."""
    found: dict[int, Entity] = {}
    for entity in entities:
        if entity.type in types:
            for mention in entity.mentions:
                for offset in range(mention.start, mention.end):
                    found.setdefault(offset, entity)
    return found


def _mention_bounds(entities: list[Entity]) -> dict[int, tuple[int, int]]:
    """Each character of a person's or organisation's mention, to that mention's start and end."""
    bounds: dict[int, tuple[int, int]] = {}
    for entity in entities:
        if entity.type in {"PERSON", "ORG"}:
            for mention in entity.mentions:
                for offset in range(mention.start, mention.end):
                    bounds.setdefault(offset, (mention.start, mention.end))
    return bounds


def _name_index(entities: list[Entity]) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Positions in `entities` of each person or organisation by lower-cased name or alias, and of each
    person by surname; apostrophes written straight, as `bare_person_name` writes them."""
    by_name: dict[str, set[int]] = {}
    by_surname: dict[str, set[int]] = {}
    for i, entity in enumerate(entities):
        if entity.type not in {"PERSON", "ORG"}:
            continue
        for name in {_lookup_key(entity.name), *(_lookup_key(a) for a in entity.aliases)}:
            by_name.setdefault(name, set()).add(i)
        if entity.type == "PERSON" and entity.name.split():
            by_surname.setdefault(_lookup_key(entity.name).split()[-1], set()).add(i)
    return by_name, by_surname


def _lookup_key(name: str) -> str:
    return name.lower().replace("’", "'")


def _gender(entity: Entity, text: str = "") -> str | None:
    """From a first name in the name lists, else from a gendered honorific the article writes before one of
    its mentions ('Mrs. Clinton': the honorific is not part of the mention)."""
    from ..entities.names import HONORIFICS, first_name_gender, title_gender

    for alias in [entity.name, *entity.aliases]:
        words = alias.lower().split()
        if not words:
            continue
        # a lone word is a surname as often as a first name ('Joseph')
        first = words[0] if len(words) > 1 else ""
        gender = first_name_gender(first) or HONORIFICS.get(words[0])
        if gender:
            return gender
    said = {title_gender(text, m.start) for m in entity.mentions} & {"M", "F"}
    return said.pop() if len(said) == 1 else None


def _names_word(entity: Entity, source: str) -> bool:
    """Whether a source of one name word ('Obama', 'Mr. Obama') is a word of the entity's name."""
    words = bare_person_name(source).lower().split()
    names = [entity.name, *entity.aliases]
    return len(words) != 1 or any(words[0] in bare_person_name(n).lower().split() for n in names)


def _plain_name(text: str) -> str:
    """'A spokesman for Prigozhin' -> 'a spokesman for Prigozhin': a phrase, not a proper name."""
    return text[0].lower() + text[1:] if text.lower().startswith(_DETERMINERS) else text
