"""The one data model every stage reads and fills: `Article` and its parts.

Field names follow ../shared/CONVENTIONS.md; stages add to an Article, they never
replace it, so a pipeline is a list of `Article -> Article` components.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

InputKind = Literal["auto", "html", "text"]


@dataclass
class RawDocument:
    """One input page as read: bytes or text, where it came from, and hints."""

    id: str
    data: bytes | str
    url: str | None = None
    input_kind: InputKind = "auto"
    meta: dict[str, object] = field(default_factory=dict)


ParagraphKind = Literal["paragraph", "heading", "list_item", "blockquote"]
RemovedReason = Literal[
    "duplicate",
    "caption_duplicate",
    "related_link",
    "navigation",
    "comment_form",
    "newsletter",
    "teaser",
    "share",
    "advert",
    "cookie_notice",
    "source_credit",
    "byline",
    "dateline",
    "title",
    "footer",
    "other",
]
AttributionKind = Literal["direct", "indirect", "mixed"]
# What an attribution reports: said / wrote / believes / what data or a document shows (attribution/acts.py).
AttributionAct = Literal["speech", "writing", "thought", "evidence"]
ACTS: tuple[str, ...] = get_args(AttributionAct)
EntityType = Literal["PERSON", "ORG", "PLACE", "OTHER"]
# The attribution models: "fast" (the rules and a CRF) and "accurate" (a transformer tagger and the rules).
AttributionModel = Literal["fast", "accurate"]
ATTRIBUTION_MODELS: tuple[str, ...] = get_args(AttributionModel)
# accurate is the default because it is ahead on every measure of who said what (PolNeAR dev exact F1
# 80.3 / 74.2 / 68.6 against 73.4 / 69.6 / 57.5; the right speaker 85.5% against 77.5%) and meets the speed
# goal (2.4 articles/s on one core with the parse, against fast's 5.7). Bulk runs that need no more than
# quotes take fast (README, "Attribution").
DEFAULT_ATTRIBUTION: AttributionModel = "accurate"


class Paragraph(BaseModel):
    text: str
    kind: ParagraphKind = "paragraph"
    start: int  # offsets index Article.text
    end: int


class Caption(BaseModel):
    text: str
    count: int = 1
    input_start: int | None = None  # first occurrence, offsets index the decoded input
    input_end: int | None = None


class RemovedBlock(BaseModel):
    text: str
    reason: RemovedReason
    input_start: int | None = None  # offsets index the decoded input (text mode) or its visible text (HTML)
    input_end: int | None = None


class Span(BaseModel):
    text: str
    start: int
    end: int


class Source(Span):
    entity: str | None = None  # id into Article.entities
    name: str | None = None  # canonical entity name


class Attribution(BaseModel):
    source: Source | None = None
    cue: Span | None = None
    content: Span
    # The content's pieces when the cue splits it ('“A,” he said, “B.”'): `content` runs from the first
    # piece to the last; empty when the content is one piece.
    content_parts: list[Span] = Field(default_factory=list)
    kind: AttributionKind = "indirect"
    act: AttributionAct = "speech"
    medium: str | None = None

    @property
    def said(self) -> str:
        """What was said, as a reader quotes it: the content's pieces without the cue between them."""
        return said_text(self.content.text, [part.text for part in self.content_parts])


def said_text(content: str, parts: list[str]) -> str:
    """A content split by its cue ('“A,” he said, “B.”') as its pieces joined by an ellipsis ('A … B');
    any other content as it is. Shared by the stored record (a dict) and the model."""
    return " … ".join(parts) if parts else content


class Mention(Span):
    pass


class Entity(BaseModel):
    id: str
    name: str
    type: EntityType = "OTHER"
    aliases: list[str] = Field(default_factory=list)
    descriptors: list[str] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)


