"""HTML into blocks with DOM evidence (tags, link text, class/id names, structure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from selectolax.lexbor import LexborHTMLParser, LexborNode

from .blocks import Block, count_words, display_text

SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "button",
        "select",
        "option",
        "input",
        "textarea",
        "canvas",
        "video",
        "audio",
        "object",
        "embed",
        "head",
        "link",
        "meta",
        "map",
        "area",
        "source",
        "track",
        "picture",
        "img",
        "label",
        "dialog",
        "math",
    ]
)
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "aside",
        "nav",
        "header",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "caption",
        "form",
        "fieldset",
        "address",
        "details",
        "summary",
        "hr",
        "center",
        "body",
        "html",
    ]
)
TAG_HINTS = {
    "nav": "nav",
    "footer": "footer",
    "aside": "aside",
    "form": "form",
    "header": "header",
    "figcaption": "caption",
    "article": "content",
    "main": "content",
}
CLASS_HINTS = {
    "nav": "nav navbar navigation menu breadcrumb breadcrumbs pagination pager toolbar masthead skip topbar",
    "footer": "footer foot colophon copyright",
    "boilerplate": "sidebar widget banner popup overlay hidden sr-only visually-hidden offscreen",
    "comment": "comment comments disqus respond reply replies",
    "share": "share sharing social sharebar addthis",
    "related": "related recommended recommendations recommend popular trending teaser teasers outbrain "
    "taboola "
    "more-stories read-more readmore most-read mostread",
    "advert": "ad ads advert advertisement adslot adunit dfp sponsor sponsored promo promoted",
    "newsletter": "newsletter subscribe subscription signup sign-up",
    "cookie": "cookie cookies consent gdpr",
    "caption": "caption wp-caption-text figcaption credit image-credit photo-credit",
    "content": "article article-body articlebody article-content story story-body storybody post-content "
    "entry-content entry post-body content-body main-content body-text text prose",
}
_CLASS_PART = re.compile(r"[a-z]+")
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_HUMP_HINTS = {"caption", "newsletter"}
_CLASS_LOOKUP = {token: hint for hint, tokens in CLASS_HINTS.items() for token in tokens.split()}


@lru_cache(maxsize=16_384)  # class names recur across elements and pages; whole class="..." values less so
def _hint_of_class(name: str) -> str | None:
    """'site-footer' -> footer; 'entry-content-read-more' -> content (a content word outweighs the rest);
    'article-body__newsletter' -> newsletter (a BEM element names itself, its block only where it sits);
    'InlineImage-imageEmbedCaption' -> caption."""
    lower = name.lower()
    whole = _CLASS_LOOKUP.get(lower)
    if whole:
        return whole
    if "__" in name:
        element = _hint_of_parts(name.rsplit("__", 1)[1])
        if element:
            return element
    return _hint_of_parts(name)


def _hint_of_parts(name: str) -> str | None:
    found = [h for part in _CLASS_PART.findall(name.lower()) if (h := _CLASS_LOOKUP.get(part))]
    if found:
        return "content" if "content" in found else found[0]
    # Words run together in camel case ('imageEmbedCaption') are trusted for captions and sign-up boxes
    # only: on forums 'replyButton', 'offCanvasMenu' and 'main--withSidebar' wrap the content itself.
    humps = _CLASS_PART.findall(_CAMEL_HUMP.sub("-", name.split("--")[0]).lower())
    return next((h for part in humps if (h := _CLASS_LOOKUP.get(part)) in _HUMP_HINTS), None)


@lru_cache(maxsize=4096)
def _hints_of_names(names: str) -> frozenset[str]:
    return frozenset(hint for name in names.split() if (hint := _hint_of_class(name)))


_NO_HINTS: frozenset[str] = frozenset()
_HIDING_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary"})


def class_hints(node: LexborNode) -> frozenset[str]:
    """Hints from class, id, aria-hidden, an inline display:none and the ARIA role (every block element
    asks: the common case, names alone, returns the cached set itself)."""
    attrs = node.attributes
    if not attrs:
        return _NO_HINTS
    hints = _hints_of_names(f"{attrs.get('class') or ''} {attrs.get('id') or ''}")
    style = attrs.get("style")
    if attrs.get("aria-hidden") == "true" or (style and "display:none" in style.replace(" ", "")):
        hints = hints | {"boilerplate"}
    if attrs.get("role") in _HIDING_ROLES:
        hints = hints | {"nav"}
    return hints


@dataclass
class _Context:
    element: int
    tag: str
    hints: frozenset[str]  # this element's and all its ancestors' hints
    path: tuple[int, ...]  # element ids from the root down to this one
    chars: int  # the builder's text characters when the element opened


_LEAVE_BLOCK, _LEAVE_LINK = 0, 1
_CELL_OR_BREAK = frozenset({"br", "td", "th"})


@dataclass
class _Builder:
    max_depth: int
    blocks: list[Block] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    offset: int = 0
    stack: list[_Context] = field(default_factory=list)
    overflow: int = 0  # elements nested deeper than max_depth are treated as part of their ancestor
    element_hints: dict[int, frozenset[str]] = field(default_factory=dict)
    element_chars: dict[int, int] = field(default_factory=dict)  # text characters under each hinted element
    chars: int = 0  # text characters of the blocks so far (separators not counted)
    in_link: int = 0  # how many <a> the walk is inside: their text counts as link text
    elements: int = 0  # block elements opened so far: each one's number names it in hints and paths

    def flush(self) -> None:
        if not self.parts:
            return
        joined = "".join(self.parts)
        self.parts, link_chars, self.link_chars = [], self.link_chars, 0
        # Most flushes hold only the whitespace between block elements: skip them before normalising.
        text = "" if joined.isspace() else display_text(joined)
        if not text:
            return
        context = self.stack[-1] if self.stack else _Context(0, "p", frozenset(), (), 0)
        if self.blocks:
            self.offset += 2
        self.blocks.append(
            Block(
                text=text,
                start=self.offset,
                end=self.offset + len(text),
                tag=context.tag,
                hints=context.hints,
                link_chars=min(link_chars, len(text)),
                ancestors=context.path,
            )
        )
        self.offset += len(text)
        self.chars += len(text)

    def enter_block(self, node: LexborNode, tag: str, element: int) -> None:
        self.flush()
        if len(self.stack) >= self.max_depth:
            self.overflow += 1
            return
        hints = class_hints(node)
        if tag in TAG_HINTS:
            hints = hints | {TAG_HINTS[tag]}
        parent = self.stack[-1] if self.stack else None
        if hints:
            self.element_hints[element] = hints
        if parent is not None:
            hints = hints | parent.hints if hints else parent.hints
        path = (*parent.path, element) if parent else (element,)
        self.stack.append(_Context(element, tag, hints, path, self.chars))

    def leave_block(self) -> None:
        self.flush()
        if self.overflow:
            self.overflow -= 1
        elif self.stack:
            closed = self.stack.pop()
            if closed.element in self.element_hints:
                self.element_chars[closed.element] = self.chars - closed.chars

    def open_element(self, node: LexborNode, tag: str, work: list[LexborNode | int]) -> None:
        """A block opens a context and a link starts counting link text, each with the marker that
        ends it queued after the children; then the children are queued, first one on top."""
        if tag in BLOCK_TAGS:
            self.elements += 1
            self.enter_block(node, tag, self.elements)
            work.append(_LEAVE_BLOCK)
        elif tag == "a":
            self.in_link += 1
            work.append(_LEAVE_LINK)
        elif tag in _CELL_OR_BREAK:
            self.parts.append(" ")  # table cells join their row's block; a row reads as one line
        # Whitespace-only text nodes stay: the space between two <span>s is the one the page renders.
        children = list(node.iter(include_text=True, skip_empty=False))
        children.reverse()
        work.extend(children)

    def close(self, marker: int) -> None:
        """The end of an element open_element queued a marker for."""
        if marker == _LEAVE_LINK:
            self.in_link -= 1
        else:
            self.leave_block()


# The attributes are taken whole (greedy up to the '>'), then a self-closing '/' read off their end: a lazy
# scan that looks for "/>" at every character took three times as long on large pages.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,15})\b([^>]*)>")
_NOT_NESTING = frozenset(
    "br img meta link input hr area base col embed source track wbr param p li td th tr dt dd option "
    "script style".split()
)


def nesting_depth(html: str, give_up_at: int) -> int:
    """Deepest element nesting (at most `give_up_at`), counted on the raw tags (parsers slow down badly on
    very deep pages)."""
    if html.count("<") < give_up_at:
        return 0
    # A tag ends at the next '>'. Past the last '>', each '<a' would scan to the end of the page and fail
    # (900 KB of '<a ' took a minute); so the search stops there, and every scan ends at a '>' it consumes.
    tags_end = html.rfind(">") + 1
    steps = [
        -1 if closing else 1
        for closing, name, attributes in _TAG.findall(html, 0, tags_end)
        if not attributes.endswith("/") and name.lower() not in _NOT_NESTING
    ]
    if not steps:
        return 0
    # A closing tag never takes the depth below 0: the depth is the running sum less its lowest point so far.
    running = np.cumsum(steps)
    depth = running - np.minimum.accumulate(np.minimum(running, 0))
    return min(int(depth.max()), give_up_at)


def page_blocks(tree: LexborHTMLParser, max_depth: int = 400) -> list[Block]:
    """The page's blocks as a browser shows them. With scripts on, `<noscript>` is hidden; but a page
    whose `<noscript>` holds more words than the rest of it is written for clients that run no scripts
    (a forum's crawler view, a script-built app's fallback), so it is read as such a client shows it."""
    blocks = html_to_blocks(tree, max_depth)
    if noscript_words(tree) > sum(block.words for block in blocks):
        return html_to_blocks(tree, max_depth, skip=SKIP_TAGS - {"noscript"})
    return blocks


def noscript_words(tree: LexborHTMLParser) -> int:
    """Words inside the body's `<noscript>` elements (outermost ones only count once)."""
    body = tree.body
    if body is None:
        return 0
    return sum(count_words(node.text(separator=" ")) for node in body.css("noscript:not(noscript noscript)"))


