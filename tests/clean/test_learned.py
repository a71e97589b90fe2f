"""The learned block classifier: labels from gold text, the tree export, leak-free folds, the model file."""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from selectolax.lexbor import LexborHTMLParser

import newsdistill
from newsdistill.clean.captions import normalise
from newsdistill.clean.classify import MODES
from newsdistill.clean.component import clean_html
from newsdistill.clean.html_blocks import html_to_blocks
from newsdistill.clean.learned import (
    BASE_FEATURES,
    EMPTY_BELOW,
    FEATURES,
    REPEAT_WORDS,
    SPARSE_SHARE,
    SPARSE_WORDS,
    TRAINED_TYPES,
    ModelFileError,
    TreeModel,
    above_cutoff,
    load_model,
    no_main_content,
    repeated_copies,
    save_model,
    seeded_runs,
)
from newsdistill.clean.page_type import BASE_PAGE_FEATURES
from newsdistill.clean.training import (
    GoldPage,
    PageData,
    block_labels,
    export_trees,
    fold_splits,
    out_of_fold,
    save_fold_models,
    site_folds,
)

GOLD = (
    "The river burst its banks on Sunday night, flooding more than two hundred homes in the valley.\n"
    "Rescue teams worked through the night. Nobody was hurt."
)
PAGE = """<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<p>The river burst its banks on <b>Sunday</b> night, flooding more than two hundred homes in the valley.</p>
<p>Rescue teams worked through the night.</p><p>Nobody was hurt.</p>
<p>Sign up for our newsletter to get the valley news every morning in your inbox.</p>
<footer>Copyright 2024 Valley Times</footer></body></html>"""


def test_blocks_are_labelled_by_their_overlap_with_the_gold_text() -> None:
    blocks = html_to_blocks(LexborHTMLParser(PAGE))
    labels = dict(zip([b.text for b in blocks], block_labels(blocks, GOLD).tolist(), strict=True))
    assert labels == {
        "Home News": 0,
        "The river burst its banks on Sunday night, flooding more than two hundred homes in the valley.": 1,
        "Rescue teams worked through the night.": 1,
        "Nobody was hurt.": 1,  # under four words: the whole block as a run of gold words
        "Sign up for our newsletter to get the valley news every morning in your inbox.": 0,
        "Copyright 2024 Valley Times": 0,
    }


@pytest.mark.slow
def test_exported_trees_predict_what_scikit_learn_predicts() -> None:
    ensemble = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    for labels, n_classes in (
        ((x[:, 0] + x[:, 1] ** 2 > 0.5).astype(int), 2),
        (np.digitize(x[:, 2], [-0.5, 0.5]), 3),
    ):
        model = ensemble.HistGradientBoostingClassifier(max_iter=30, max_depth=4, random_state=0).fit(
            x, labels
        )
        exported = export_trees(model, [f"f{i}" for i in range(5)], [str(c) for c in model.classes_], 0.5)
        expected = model.predict_proba(x)
        got = exported.probability(x)
        np.testing.assert_allclose(
            got if n_classes > 2 else np.column_stack([1 - got, got]), expected, atol=1e-9
        )


def _pages(n: int) -> list[GoldPage]:
    return [GoldPage("wcxb", f"p{i}", f"site{i % 7}.example", "", "article", Path("-")) for i in range(n)]


def test_pages_of_one_site_never_sit_in_two_folds() -> None:
    pages = _pages(70)
    folds = site_folds(pages)
    for train, held_out in fold_splits(folds):
        assert not set(train) & set(held_out)
        assert not {pages[i].domain for i in train} & {pages[i].domain for i in held_out}
    assert sorted(i for _, held_out in fold_splits(folds) for i in held_out) == list(range(70))


