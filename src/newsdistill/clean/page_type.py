"""What kind of page this is (article, listing, forum, ...): page-level features and the learned model.

The features summarise the block matrix (what the blocks look like, and what the rules kept), the page's
declared types (JSON-LD @type, og:type) and the words of its URL path; `newsdistill train cleaner` fits
the model (clean/training.py) with the same site folds as the block classifier.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .blocks import Block
from .learned import BASE_FEATURES, MODELS, OWN, REBUILD, TRAINED_TYPES, ModelFileError, TreeModel

PAGE_TYPES = ("article", "listing", "collection", "forum", "product", "documentation", "service", "other")
PAGE_MODEL = MODELS / "page_types.npz"
PAGE_WORDS = (
    MODELS / "page_words.npz"
)  # the word model beside it: its probabilities are features of the trees
# Below this probability for its best type a page is "other": the model has not seen its like.
OTHER_BELOW = 0.35

# Schema.org and OpenGraph types, grouped by the page type they point to.
DECLARED = {
    "ld_article": "article newsarticle blogposting reportagenewsarticle opinionnewsarticle liveblogposting",
    "ld_product": "product offer aggregateoffer productgroup og:product og:product.item",
    "ld_forum": "discussionforumposting qapage question answer comment socialmediaposting",
    "ld_list": "collectionpage itemlist searchresultspage offercatalog",
    "ld_docs": "techarticle apireference softwaresourcecode howto softwareapplication",
    "ld_service": "service localbusiness professionalservice contactpage aboutpage faqpage organization",
    "og_article": "og:article",
    "og_website": "og:website",
}
# Words of the URL path that name a kind of page on many sites.
URL_WORDS = {
    "url_forum": "forum forums thread threads topic topics community discussion discussions questions",
    "url_product": "product products shop store item items buy p dp",
    "url_docs": "docs doc documentation api reference guide guides manual wiki tutorial",
    "url_list": "category categories tag tags collections collection archive search list",
    "url_article": "news article articles story blog post posts",
    "url_service": "services service pricing contact about solutions features",
}
# Elements counted in the raw HTML (lower-case tags, as nearly every page writes them): forms and buttons
# mark shops and services, <pre>/<code> documentation, <time> listings and posts.
TAGS = (
    "article",
    "time",
    "form",
    "input",
    "button",
    "pre",
    "code",
    "table",
    "li",
    "a",
    "h2",
    "h3",
    "img",
    "nav",
    "aside",
    "select",
    "iframe",
    "textarea",
    "blockquote",
    "dl",
)
# Words of the visible text, by the page type they point to; the model learns what each is worth.
TEXT_WORDS = {
    "words_shop": "price prices cart basket checkout sku stock shipping delivery buy order wishlist reviews",
    "words_forum": "reply replies quote joined posts member members thread answer answered votes registered",
    "words_docs": "api function parameter parameters returns install example class method usage syntax "
    "default",
    "words_service": "contact quote book call services appointment consultation clients enquiry team",
    "words_list": "more next previous page older newer archive results filter sort",
    "words_article": "said says according reporter editor published updated told",
}
_LETTERS = re.compile(r"[a-z]+")
_YEAR_IN_PATH = re.compile(r"/(19|20)\d\d/")
_TAG_OPEN = re.compile(r"<(" + "|".join(TAGS) + r")[\s>]")
_WORD_GROUP = {w: i for i, words in enumerate(TEXT_WORDS.values()) for w in words.split()}
_DECLARED = {group: frozenset(words.split()) for group, words in DECLARED.items()}
_URL_WORDS = {group: frozenset(words.split()) for group, words in URL_WORDS.items()}
_PATH_WORD = re.compile(r"[a-z]+")
_PRICE = re.compile(r"[$€£¥]\s?\d|\d\s?(?:€|EUR|USD|GBP)\b")
# Declared types that are common enough to learn from one by one (the groups above pool the rarer ones).
DECLARED_ONE = (
    "article newsarticle blogposting webpage website breadcrumblist organization localbusiness product offer "
    "aggregaterating review faqpage qapage question discussionforumposting itemlist collectionpage "
    "searchresultspage techarticle howto course event person profilepage videoobject service og:article "
    "og:website og:product og:profile"
).split()
# The shape of the URL's path: a long slug, an id or a date mark a single item (an article, a product,
# a thread); a short path or a page number a section front.
URL_SHAPE = (
    "slug_words",
    "slug_chars",
    "path_id",
    "path_date",
    "path_ext",
    "has_query",
    "trailing_slash",
    "path_page",
)
# How the blocks repeat: a listing is many sibling items, each a link and a little text.
STRUCTURE = (
    "fanout",
    "linked_fanout",
    "linked_headings",
    "linked_heading_share",
    "short_link_share",
    "kept_word_share",
    "clock_times",
    "years",
    "prices",
)
# Where a page's own links lead: a listing or collection links to many single items (a long slug, a date
# or an id in the path), often below its own path; an article links to few.
LINK_SHAPE = (
    "internal_links",
    "child_links",
    "child_link_share",
    "item_links",
    "item_link_share",
    "dated_links",
)
# How the text is laid out: a listing has many dates and short teasers after linked headings, grouped in
# repeated cards; an article has long paragraphs and few headings.
ITEM_SHAPE = (
    "text_dates",
    "text_ago",
    "long_blocks",
    "long_block_share",
    "max_block_words",
    "headings",
    "words_per_heading",
    "teasers",
    "teaser_cards",
)
# Marks of a dated, authored single item in the page's head (JSON-LD dates, OpenGraph article dates, author).
PUBLISHED_MARKS = {
    "date_published": "datePublished",
    "date_modified": "dateModified",
    "published_time": "article:published_time",
    "meta_author": 'name="author"',
    "rel_author": 'rel="author"',
}
_HREF = re.compile(r"""href=["']([^"'#>\s]+)""")  # no IGNORECASE: a literal prefix makes it 7x faster
_ASSET = (".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".xml", ".json", ".webp", ".woff2")
_SLUG_SPLIT = re.compile(r"[-_.+]")
# The lookahead only skips positions no branch can start at (each starts with a month's first letter or a
# digit); it finds the same dates, 40% sooner.
_DATE_TEXT = re.compile(
    r"(?=[\djfmasond])(?:"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b(?:19|20)\d\d-\d\d-\d\d\b|\b\d{1,2}/\d{1,2}/(?:19|20)?\d\d\b)"
)
_AGO = re.compile(r"\d ?(?:m|min|mins|minutes?|h|hrs?|hours?|d|days?|weeks?|months?|years?) ago\b")
_ID_IN_PATH = re.compile(r"\d{4,}")
_DATE_IN_PATH = re.compile(r"(?:19|20)\d\d[/_-]\d{1,2}(?:[/_-]\d{1,2})?(?:/|$|[_-])")
_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp|cfm)$")
_PAGE_NUMBER = re.compile(r"(?:/page/\d+|[?&](?:page|p|pg|start|offset)=\d+)")
# Every number of the text, with a currency sign before it: one scan, then clock times, years and prices
# are told apart in Python (three regular expressions over the text cost five times more).
_NUMBER = re.compile(r"[$€£¥]?\d[\d:.,]*")
_KEEP = OWN.index("rule_keep")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WORDS = OWN.index("log_words")

