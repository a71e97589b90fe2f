"""What kind of page this is (article, listing, forum, ...): page-level features and the learned model.

The features summarise the block matrix (what the blocks look like, and what the rules kept), the page's
declared types (JSON-LD @type, og:type) and the words of its URL path; `newsdistill train cleaner` fits
the model (clean/training.py) with the same site folds as the block classifier.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from urllib.parse import urlsplit

import numpy as np

from .blocks import Block
from .learned import BASE_FEATURES, MODELS, OWN, TRAINED_TYPES, TreeModel

PAGE_TYPES = ("article", "listing", "collection", "forum", "product", "documentation", "service", "other")
PAGE_MODEL = MODELS / "page_types.npz"
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
_KEEP = OWN.index("rule_keep")
_WORDS = OWN.index("log_words")

PAGE_FEATURES = (
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
)


def markup_counts(html: str, blocks: Sequence[Block]) -> list[float]:
    """log(1 + count) of each of TAGS in the HTML and of each TEXT_WORDS group in the visible text, and
    each group's share of the visible words."""
    tags = Counter(_TAG_OPEN.findall(html))  # one pass (str.count per tag costs ten times more)
    counts = Counter(_LETTERS.findall(" ".join(b.text for b in blocks)[:200_000].lower()))
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
    blocks: Sequence[Block], x: np.ndarray, kinds: set[str], url: str | None, html: str, title: str | None
) -> np.ndarray:
    """One row of PAGE_FEATURES from the page's block matrix (rows of learned.BASE_FEATURES) and metadata."""
    kept = x[x[:, _KEEP] > 0] if len(x) else x
    mean_all = x.mean(axis=0) if len(x) else np.zeros(len(BASE_FEATURES))
    mean_kept = kept[:, : len(OWN)].mean(axis=0) if len(kept) else np.zeros(len(OWN))
    path = urlsplit(url).path.lower() if url else ""
    words = set(_PATH_WORD.findall(path))
    title_words = set(_PATH_WORD.findall(title.lower())) if title else set()
    n = max(1, len(blocks))
    extra = [
        *(float(bool(kinds & names)) for names in _DECLARED.values()),
        *(float(bool(words & names)) for names in _URL_WORDS.values()),
        float(path.strip("/").count("/") + 1 if path.strip("/") else 0),
        float(bool(_YEAR_IN_PATH.search(path))),
        sum(1 for b in blocks if b.words <= 30 and _PRICE.search(b.text)) / n,
        sum(1 for b in blocks if b.text.endswith("?")) / n,
        np.log1p(len(kept)),
        np.log1p(float(np.expm1(kept[:, _WORDS]).sum()) if len(kept) else 0.0),
        *markup_counts(html, blocks),
        *(float(bool(title_words & names)) for names in _URL_WORDS.values()),  # "Forum", "Shop", "Docs"
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