def _coin_toss_pages(n_pages: int, per_page: int) -> tuple[list[GoldPage], list[PageData]]:
    """Pages whose label is a coin toss only their own id explains (column 0), each on its own site."""
    rng = np.random.default_rng(1)
    data = []
    for page in range(n_pages):
        x = np.zeros((per_page, len(BASE_FEATURES)), dtype=np.float32)
        x[:, 0] = page
        label = np.full(per_page, rng.integers(0, 2), dtype=np.int8)
        no = np.zeros(per_page, bool)
        row = np.zeros(len(BASE_PAGE_FEATURES))
        row[0] = page % 2
        bag = {("story", "more")[page % 2]: 1.0}
        data.append(
            PageData(x, label, np.ones(per_page), [""] * per_page, np.ones(per_page), no, no, no, row, bag)
        )
    kinds = ("article", "listing")
    pages = [
        GoldPage("wcxb", f"p{i}", f"site{i}.example", "", kinds[i % 2], Path("-")) for i in range(n_pages)
    ]
    return pages, data


@pytest.mark.slow
def test_fold_models_are_written_after_they_have_scored_their_folds(tmp_path: Path) -> None:
    """`train cleaner --fold-models`: the block models have predicted (and cached their walk) by the time
    they are saved with the chosen cut-off; each lands in the folder of the fold it never saw."""
    pytest.importorskip("sklearn")
    pages, data = _coin_toss_pages(60, 5)
    folds = site_folds(pages)
    models: list[TreeModel] = []
    out_of_fold(data, folds, seed=0, models=models)
    save_fold_models(tmp_path, pages, data, folds, models, cutoff=0.35, seed=0)
    for fold in sorted(set(folds.tolist())):
        saved = load_model(tmp_path / f"fold-{fold}" / "blocks.npz", FEATURES)
        assert saved.cutoff == 0.35
        assert (tmp_path / f"fold-{fold}" / "page_types.npz").is_file()


@pytest.mark.slow
def test_out_of_fold_scores_never_come_from_a_model_that_saw_the_page() -> None:
    """Each page's label is a coin toss only its own id can explain: a model that saw the page learns it
    (in-sample near 100%), one that did not is at chance. Out-of-fold must look like chance."""
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(1)
    n_pages, per_page = 60, 60
    data = []
    for page in range(n_pages):
        x = np.zeros((per_page, len(BASE_FEATURES)), dtype=np.float32)
        x[:, 0] = page
        label = np.full(per_page, rng.integers(0, 2), dtype=np.int8)
        data.append(
            PageData(
                x,
                label,
                np.ones(per_page),
                [""] * per_page,
                np.ones(per_page),
                np.zeros(per_page, bool),
                np.zeros(per_page, bool),
                np.zeros(per_page, bool),
                np.zeros(1),
                {},
            )
        )
    pages = [GoldPage("wcxb", f"p{i}", f"site{i}.example", "", "article", Path("-")) for i in range(n_pages)]
    probabilities = out_of_fold(data, site_folds(pages), seed=0)
    out_of_fold_accuracy = np.mean(
        [((p >= 0.5) == d.y.astype(bool)).mean() for p, d in zip(probabilities, data, strict=True)]
    )
    assert out_of_fold_accuracy < 0.75


def test_a_missing_model_file_names_the_file_and_the_command(tmp_path: Path) -> None:
    article = newsdistill.Article(input_kind="html")
    missing = tmp_path / "blocks.npz"
    with pytest.raises(ModelFileError) as caught:
        clean_html(article, PAGE, MODES["balanced"], model=missing)
    message = str(caught.value)
    assert f"{tmp_path}/" in message and "is missing" in message and "newsdistill train cleaner" in message


def test_a_corrupt_model_file_names_the_file_and_the_command(tmp_path: Path) -> None:
    corrupt = tmp_path / "blocks.npz"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip file")
    with pytest.raises(ModelFileError) as caught:
        load_model(corrupt, FEATURES)
    assert str(corrupt) in str(caught.value) and "newsdistill train cleaner" in str(caught.value)