BASE_PAGE_FEATURES = (
    *(f"mean_{n}" for n in BASE_FEATURES),
    *(f"kept_{n}" for n in OWN),
    *DECLARED,
    *URL_WORDS,
    "path_depth",
    "path_year",
    "price_share",
    "question_share",
    "kept_blocks",
    "kept_words",
    *(f"tag_{t}" for t in TAGS),
    *TEXT_WORDS,
    *(f"{g}_share" for g in TEXT_WORDS),
    *(f"title_{g}" for g in URL_WORDS),
    *(f"declares_{t}" for t in DECLARED_ONE),
    *URL_SHAPE,
    *STRUCTURE,
    *LINK_SHAPE,
    *ITEM_SHAPE,
    *(f"mark_{name}" for name in PUBLISHED_MARKS),
)
PAGE_FEATURES = (*BASE_PAGE_FEATURES, *(f"words_{t}" for t in TRAINED_TYPES))
_BAG_WORD = re.compile(r"[^\W\d_]{2,}")


def url_shape(url: str | None) -> list[float]:
    """URL_SHAPE of a URL (all 0 without one)."""
    if not url:
        return [0.0] * len(URL_SHAPE)
    parts = urlsplit(url)
    path = parts.path.lower()
    slug = path.rstrip("/").rsplit("/", 1)[-1]
    return [
        float(len([w for w in re.split(r"[-_.+]", _EXTENSION.sub("", slug)) if w])),
        float(len(slug)),
        float(bool(_ID_IN_PATH.search(path))),
        float(bool(_DATE_IN_PATH.search(path))),
        float(bool(_EXTENSION.search(path))),
        float(bool(parts.query)),
        float(path.endswith("/") and len(path) > 1),
        float(bool(_PAGE_NUMBER.search(path + ("?" + parts.query if parts.query else "")))),
    ]


