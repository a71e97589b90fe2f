"""HTML into blocks with DOM evidence (tags, link text, class/id names, structure)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

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


def class_hints(node: LexborNode) -> frozenset[str]:
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower().split()
    hints = {hint for name in names if (hint := _hint_of_class(name))}
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


def _children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.child
    while child is not None:
        yield child
        child = child.next


def html_to_blocks(tree: LexborHTMLParser, max_depth: int = 400) -> list[Block]:
    """Walk the DOM without recursion (deep pages must not overflow the stack)."""
    root = tree.body or tree.root
    builder = _Builder(max_depth=max_depth)
    if root is None:
        return []
    counter = 0
    work: list[tuple[LexborNode | None, bool]] = [(root, True)]
    while work:
        node, entering = work.pop()
        if node is None:
            continue
        if not entering:
            _leave(builder, node)
            continue
        tag = node.tag or ""
        if tag == "-text":
            builder.add_text(node.text_content or "")
            continue
        if tag.startswith("-") or tag in SKIP_TAGS:
            continue
        counter += 1
        _enter(builder, node, counter)
        work.append((node, False))
        work.extend((child, True) for child in reversed(list(_children(node))))
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


def _enter(builder: _Builder, node: LexborNode, element: int) -> None:
    tag = node.tag or ""
    if tag in BLOCK_TAGS:
        builder.flush()
    elif tag == "br":
        builder.add_text(" ")
    if tag == "a":
        builder.in_link += 1
    if len(builder.stack) >= builder.max_depth:
        builder.overflow += 1
        return
    hints = class_hints(node) | ({TAG_HINTS[tag]} if tag in TAG_HINTS else frozenset())
    if hints:
        builder.element_hints[element] = frozenset(hints)
    builder.stack.append(_Context(element, tag, frozenset(hints)))


def _leave(builder: _Builder, node: LexborNode) -> None:
    tag = node.tag or ""
    if tag in BLOCK_TAGS:
        builder.flush()
    if tag == "a":
        builder.in_link -= 1
    if builder.overflow:
        builder.overflow -= 1
    elif builder.stack:
        builder.stack.pop()
