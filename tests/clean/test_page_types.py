"""Page types: every HTML article has one; non-article pages keep their content; --page-types filters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import newsdistill
from newsdistill.clean.classify import MODES
from newsdistill.clean.component import html_rule_blocks
from newsdistill.clean.learned import TRAINED_TYPES, ModelFileError
from newsdistill.clean.page_type import (
    PAGE_TYPES,
    STRUCTURE,
    URL_SHAPE,
    WordModel,
    aligned_probabilities,
    fanout,
    load_words,
    page_bag,
    save_words,
    structure,
    url_shape,
    visible_text,
)
from newsdistill.clean.training import (
    GoldPage,
    PageData,
    fit_page_types,
    fit_words,
    page_rows,
    page_types_out_of_fold,
    site_folds,
)

CLEAN_ONLY = ("decode", "clean")
PARAGRAPHS = [
    "The council approved the new budget on Monday after a long debate about funding for schools and roads.",
    "Officials said the plan would raise spending on repairs by a third over the next two years.",
    "Critics argued that the council had not explained where the extra money would come from.",
    "The leader of the opposition said the vote had been rushed, and residents had no time to respond.",
]
NAV = "<header><nav><a href='/'>Home</a> <a href='/about'>About</a> <a href='/c'>Contact</a></nav></header>"
FOOTER = "<footer><p>© 2024 Example Ltd. All rights reserved.</p><a href='/privacy'>Privacy</a></footer>"


def _page(title: str, body: str, declared: str | None = None) -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": declared, "name": title}) if declared else ""
    script = f'<script type="application/ld+json">{ld}</script>' if ld else ""
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>{script}</head>"
        f"<body>{NAV}<main>{body}</main>{FOOTER}</body></html>"
    )


ARTICLE = _page(
    "Council passes budget",
    "<article><h1>Council passes budget</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>",
    "NewsArticle",
)
PRODUCT = _page(
    "Blue Kettle 1.7L",
    "<h1>Blue Kettle 1.7L</h1><div class='price'>$39.99</div><p>In stock. Free delivery.</p>"
    "<button>Add to cart</button><h2>Description</h2><p>A quiet, fast-boil kettle with a 1.7 litre capacity, "
    "a washable limescale filter and a 360 degree base.</p><ul><li>Capacity: 1.7 L</li><li>Power: 3000 W</li>"
    "</ul><h2>Reviews</h2><p>4.5 out of 5 stars (120 reviews)</p>",
    "Product",
)
FORUM = _page(
    "Kettle keeps tripping the fuse",
    "<h1>Kettle keeps tripping the fuse</h1>"
    + "".join(
        f"<div class='message'><a href='/members/{name}'>{name}</a> Joined 2019 · Posts: {posts}"
        f"<blockquote>{text}</blockquote><span>Reply</span> <span>Quote</span></div>"
        for name, posts, text in [
            (
                "sparky",
                120,
                "My kettle trips the fuse every time I switch it on. Has anyone had this and fixed it?",
            ),
            (
                "dave_b",
                3400,
                "Sounds like the element is shorting to earth. I would stop using it and get a new one.",
            ),
            (
                "sparky",
                121,
                "Thanks, I tried another socket and it still trips, so I think you are right about it.",
            ),
            (
                "mia",
                87,
                "Same thing happened to mine last winter. The shop replaced it under warranty, no fuss.",
            ),
        ]
    ),
    "DiscussionForumPosting",
)
LISTING = _page(
    "Latest news",
    "<h1>Latest news</h1>"
    + "".join(
        f"<div class='teaser'><h2><a href='/news/{i}'>Headline number {i} about the town</a></h2>"
        f"<time>May {i}, 2024</time><p>{PARAGRAPHS[i % 4][:70]}...</p><a href='/news/{i}'>Read more</a></div>"
        for i in range(1, 13)
    )
    + "<a href='/news?page=2'>Next page</a>",
)
DOCUMENTATION = _page(
    "Client API reference",
    "<h1>Client</h1><p>The <code>Client</code> class sends requests and returns responses.</p>"
    "<h2>Parameters</h2><ul><li><code>timeout</code> (float): seconds to wait for the server.</li>"
    "<li><code>retries</code> (int): "
    "how many times to retry.</li></ul><pre><code>from example import Client\nclient = Client(timeout=5)\n"
    "client.get('/items')</code></pre><h2>Returns</h2>"
    "<p>A <code>Response</code> object with the status code.</p>",
    "TechArticle",
)
URLS = {
    "article": "https://example.org/news/2024/05/06/council-budget",
    "product": "https://shop.example.com/product/blue-kettle",
    "forum": "https://forum.example.net/threads/kettle-keeps-tripping-the-fuse.1234/",
    "listing": "https://example.org/news/",
    "documentation": "https://docs.example.dev/api/reference/client",
}
PAGES = {
    "article": ARTICLE,
    "product": PRODUCT,
    "forum": FORUM,
    "listing": LISTING,
    "documentation": DOCUMENTATION,
}


# The model's out-of-fold accuracy on documentation pages is 79%: this small page reads as a service page.
KNOWN_MISSES = {"documentation"}


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(k, marks=pytest.mark.xfail(reason="typed as service")) if k in KNOWN_MISSES else k
        for k in sorted(PAGES)
    ],
)
def test_each_kind_of_hand_made_page_gets_its_type(expected: str) -> None:
    article = newsdistill.process(PAGES[expected], url=URLS[expected], stages=CLEAN_ONLY)
    assert article.page_type == expected


def test_every_html_page_gets_a_known_page_type() -> None:
    for name, html in PAGES.items():
        assert newsdistill.process(html, url=URLS[name], stages=CLEAN_ONLY).page_type in PAGE_TYPES


def test_a_non_article_page_keeps_its_main_content_instead_of_being_skipped() -> None:
    forum = newsdistill.process(FORUM, url=URLS["forum"], stages=CLEAN_ONLY)
    assert "element is shorting to earth" in forum.text


def test_a_forum_page_keeps_its_last_post() -> None:
    forum = newsdistill.process(FORUM, url=URLS["forum"], stages=CLEAN_ONLY)
    assert "warranty" in forum.text


@pytest.mark.xfail(
    reason="known miss since the retrain with forums' crawler views (<noscript>): the block model keeps the "
    "posters' names and details, which WCXB's gold for forum posts includes (name and date)",
    strict=False,
)
def test_a_forum_page_drops_the_posters_details() -> None:
    forum = newsdistill.process(FORUM, url=URLS["forum"], stages=CLEAN_ONLY)
    assert "Joined 2019" not in forum.text  # the posters' details are not the content


def test_a_product_page_keeps_its_description() -> None:
    product = newsdistill.process(PRODUCT, url=URLS["product"], stages=CLEAN_ONLY)
    assert "fast-boil kettle" in product.text


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "newsdistill.cli", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_page_types_option_keeps_only_those_and_reports_the_others_by_type(tmp_path: Path) -> None:
    (tmp_path / "story.html").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "shop.html").write_text(PRODUCT, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _cli(
        "process",
        "story.html",
        "shop.html",
        "--stages",
        "decode,clean",
        "--page-types",
        "article",
        "-o",
        str(out),
        cwd=tmp_path,
    )
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["page_type"] for r in records] == ["article"]
    assert "skipped shop.html: page type product" in result.stderr
    assert result.returncode == 1


def test_ingest_takes_page_types_too(tmp_path: Path) -> None:
    (tmp_path / "story.html").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "shop.html").write_text(PRODUCT, encoding="utf-8")
    result = _cli(
        "ingest",
        "story.html",
        "shop.html",
        "--stages",
        "decode,clean",
        "--page-types",
        "article",
        "--db",
        str(tmp_path / "news.db"),
        "--no-progress",
        cwd=tmp_path,
    )
    assert "page type product" in result.stderr
    assert "1 skipped" in result.stderr and "1 new art" in result.stderr


def test_an_unknown_page_type_is_a_usage_error(tmp_path: Path) -> None:
    result = _cli("process", "x.html", "--page-types", "articles", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown page type" in result.stderr


# The page-level features added for the page-type model: the URL's shape, how blocks repeat, the word model.


def _named(names: tuple[str, ...], values: list[float]) -> dict[str, float]:
    return dict(zip(names, values, strict=True))


def test_url_shape_tells_a_single_item_from_a_section_front() -> None:
    item = _named(URL_SHAPE, url_shape("https://example.org/news/2024/05/06/council-passes-new-budget.html"))
    front = _named(URL_SHAPE, url_shape("https://example.org/news/page/2/"))
    assert item["slug_words"] == 4 and item["path_date"] == 1 and item["path_ext"] == 1
    assert front["path_page"] == 1 and front["trailing_slash"] == 1 and front["path_date"] == 0
    assert url_shape(None) == [0.0] * len(URL_SHAPE)


def _structure(html: str) -> dict[str, float]:
    blocks = html_rule_blocks(html, MODES["balanced"]).blocks
    return _named(STRUCTURE, structure(blocks, 0.0, visible_text(blocks), fanout(blocks)))


def test_a_listing_has_many_linked_siblings_and_an_article_few() -> None:
    listing, article = _structure(LISTING), _structure(ARTICLE)
    assert listing["linked_fanout"] >= np.log1p(12) > article["linked_fanout"]
    assert listing["linked_headings"] == pytest.approx(np.log1p(12)) and article["linked_headings"] == 0
    assert listing["years"] == pytest.approx(np.log1p(13))  # a dated <time> per teaser, and the footer's ©
    assert _structure(PRODUCT)["prices"] == pytest.approx(np.log1p(1))


def _word_page(words: dict[str, float]) -> PageData:
    empty = np.zeros(0, bool)
    no_words = np.zeros(0)
    return PageData(np.zeros((0, 1)), empty, empty, [], no_words, empty, empty, empty, np.zeros(1), words)


def test_the_word_model_learns_words_of_many_sites_only_and_scores_in_trained_order() -> None:
    pytest.importorskip("sklearn")
    shop = {"cart": 1.0, "price": 1.0}
    news = {"said": 1.0, "reporter": 1.0}
    pages, data = [], []
    for site in range(12):
        kind, bag = ("product", shop) if site % 2 else ("article", news)
        pages.append(GoldPage("wcxb", f"p{site}", f"site{site}.example", "", kind, Path("-")))
        data.append(_word_page({**bag, f"only{site}": 1.0}))  # a word of one site
    words = fit_words(pages, data)
    assert set(words.vocabulary) == {"cart", "price", "said", "reporter"}
    scores = words.scores({"cart": 2.0, "unknown": 5.0})
    assert scores.sum() == pytest.approx(1.0) and len(scores) == len(TRAINED_TYPES)
    assert TRAINED_TYPES[int(np.argmax(scores))] == "product"
    assert words.scores({})[TRAINED_TYPES.index("product")] == pytest.approx(0.5, abs=0.05)


def test_page_bag_marks_url_and_title_words_apart_from_the_text() -> None:
    blocks = html_rule_blocks(ARTICLE, MODES["balanced"]).blocks
    bag = page_bag(blocks, URLS["article"], "Council passes budget")
    assert bag["council"] > 0 and bag["u:news"] == 1.0 and bag["t:passes"] == 1.0
    assert not any(word.isdigit() or word.startswith("u:20") for word in bag)


def test_a_missing_word_model_names_the_file_and_the_command(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError) as caught:
        load_words(tmp_path / "page_words.npz")
    assert "page_words.npz is missing" in str(caught.value) and "newsdistill train cleaner" in str(
        caught.value
    )


def test_the_word_model_round_trips_through_its_file(tmp_path: Path) -> None:
    model = WordModel(
        ("cart", "said"), np.array([[0.0, 2.0], [2.0, 0.0]]), np.zeros(2), ("article", "product")
    )
    save_words(model, tmp_path / "words.npz")
    loaded = load_words(tmp_path / "words.npz")
    assert loaded.vocabulary == model.vocabulary and loaded.classes == model.classes
    assert np.allclose(loaded.scores({"cart": 1.0}), model.scores({"cart": 1.0}))


@pytest.mark.slow
def test_page_type_scores_out_of_fold_never_come_from_a_model_that_saw_the_site() -> None:
    """Each site's type is a coin toss that only the site's number (a page feature of its ten pages) can
    explain: models that saw the site learn it, out of fold it must look like chance."""
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(3)
    pages, data = [], []
    for site in range(16):
        kind = ("article", "product")[rng.integers(0, 2)]
        for page in range(10):
            pages.append(GoldPage("wcxb", f"p{site}-{page}", f"site{site}.example", "", kind, Path("-")))
            data.append(_word_page({"common": 1.0}))
            data[-1].page = np.array([float(site)])

    def accuracy(types: np.ndarray) -> float:
        predicted = [TRAINED_TYPES[int(np.argmax(row))] for row in types]
        return float(np.mean([p.page_type == t for p, t in zip(pages, predicted, strict=True)]))

    trees, words = fit_page_types(pages, data, seed=0)
    assert accuracy(aligned_probabilities(trees, page_rows(data, words))) > 0.95  # in sample: learnt
    assert accuracy(page_types_out_of_fold(pages, data, site_folds(pages), seed=0)) < 0.75


NAV = "".join(
    f"<li><a href='/c/{w}'>{w.title()}</a></li>" for w in "women men kids home sale new gifts".split()
)
HELP = "".join(
    f"<li><a href='/help/{w}'>{w.title()}</a></li>" for w in "contact shipping returns faq".split()
)
SHELL = (
    "<html><head><title>Acme Store | Women's Jackets</title></head><body>"
    f"<header><ul>{NAV}</ul></header><div id='root'></div>"
    "<noscript>You need to enable JavaScript to run this app.</noscript>"
    f"<footer><ul>{HELP}</ul><p>© 2025 Acme Inc. All rights reserved.</p></footer></body></html>"
)


@pytest.mark.parametrize("mode", ["precision", "balanced", "recall"])
def test_a_shop_shell_that_its_scripts_fill_in_gives_no_text_and_says_why(mode: str) -> None:
    """Menus and a footer around an empty app root: no block reads as content, so the page is skipped
    with a reason, not passed on as its menus (before, its menus and footer came out as its text)."""
    with pytest.raises(newsdistill.SkipInput, match="no main content: no block of this collection page"):
        newsdistill.process(
            SHELL,
            url="https://shop.example.com/collections/womens-jackets",
            input_kind="html",
            stages=("decode", "clean"),
            mode=mode,  # type: ignore[arg-type]
        )