def structure(blocks: Sequence[Block], kept_words: float, text: str, fan: Fanout) -> list[float]:
    """STRUCTURE: the widest fan-out of sibling elements holding blocks (and holding linked blocks), linked
    headings (teasers), short links, the kept text's share of the page, and clock times, years and prices.
    `text`: visible_text(blocks); `fan`: fanout(blocks)."""
    linked_headings = short_links = 0
    for b in blocks:
        is_link = b.link_chars * 2 > len(b.text)
        linked_headings += is_link and b.tag in _HEADINGS
        short_links += is_link and b.words <= 12
    numbers = _NUMBER.findall(text)
    n = max(1, len(blocks))
    words = max(1, sum(b.words for b in blocks))
    return [
        float(np.log1p(fan.children)),
        float(np.log1p(fan.linked)),
        float(np.log1p(linked_headings)),
        linked_headings / n,
        short_links / n,
        kept_words / words,
        float(np.log1p(sum(":" in t for t in numbers))),
        float(np.log1p(sum(len(t) == 4 and t[:2] in ("19", "20") for t in numbers))),
        float(np.log1p(sum(t[0] in "$€£¥" for t in numbers))),
    ]


def visible_text(blocks: Sequence[Block]) -> str:
    """The page's blocks joined, cut at 200,000 characters: what the text features scan."""
    return " ".join(b.text for b in blocks)[:200_000]


@dataclass(frozen=True)
class Fanout:
    """Over each block's four nearest ancestors: the most child elements one element holds that hold
    blocks (`children`), that hold linked blocks (`linked`), and that hold both a linked block and another
    one (`cards`, teaser cards)."""

    children: int
    linked: int
    cards: int


def fanout(blocks: Sequence[Block]) -> Fanout:
    """Fanout of a page, counted in numpy over (parent, child) pairs: dictionaries of sets, block by block,
    cost ten times more."""
    parents: list[int] = []
    kids: list[int] = []
    linked: list[bool] = []
    for b in blocks:
        path = b.ancestors
        first, last = max(0, len(path) - 4), len(path) - 1
        if last > first:
            parents.extend(path[first:last])
            kids.extend(path[first + 1 :])
            linked.extend([b.link_chars * 2 > len(b.text)] * (last - first))
    if not parents:
        return Fanout(0, 0, 0)
    kid = np.array(kids, dtype=np.int64)
    stride = int(kid.max()) + 1  # a (parent, child) pair as one number
    pairs, inverse = np.unique(np.array(parents, dtype=np.int64) * stride + kid, return_inverse=True)
    is_link = np.array(linked, dtype=bool)
    with_link = np.bincount(inverse, weights=is_link, minlength=len(pairs)) > 0
    with_text = np.bincount(inverse, weights=~is_link, minlength=len(pairs)) > 0
    parent = pairs // stride
    return Fanout(_widest(parent), _widest(parent[with_link]), _widest(parent[with_link & with_text]))


def _widest(parents: np.ndarray) -> int:
    """The most times one value occurs (0 for none)."""
    return int(np.unique(parents, return_counts=True)[1].max()) if len(parents) else 0


def _internal_paths(html: str, url: str | None) -> tuple[set[str], str]:
    """The distinct paths (lower case, no query) of the page's links to its own site, and its own path
    ending in "/"."""
    parts = urlsplit(url) if url else None
    host = (parts.hostname or "").removeprefix("www.") if parts else ""
    own = (parts.path if parts else "").rstrip("/").lower() + "/"
    paths = set()
    for href in _HREF.findall(html[:2_000_000]):
        if href.startswith(("http://", "https://", "//")):
            link_host, _, rest = href.split("//", 1)[1].partition("/")
            if link_host.lower().removeprefix("www.") != host:
                continue
            href = "/" + rest
        elif not href.startswith("/"):
            continue  # relative, mailto:, javascript:
        path = href.split("?", 1)[0].lower()
        if not path.endswith(_ASSET):
            paths.add(path)
    paths.discard(own)
    paths.discard(own.rstrip("/"))
    return paths, own