def test_the_packaged_model_loads_and_matches_the_features() -> None:
    model = load_model(Path(newsdistill.clean.learned.BLOCK_MODEL), FEATURES)
    assert isinstance(model, TreeModel) and model.names == FEATURES and 0.0 < model.cutoff < 1.0


def test_pages_with_nothing_to_learn_from_end_with_a_reason() -> None:
    for html in ("<html><body></body></html>", "<html><body><script>var a = 1;</script></body></html>"):
        with pytest.raises(newsdistill.SkipInput, match="no article text"):
            newsdistill.process(html, input_kind="html", stages=("decode", "clean"))


@pytest.mark.slow
def test_one_giant_block_and_many_tiny_blocks_are_handled_in_time() -> None:
    sentence = "The flood barrier held through the night, and the town council thanked the volunteers. "
    giant = newsdistill.process(
        f"<html><body><p>{sentence * 5000}</p></body></html>", stages=("decode", "clean")
    )
    assert giant.text.startswith("The flood barrier held") and giant.page_type
    tiny = "".join(f"<div>w{i}</div>" for i in range(60_000))
    started = time.process_time()  # CPU time: a loaded machine stretches wall time, not this
    # A page of tiny link-free words may well hold no article: a reason is as good an answer as a text.
    with contextlib.suppress(newsdistill.SkipInput):
        newsdistill.process(f"<html><body>{tiny}</body></html>", stages=("decode", "clean"), timeout=None)
    assert time.process_time() - started < 30


def _types(article: float) -> np.ndarray:
    """Page-type probabilities with this much on 'article' and the rest on 'listing'."""
    types = np.zeros(len(TRAINED_TYPES))
    types[TRAINED_TYPES.index("article")], types[TRAINED_TYPES.index("listing")] = article, 1 - article
    return types


def test_a_sparse_non_article_page_also_keeps_blocks_near_its_best() -> None:
    """A listing whose cards all score under the cut-off keeps those near the page's best block."""
    probability = np.array([0.45, 0.3, 0.05, 0.46, 0.1])
    words = np.full(5, 20)
    keep = above_cutoff(probability, 0.5, words, _types(0.1))
    assert keep.tolist() == [True, True, False, True, False]
    assert SPARSE_SHARE * 0.46 <= 0.3  # the second card is kept by the share, not the cut-off


def test_articles_and_pages_with_enough_kept_text_keep_the_cut_off() -> None:
    probability = np.array([0.9, 0.45, 0.3])
    short = np.full(3, 20)
    assert above_cutoff(probability, 0.5, short, _types(0.9)).tolist() == [True, False, False]
    plenty = np.array([SPARSE_WORDS, 20, 20])
    assert above_cutoff(probability, 0.5, plenty, _types(0.1)).tolist() == [True, False, False]
    assert above_cutoff(probability[:0], 0.5, short[:0], _types(0.1)).tolist() == []


def test_a_non_article_page_on_which_no_block_reads_as_content_has_none() -> None:
    under, over = np.array([0.1, EMPTY_BELOW - 0.01]), np.array([0.1, EMPTY_BELOW])
    assert no_main_content(under, _types(0.1))
    assert not no_main_content(over, _types(0.1))
    assert no_main_content(under[:0], _types(0.1))
    # An article keeps the rules' fallback however low its blocks score; so does a page of unknown type.
    assert not no_main_content(under, _types(0.9))
    assert not no_main_content(under, None)


def test_a_repeated_block_is_kept_once_as_its_likeliest_copy() -> None:
    long = " ".join(f"word{i}" for i in range(REPEAT_WORDS[True]))
    texts = [long, "View profile", long.upper() + ".", "View profile", "Something else entirely"]
    words = np.array([len(t.split()) for t in texts])
    probability = np.array([0.6, 0.2, 0.9, 0.2, 0.7])
    # the same words in another case and with a full stop are a copy; the surer copy (P 0.9) stays
    assert repeated_copies([normalise(t) for t in texts], words, probability, _types(0.9)).tolist() == [
        True,
        False,
        False,
        False,
        False,
    ]
    # short repeats are content on any page (a listing's buttons, a table's cells) ...
    assert not repeated_copies([normalise(t) for t in texts], words, probability, _types(0.1))[3]
    # ... and on a non-article page a repeat of REPEAT_WORDS[False] words already is a copy
    short = texts[1] + " " + " ".join(["again"] * REPEAT_WORDS[False])
    texts[1] = texts[3] = short
    words = np.array([len(t.split()) for t in texts])
    assert repeated_copies([normalise(t) for t in texts], words, probability, _types(0.1))[3]
    assert not repeated_copies([normalise(t) for t in texts], words, probability, _types(0.9))[3]