class Article(BaseModel):
    """A page on its way through the pipeline, and the JSON record it becomes."""

    model_config = ConfigDict(validate_assignment=False)

    url: str | None = None
    outlet: str | None = None
    credited_outlet: str | None = None  # the outlet a copy credits ('DailyMail', '(AP)', 'originally on')
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: str | None = None  # YYYY-MM-DD
    language: str | None = None
    text: str = ""
    paragraphs: list[Paragraph] = Field(default_factory=list)
    captions: list[Caption] = Field(default_factory=list)
    removed: list[RemovedBlock] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    attributions: list[Attribution] = Field(default_factory=list)
    input_kind: Literal["html", "text"] | None = None
    content_hash: str | None = None
    duplicate_of: str | None = None  # id of the earliest near-identical copy (corpus store, scale runs)
    truncated: str | None = None  # why the page was cut short (the max_blocks limit), when it was
    # What the pipeline could not do for this page, one line each ('entities and attribution not run: text of
    # 1,299,999 characters is over the 500,000 they parse'): the page is kept, with what was done.
    warnings: list[str] = Field(default_factory=list)
    # article, listing, collection, forum, product, documentation, service or other (HTML pages; clean stage)
    page_type: str | None = None

    # Working state for the stages; never serialised.
    _raw: RawDocument | None = PrivateAttr(default=None)
    _input_text: str | None = PrivateAttr(default=None)
    _scratch: dict[str, Any] = PrivateAttr(default_factory=dict)  # e.g. the spaCy Doc, shared by stages
    # name -> (text it was computed from, value): what a pipeline worker computed for the store (the sentence
    # embedding, the near-duplicate signature: corpus/embed_stage.py), so the store's one writer need not.
    # Kept by release_raw and by pickling.
    _carried: dict[str, tuple[str, Any]] = PrivateAttr(default_factory=dict)

    @classmethod
    def from_raw(cls, doc: RawDocument) -> Article:
        given = doc.meta.get("given")  # an outlet and date the user gave the input (`--outlet`)
        article = cls(url=doc.url, **(given if isinstance(given, dict) else {}))
        article._raw = doc
        return article

    @property
    def raw(self) -> RawDocument | None:
        return self._raw

    @property
    def input_text(self) -> str:
        """The decoded input the cleaners read; removed-block offsets index it."""
        return self._input_text or ""

    @input_text.setter
    def input_text(self, value: str) -> None:
        self._input_text = value

    @property
    def scratch(self) -> dict[str, Any]:
        return self._scratch

    def carry(self, name: str, source: str, value: Any) -> None:
        """Carry `value`, computed from the text `source`, to the store; never in the JSON record."""
        self._carried[name] = (source, value)

    def carried(self, name: str, source: str) -> Any | None:
        """The value carried under `name` if it was computed from `source` as it is now (an article edited
        since carries a stale one: None)."""
        found = self._carried.get(name)
        return found[1] if found is not None and found[0] == source else None

    @property
    def embedding(self) -> tuple[str, Any] | None:
        """The carried sentence embedding and the text it embeds, or None."""
        return self._carried.get("embedding")

    @property
    def signature(self) -> tuple[str, Any] | None:
        """The carried near-duplicate signature and the text it signs, or None."""
        return self._carried.get("signature")

    def warn(self, warning: str) -> None:
        """Note, once, something the pipeline could not do for this page."""
        if warning not in self.warnings:
            self.warnings.append(warning)

    def release_raw(self) -> None:
        """Drop working state once the pipeline is done, so results stay small (and picklable)."""
        self._raw = None
        self._input_text = None
        self._scratch = {}

    def set_paragraphs(self, items: list[tuple[str, ParagraphKind]]) -> None:
        """Join paragraph texts into `text` and record each one's offsets."""
        parts: list[str] = []
        paragraphs: list[Paragraph] = []
        offset = 0
        for text, kind in items:
            if parts:
                offset += 2
            paragraphs.append(Paragraph(text=text, kind=kind, start=offset, end=offset + len(text)))
            parts.append(text)
            offset += len(text)
        self.text = "\n\n".join(parts)
        self.paragraphs = paragraphs