def link_shape(html: str, url: str | None) -> list[float]:
    """LINK_SHAPE: how many of the page's links to its own site lead below its own path, and how many to a
    single item (a slug of 4 or more words, a date or an id)."""
    paths, own = _internal_paths(html, url)
    children = items = dated = 0
    for path in paths:
        children += path.startswith(own) and len(path) > len(own) + 1
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        is_dated = bool(_DATE_IN_PATH.search(path))
        dated += is_dated
        items += (
            is_dated or bool(_ID_IN_PATH.search(slug)) or len([w for w in _SLUG_SPLIT.split(slug) if w]) >= 4
        )
    n = max(1, len(paths))
    return [
        float(np.log1p(len(paths))),
        float(np.log1p(children)),
        children / n,
        float(np.log1p(items)),
        items / n,
        float(np.log1p(dated)),
    ]


def item_shape(blocks: Sequence[Block], lowered: str, fan: Fanout) -> list[float]:
    """ITEM_SHAPE: dates and "3 hours ago" in the text, long paragraphs, headings, teasers (a paragraph
    right after a linked line) and teaser cards (the most sibling elements each holding a link and a
    paragraph). `lowered`: visible_text(blocks) lower-cased; `fan`: fanout(blocks)."""
    total = sum(b.words for b in blocks)
    long = [b.words for b in blocks if b.words >= 40]
    headings = teasers = 0
    after_link = False
    for b in blocks:
        headings += b.tag in _HEADINGS
        if b.link_chars * 2 > len(b.text):
            after_link = b.words >= 3
        elif b.words >= 8:  # a shorter line between headline and teaser (a date, a byline) keeps the pair
            teasers += after_link and b.words <= 80
            after_link = False
    return [
        float(np.log1p(len(_DATE_TEXT.findall(lowered)))),
        float(np.log1p(len(_AGO.findall(lowered)))),
        float(np.log1p(len(long))),
        sum(long) / max(1, total),
        float(np.log1p(max((b.words for b in blocks), default=0))),
        float(np.log1p(headings)),
        float(np.log1p(total / (1 + headings))),
        float(np.log1p(teasers)),
        float(np.log1p(fan.cards)),
    ]


def markup_counts(html: str, blocks: Sequence[Block], lowered: str) -> list[float]:
    """log(1 + count) of each of TAGS in the HTML and of each TEXT_WORDS group in the visible text
    (`lowered`, lower case), and each group's share of the visible words."""
    tags = Counter(_TAG_OPEN.findall(html))  # one pass (str.count per tag costs ten times more)
    counts = Counter(_LETTERS.findall(lowered))
    groups = [0] * len(TEXT_WORDS)
    for word, group in _WORD_GROUP.items():
        groups[group] += counts.get(word, 0)
    words = max(1, sum(b.words for b in blocks))
    return [
        *(float(np.log1p(tags[t])) for t in TAGS),
        *(float(np.log1p(g)) for g in groups),
        *(100.0 * g / words for g in groups),
    ]


def page_vector(
    blocks: Sequence[Block],
    x: np.ndarray,
    kinds: set[str],
    url: str | None,
    html: str,
    title: str | None,
    words: Path = PAGE_WORDS,
) -> np.ndarray:
    """One row of PAGE_FEATURES: the page's BASE_PAGE_FEATURES and the word model's type probabilities."""
    bag = page_bag(blocks, url, title)
    return np.concatenate(
        [base_page_vector(blocks, x, kinds, url, html, title), load_words(words).scores(bag)]
    )


def page_bag(blocks: Sequence[Block], url: str | None, title: str | None) -> dict[str, float]:
    """The page's words for the word model: log(1 + count) of each word of the visible text, and the words
    of the URL's path ("u:") and of the title ("t:") as marks of their own."""
    counts = Counter(_BAG_WORD.findall(visible_text(blocks).lower()))
    bag = {w: math.log1p(c) for w, c in counts.items()}  # math, not numpy: ten times faster per word
    path = urlsplit(url).path.lower() if url else ""
    bag.update((f"u:{w}", 1.0) for w in _BAG_WORD.findall(path))
    bag.update((f"t:{w}", 1.0) for w in _BAG_WORD.findall(title.lower() if title else ""))
    return bag


@dataclass(frozen=True)
class WordModel:
    """A linear model (multinomial logistic regression) over a vocabulary of words seen on many sites."""

    vocabulary: tuple[str, ...]
    coef: np.ndarray  # classes x vocabulary
    intercept: np.ndarray
    classes: tuple[str, ...]

    @cached_property
    def index(self) -> dict[str, int]:
        """Each word's column, built once per loaded model (not re-hashed page by page)."""
        return {w: i for i, w in enumerate(self.vocabulary)}

    def scores(self, bag: dict[str, float]) -> np.ndarray:
        """Type probabilities in TRAINED_TYPES order from a page_bag (L2-normalised over known words)."""
        index = self.index
        known = [(index[w], v) for w, v in bag.items() if w in index]
        columns = np.array([i for i, _ in known], dtype=np.int64)
        values = np.array([v for _, v in known])
        values = values / np.sqrt((values**2).sum()) if len(values) else values
        raw = self.intercept + self.coef[:, columns] @ values
        p = np.exp(raw - raw.max())
        out = np.zeros(len(TRAINED_TYPES))
        for k, name in enumerate(self.classes):
            out[TRAINED_TYPES.index(name)] = p[k] / p.sum()
        return out