def test_a_body_printed_twice_comes_out_once_with_the_copy_removed_as_a_duplicate() -> None:
    paragraph = (
        "The council voted on Tuesday night to close the old harbour bridge for two years of repairs, after "
        "engineers found cracks in three of its five supporting piers during the spring inspection."
    )
    second = (
        "Drivers will use the ring road instead, which adds about ten minutes to a crossing at rush hour."
    )
    body = f"<h1>Harbour bridge to close for repairs</h1><p>{paragraph}</p><p>{second}</p>"
    page = f"<html><body><main><article>{body}</article></main><div class='mobile'>{body}</div></body></html>"
    article = newsdistill.process(page, stages=("decode", "clean"))  # type: ignore[arg-type]
    assert article.text.count(paragraph) == 1
    assert article.text.count(second) == 2  # under REPEAT_WORDS on an article page: a repeat may be content
    assert any(r.reason == "duplicate" and paragraph in r.text for r in article.removed)


def test_a_stricter_mode_keeps_a_subset_on_a_sparse_page() -> None:
    """Balanced keeps enough words at its cut-off, so the page is not sparse for any mode: precision's
    stricter cut-off must not make it sparse and bring back blocks balanced dropped."""
    probability = np.array([0.65, 0.62, 0.45, 0.3])
    words = np.array([SPARSE_WORDS // 2, SPARSE_WORDS // 2, 50, 50])
    balanced = above_cutoff(probability, 0.6, words, _types(0.1))
    precision = above_cutoff(probability, 0.75, words, _types(0.1), base=0.6)
    recall = above_cutoff(probability, 0.45, words, _types(0.1), base=0.6)
    assert balanced.tolist() == [True, True, False, False]
    assert not (precision & ~balanced).any()
    assert not (balanced & ~recall).any()


def test_seeded_runs_keep_a_doubtful_run_only_where_it_holds_a_sure_row() -> None:
    """Hysteresis: 0.5 next to 0.8 is kept with it; 0.5 and 0.6 among chrome (under 0.35) are not."""
    probability = np.array([0.1, 0.5, 0.8, 0.4, 0.2, 0.5, 0.6, 0.1, 0.9])
    kept = seeded_runs(probability, seed=0.75, extend=0.35)
    assert kept.tolist() == [False, True, True, True, False, False, False, False, True]
    # With extend at the seed it is the plain cut-off, and a stricter pair keeps a subset.
    np.testing.assert_array_equal(seeded_runs(probability, 0.75, 0.75), probability >= 0.75)
    assert not (seeded_runs(probability, 0.9, 0.5) & ~kept).any()
    assert seeded_runs(np.zeros(0), 0.75, 0.35).tolist() == []


def test_a_model_file_keeps_its_extend_cut_off_and_older_files_read_without_one(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pages, data = _coin_toss_pages(20, 2)
    models: list[TreeModel] = []
    out_of_fold(data, site_folds(pages), seed=0, models=models)
    model = replace(models[0], cutoff=0.7, extend_cutoff=0.4)
    save_model(model, tmp_path / "with.npz")
    save_model(replace(model, extend_cutoff=None), tmp_path / "without.npz")
    assert load_model(tmp_path / "with.npz", FEATURES).extend_cutoff == 0.4
    assert load_model(tmp_path / "without.npz", FEATURES).extend_cutoff is None