def html_to_blocks(
    tree: LexborHTMLParser, max_depth: int = 400, skip: frozenset[str] = SKIP_TAGS
) -> list[Block]:
    """Walk the DOM without recursion (deep pages must not overflow the stack).

    Only block-level elements open a context (and can carry hints); inline ones just
    pass their text through. This loop runs for every node of every page, hence its shape.
    """
    root = tree.body or tree.root
    if root is None:
        return []
    builder = _Builder(max_depth=max_depth)
    parts = builder.parts  # the current block's text: a local, as text nodes are most of the nodes
    work: list[LexborNode | int] = [root]
    while work:
        item = work.pop()
        if type(item) is int:
            builder.close(item)
            parts = builder.parts
            continue
        node: LexborNode = item  # type: ignore[assignment]
        tag = node.tag or ""
        if tag == "-text":
            text = node.text_content or ""
            parts.append(text)
            if builder.in_link:
                builder.link_chars += len(text.strip())
            continue
        if tag in skip or tag[0] == "-":
            continue
        builder.open_element(node, tag, work)
        parts = builder.parts
    builder.flush()
    return drop_page_wide_hints(builder.blocks, builder.element_hints, builder.element_chars)


def drop_page_wide_hints(
    blocks: list[Block],
    element_hints: dict[int, frozenset[str]],
    element_chars: dict[int, int],
    share: float = 0.6,
) -> list[Block]:
    """Hints of an element that wraps most of the page ('has-newsletter' on a page wrapper) say nothing.
    `element_chars`: the text characters of the blocks under each hinted element, counted by the walk."""
    total = sum(len(b.text) for b in blocks) or 1
    page_wide = {e for e, n in element_chars.items() if n / total > share}
    if not page_wide:
        return blocks
    for block in blocks:
        kept = [element_hints[e] for e in block.ancestors if e in element_hints and e not in page_wide]
        block.hints = frozenset().union(*kept) if kept else frozenset()
    return blocks