def save_words(model: WordModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            vocabulary=np.array(model.vocabulary),
            coef=model.coef.astype(np.float32),
            intercept=model.intercept,
            classes=np.array(model.classes),
        )


@lru_cache(maxsize=8)  # the package's model and a benchmark run's fold models
def load_words(path: Path) -> WordModel:
    """Load a word model; a missing or corrupt file is one clear error naming the fix."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return WordModel(
                vocabulary=tuple(str(w) for w in data["vocabulary"]),
                coef=data["coef"].astype(np.float64),
                intercept=data["intercept"].astype(np.float64),
                classes=tuple(str(c) for c in data["classes"]),
            )
    except FileNotFoundError:
        raise ModelFileError(f"page word model {path} is missing; rebuild it with `{REBUILD}`") from None
    except Exception as exc:  # a truncated or foreign file fails in numpy or zipfile in many ways
        raise ModelFileError(
            f"page word model {path} is unreadable ({exc}); rebuild it with `{REBUILD}`"
        ) from None


def base_page_vector(
    blocks: Sequence[Block], x: np.ndarray, kinds: set[str], url: str | None, html: str, title: str | None
) -> np.ndarray:
    """One row of BASE_PAGE_FEATURES from the page's block matrix (rows of learned.BASE_FEATURES) and
    metadata."""
    text = visible_text(blocks)
    lowered = text.lower()
    kept = x[x[:, _KEEP] > 0] if len(x) else x
    mean_all = x.mean(axis=0) if len(x) else np.zeros(len(BASE_FEATURES))
    mean_kept = kept[:, : len(OWN)].mean(axis=0) if len(kept) else np.zeros(len(OWN))
    path = urlsplit(url).path.lower() if url else ""
    words = set(_PATH_WORD.findall(path))
    title_words = set(_PATH_WORD.findall(title.lower())) if title else set()
    n, fan = max(1, len(blocks)), fanout(blocks)
    kept_words = float(np.expm1(kept[:, _WORDS]).sum()) if len(kept) else 0.0
    extra = [
        *(float(bool(kinds & names)) for names in _DECLARED.values()),
        *(float(bool(words & names)) for names in _URL_WORDS.values()),
        float(path.strip("/").count("/") + 1 if path.strip("/") else 0),
        float(bool(_YEAR_IN_PATH.search(path))),
        sum(1 for b in blocks if b.words <= 30 and _PRICE.search(b.text)) / n,
        sum(1 for b in blocks if b.text.endswith("?")) / n,
        np.log1p(len(kept)),
        np.log1p(kept_words),
        *markup_counts(html, blocks, lowered),
        *(float(bool(title_words & names)) for names in _URL_WORDS.values()),  # "Forum", "Shop", "Docs"
        *(float(t in kinds) for t in DECLARED_ONE),
        *url_shape(url),
        *structure(blocks, kept_words, text, fan),
        *link_shape(html, url),
        *item_shape(blocks, lowered, fan),
        *(float(mark in html[:300_000]) for mark in PUBLISHED_MARKS.values()),
    ]
    return np.concatenate([mean_all, mean_kept, np.array(extra)])


def type_probabilities(model: TreeModel, x: np.ndarray) -> np.ndarray:
    """One column per class, also for a model that saw only two types (a small training run)."""
    p = model.probability(x)
    return np.column_stack([1.0 - p, p]) if p.ndim == 1 else p


def aligned_probabilities(model: TreeModel, rows: np.ndarray) -> np.ndarray:
    """Class probabilities in TRAINED_TYPES order (a type the model never saw gets 0)."""
    p = type_probabilities(model, rows)
    out = np.zeros((len(rows), len(TRAINED_TYPES)))
    for k, name in enumerate(model.classes):
        out[:, TRAINED_TYPES.index(name)] = p[:, k]
    return out


def page_type_of(probabilities: np.ndarray, classes: Sequence[str]) -> str:
    best = int(np.argmax(probabilities))
    return classes[best] if probabilities[best] >= OTHER_BELOW else "other"
