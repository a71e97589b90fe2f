"""HTML into blocks with DOM evidence (tags, link text, class/id names, structure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .blocks import Block

SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "iframe", "button", "select", "option", "input", "textarea", "canvas", "video", "audio", "object", "embed", "head", "link", "meta", "map", "area", "source", "track", "picture", "img", "label", "dialog", "math"]
)
BLOCK_TAGS = frozenset(
    ["p", "div", "section", "article", "main", "aside", "nav", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "figure", "figcaption", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "form", "fieldset", "address", "details", "summary", "hr", "center", "body", "html"]
)
TAG_HINTS = {"nav": "nav", "footer": "footer", "aside": "aside", "form": "form", "header": "header",
             "figcaption": "caption", "article": "content", "main": "content"}
CLASS_HINTS = {
    "nav": "nav navbar navigation menu breadcrumb breadcrumbs pagination pager toolbar masthead skip topbar",
    "footer": "footer foot colophon copyright",
    "boilerplate": "sidebar widget banner popup overlay hidden sr-only visually-hidden offscreen",
    "comment": "comment comments disqus respond reply replies",
    "share": "share sharing social sharebar addthis",
    "related": "related recommended recommendations recommend popular trending teaser teasers outbrain taboola "
               "more-stories read-more readmore most-read mostread",
    "advert": "ad ads advert advertisement adslot adunit dfp sponsor sponsored promo promoted",
    "newsletter": "newsletter subscribe subscription signup sign-up paywall",
    "cookie": "cookie cookies consent gdpr",
    "caption": "caption wp-caption-text figcaption credit image-credit photo-credit",
    "content": "article article-body articlebody article-content story story-body storybody post-content "
               "entry-content entry post-body content-body main-content body-text text prose",
}
_CLASS_PART = re.compile(r"[a-z]+")
_CLASS_LOOKUP = {token: hint for hint, tokens in CLASS_HINTS.items() for token in tokens.split()}


def _hint_of_class(name: str) -> str | None:
    """'site-footer' -> footer; 'entry-content-read-more' -> content (a content word outweighs the rest)."""
    whole = _CLASS_LOOKUP.get(name)
    if whole:
        return whole
    hints = [_CLASS_LOOKUP.get(part) for part in _CLASS_PART.findall(name)]
    found = [h for h in hints if h]
    if not found:
        return None
    return "content" if "content" in found else found[0]


@lru_cache(maxsize=4096)
def _hints_of_names(names: str) -> frozenset[str]:
    return frozenset(hint for name in names.lower().split() if (hint := _hint_of_class(name)))


def class_hints(node: LexborNode) -> frozenset[str]:
    attrs = node.attributes
    if not attrs:
        return frozenset()
    hints = set(_hints_of_names(f"{attrs.get('class') or ''} {attrs.get('id') or ''}"))
    if attrs.get("aria-hidden") == "true" or "display:none" in (attrs.get("style") or "").replace(" ", ""):
        hints.add("boilerplate")
    if (attrs.get("role") or "") in {"navigation", "banner", "contentinfo", "complementary"}:
        hints.add("nav")
    return frozenset(hints)


@dataclass
class _Context:
    element: int
    tag: str
    hints: frozenset[str]


@dataclass
class _Builder:
    max_depth: int
    blocks: list[Block] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    offset: int = 0
    stack: list[_Context] = field(default_factory=list)
    in_link: int = 0
    overflow: int = 0  # elements nested deeper than max_depth are treated as part of their ancestor
    element_hints: dict[int, frozenset[str]] = field(default_factory=dict)

    def add_text(self, text: str) -> None:
        if text:
            self.parts.append(text)
            if self.in_link:
                self.link_chars += len(text.strip())

    def flush(self) -> None:
        if not self.parts:
            return
        text = " ".join("".join(self.parts).split())
        self.parts, link_chars, self.link_chars = [], self.link_chars, 0
        if not text:
            return
        tag = next((c.tag for c in reversed(self.stack) if c.tag in BLOCK_TAGS), "p")
        hints: frozenset[str] = frozenset().union(*(c.hints for c in self.stack)) if self.stack else frozenset()
        if self.blocks:
            self.offset += 2
        self.blocks.append(
            Block(text=text, start=self.offset, end=self.offset + len(text), tag=tag, hints=hints,
                  link_chars=min(link_chars, len(text)), ancestors=tuple(c.element for c in self.stack))
        )
        self.offset += len(text)


def html_to_blocks(tree: LexborHTMLParser, max_depth: int = 400) -> list[Block]:
    """Walk the DOM without recursion (deep pages must not overflow the stack).

    Only block-level elements open a context (and can carry hints); inline ones just
    pass their text through, which keeps the walk cheap.
    """
    root = tree.body or tree.root
    builder = _Builder(max_depth=max_depth)
    if root is None:
        return []
    counter = 0
    work: list[tuple[LexborNode, bool]] = [(root, True)]
    while work:
        node, entering = work.pop()
        tag = node.tag or ""
        if not entering:
            _leave(builder, tag)
            continue
        if tag == "-text":
            builder.add_text(node.text_content or "")
            continue
        if tag in SKIP_TAGS or tag.startswith("-"):
            continue
        if tag in BLOCK_TAGS:
            counter += 1
            _enter_block(builder, node, tag, counter)
            work.append((node, False))
        elif tag == "a":
            builder.in_link += 1
            work.append((node, False))
        elif tag == "br":
            builder.add_text(" ")
        work.extend((child, True) for child in reversed(list(node.iter(include_text=True, skip_empty=True))))
    builder.flush()
    return drop_page_wide_hints(builder.blocks, builder.element_hints)


def drop_page_wide_hints(blocks: list[Block], element_hints: dict[int, frozenset[str]], share: float = 0.6) -> list[Block]:
    """Hints of an element that wraps most of the page ('has-newsletter' on a page wrapper) say nothing."""
    total = sum(len(b.text) for b in blocks) or 1
    chars: dict[int, int] = {}
    for block in blocks:
        for element in block.ancestors:
            if element in element_hints:
                chars[element] = chars.get(element, 0) + len(block.text)
    page_wide = {e for e, n in chars.items() if n / total > share}
    if not page_wide:
        return blocks
    for block in blocks:
        kept = [element_hints[e] for e in block.ancestors if e in element_hints and e not in page_wide]
        block.hints = frozenset().union(*kept) if kept else frozenset()
    return blocks


def _enter_block(builder: _Builder, node: LexborNode, tag: str, element: int) -> None:
    builder.flush()
    if len(builder.stack) >= builder.max_depth:
        builder.overflow += 1
        return
    hints = class_hints(node)
    if tag in TAG_HINTS:
        hints = hints | {TAG_HINTS[tag]}
    if hints:
        builder.element_hints[element] = hints
    builder.stack.append(_Context(element, tag, hints))


def _leave(builder: _Builder, tag: str) -> None:
    if tag == "a":
        builder.in_link -= 1
        return
    builder.flush()
    if builder.overflow:
        builder.overflow -= 1
    elif builder.stack:
        builder.stack.pop()
