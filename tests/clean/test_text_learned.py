"""The learned text-mode line classifier: labels, features, leak-free folds, the model file, training."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from selectolax.lexbor import LexborHTMLParser

import newsdistill
from newsdistill.clean.classify import MODES, score_blocks
from newsdistill.clean.component import clean_text
from newsdistill.clean.html_blocks import html_to_blocks
from newsdistill.clean.learned import OWN as HTML_OWN
from newsdistill.clean.learned import block_matrix, gaps_to, window_share
from newsdistill.clean.text_blocks import text_to_blocks
from newsdistill.clean.text_learned import (
    FEATURES,
    OWN,
    TEXT_MODEL,
    load_text_model,
    text_block_matrix,
    text_rule_page,
)
from newsdistill.clean.text_training import (
    TextPageData,
    one_copy_labels,
    out_of_fold,
    short_copies,
    text_page_data,
)
from newsdistill.clean.training import GoldPage, block_labels, site_folds
from newsdistill.errors import ModelFileError
from newsdistill.model import RawDocument
from newsdistill.stages import build_pipeline

PROSE = [
    "The river burst its banks on Sunday night, flooding more than two hundred homes in the valley.",
    "Rescue teams worked through the night, and the mayor said that nobody had been hurt in the flood.",
    "The council will meet on Tuesday to decide how to pay for the repairs to the old stone bridge.",
]
GOLD = "\n".join(PROSE)
PAGE = "\n".join(["Home", "News", "Sport", "", *(p + "\n" for p in PROSE), "Copyright 2024 Valley Times"])


def test_lines_are_labelled_by_their_overlap_with_the_gold_text() -> None:
    blocks = text_to_blocks(PAGE)
    labels = dict(zip([b.text for b in blocks], block_labels(blocks, GOLD).tolist(), strict=True))
    assert labels == {
        "Home": 0,
        "News": 0,
        "Sport": 0,
        **dict.fromkeys(PROSE, 1),
        "Copyright 2024 Valley Times": 0,
    }


def test_a_repeated_line_is_labelled_to_keep_only_as_often_as_the_gold_holds_it() -> None:
    caption = "A woman walks past the damaged town hall on Sunday morning after the flood"
    blocks = text_to_blocks("\n\n".join([caption, PROSE[0], caption, PROSE[1], caption]))
    once = one_copy_labels(blocks, np.ones(len(blocks), dtype=np.int8), f"{caption}\n{GOLD}")
    assert once.tolist() == [1, 1, 0, 1, 0]  # the first copy (the rules kept none of them)
    twice = one_copy_labels(blocks, np.ones(len(blocks), dtype=np.int8), f"{caption}\n{GOLD}\n{caption}")
    assert twice.tolist() == [1, 1, 1, 1, 0]


def test_short_copies_hold_the_gold_alone_and_between_the_chrome_next_to_the_body() -> None:
    page = GoldPage("wcxb", "p", "site.example", GOLD, "article", Path("-"))
    chrome = [f"Menu item {i}" for i in range(8)]
    lines = text_page_data(
        "\n".join([*chrome, "", *(p + "\n" for p in PROSE), "About us", "Contact us"]), GOLD
    )
    alone, framed = short_copies(page, lines)
    assert alone.texts == PROSE and alone.y.tolist() == [1, 1, 1]
    assert framed.texts == [*chrome[-6:], *PROSE, "About us", "Contact us"]
    assert framed.y.tolist() == [0] * 6 + [1, 1, 1] + [0, 0]
    full_weight = dict(zip(lines.texts, lines.weight, strict=True))  # the page itself is not weighed down
    np.testing.assert_allclose(framed.weight, [0.3 * full_weight[t] for t in framed.texts])


def test_line_features_carry_the_rules_decisions_as_columns() -> None:
    page = text_rule_page(PAGE, MODES["balanced"])
    x = text_block_matrix(page.blocks, page.region)
    assert x.shape == (len(page.blocks), len(FEATURES))
    assert x[:, OWN.index("rule_keep")].tolist() == [float(b.keep) for b in page.blocks]
    footer = [b.text for b in page.blocks].index("Copyright 2024 Valley Times")
    assert x[footer, OWN.index(f"reason_{page.blocks[footer].reason}")] == 1.0
    assert text_block_matrix([], set()).shape == (0, len(FEATURES))


def test_window_shares_count_the_lines_either_side_and_fewer_at_the_ends() -> None:
    marks = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(window_share(marks, 1), [1 / 2, 1 / 3, 0.0, 1 / 3, 2 / 3, 1.0])
    np.testing.assert_allclose(window_share(marks, 10), np.full(6, 0.5))


def test_lines_from_measures_the_gap_to_the_last_and_next_marked_line() -> None:
    since, until = gaps_to(np.array([False, True, False, False, True, False]))
    assert np.expm1(since).round().tolist() == [6, 0, 1, 2, 0, 1]  # 6: none before, the page's length
    assert np.expm1(until).round().tolist() == [1, 0, 2, 1, 0, 6]


def test_lines_after_a_comment_heading_are_marked_as_such() -> None:
    """The comment thread's lines read like prose; the spans say they sit after its heading."""
    thread = ["3 Comments", "John Smith says:", "I think the council should have acted years ago on this."]
    page = text_rule_page("\n\n".join([*PROSE, *thread]), MODES["balanced"])
    x = text_block_matrix(page.blocks, page.region)
    texts = [b.text for b in page.blocks]
    after = x[:, FEATURES.index("after_end_marker")]
    assert after[texts.index(PROSE[-1])] == 0.0 and after[texts.index(thread[-1])] == 1.0
    first_comment = x[:, FEATURES.index("after_first_comment")]
    assert first_comment[texts.index(PROSE[0])] == 0.0 and first_comment[texts.index(thread[-1])] == 1.0


def test_text_and_html_features_agree_on_the_same_paragraphs() -> None:
    """A paragraph's own wording gives the same numbers whether it came as a line or as a <p>."""
    html = "<html><body>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</body></html>"
    html_blocks = html_to_blocks(LexborHTMLParser(html))
    text_blocks = text_to_blocks("\n\n".join(PROSE))
    for blocks in (html_blocks, text_blocks):
        score_blocks(blocks, MODES["balanced"])
    html_x = block_matrix(html_blocks, set(range(3)))
    text_x = text_block_matrix(text_blocks, set(range(3)))
    for name in ("log_words", "log_chars", "stop", "terminal", "ellipsis", "punct", "rule_score", "english"):
        np.testing.assert_allclose(text_x[:, OWN.index(name)], html_x[:, HTML_OWN.index(name)], err_msg=name)


@pytest.mark.slow
def test_out_of_fold_scores_never_come_from_a_model_that_saw_the_page() -> None:
    """Each page's label is a coin toss only its own id explains: a model that saw the page learns it, one
    that did not is at chance. Out-of-fold accuracy must look like chance."""
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(1)
    n_pages, per_page = 60, 60
    data = []
    for page in range(n_pages):
        x = np.zeros((per_page, len(FEATURES)), dtype=np.float32)
        x[:, 0] = page
        label = np.full(per_page, rng.integers(0, 2), dtype=np.int8)
        no = np.zeros(per_page, bool)
        data.append(TextPageData(x, label, np.ones(per_page), [""] * per_page, no, no))
    pages = [GoldPage("wcxb", f"p{i}", f"site{i}.example", "", "article", Path("-")) for i in range(n_pages)]
    probabilities, _ = out_of_fold(data, site_folds(pages), seed=0)
    accuracy = np.mean(
        [((p >= 0.5) == d.y.astype(bool)).mean() for p, d in zip(probabilities, data, strict=True)]
    )
    assert accuracy < 0.75


def test_a_missing_model_file_names_the_file_and_the_command(tmp_path: Path) -> None:
    missing = tmp_path / "text_blocks.npz"
    with pytest.raises(ModelFileError) as caught:
        clean_text(newsdistill.Article(input_kind="text"), PAGE, MODES["balanced"], model=missing)
    message = str(caught.value)
    assert str(missing) in message and "is missing" in message
    assert "newsdistill train text-cleaner --data" in message


def test_a_corrupt_model_file_names_the_file_and_the_command(tmp_path: Path) -> None:
    corrupt = tmp_path / "text_blocks.npz"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip file")
    with pytest.raises(ModelFileError) as caught:
        load_text_model(corrupt)
    assert str(corrupt) in str(caught.value) and "newsdistill train text-cleaner" in str(caught.value)


def test_text_pages_are_cleaned_by_the_shipped_line_model() -> None:
    """The shipped model beat the rules out of fold (RESULTS.md): the learned path is text mode's default."""
    assert TEXT_MODEL.is_file(), "run: newsdistill train text-cleaner --data ../shared/data"
    assert build_pipeline(("decode", "clean")).components[-1].text_model == TEXT_MODEL  # type: ignore[attr-defined]
    article = build_pipeline(("decode", "clean"))(RawDocument(id="page", data=PAGE, input_kind="text"))
    assert article.text.endswith("\n\n".join(PROSE))
    assert {r.text for r in article.removed} >= {"Home", "News", "Copyright 2024 Valley Times"}


@pytest.mark.xfail(
    strict=True,
    reason="known miss since the seeded-runs decoding (RESULTS.md, stop 36): a doubtful menu line (P 0.50) "
    "right before the body joins the body's run; out of fold the decoding gains AEB 0.923 -> 0.936",
)
def test_a_doubtful_menu_line_right_before_the_body_stays_out() -> None:
    article = build_pipeline(("decode", "clean"))(RawDocument(id="page", data=PAGE, input_kind="text"))
    assert article.text == "\n\n".join(PROSE)


def test_text_that_is_already_clean_keeps_every_paragraph() -> None:
    """Users also pass article text with no chrome around it; the model trains on such copies of its pages."""
    short = [
        "The city council approved the new budget on Monday after a long debate about funding.",
        "Officials said the plan would raise spending on repairs by a third over two years.",
        "Critics argued that the council had not explained where the money would come from.",
    ]
    article = build_pipeline(("decode", "clean"))(
        RawDocument(id="page", data="\n\n".join(short), input_kind="text")
    )
    assert article.text == "\n\n".join(short)


def test_rules_only_text_mode_needs_no_model_file() -> None:
    pipeline = build_pipeline(("decode", "clean"), learned=False)
    article = pipeline(RawDocument(id="page", data=PAGE, input_kind="text"))
    assert article.text == "\n\n".join(PROSE)


def _tiny_data(root: Path) -> None:
    """Six AEB pages and six WCXB-dev pages, each on its own site, with text-mode copies."""
    (root / "aeb").mkdir()
    (root / "wcxb-dev" / "dev" / "ground-truth").mkdir(parents=True)
    (root / "textmode" / "aeb").mkdir(parents=True)
    (root / "textmode" / "wcxb-dev").mkdir(parents=True)
    truth = {}
    for i in range(6):
        truth[f"a{i}"] = {"url": f"https://site-a{i}.example/story", "articleBody": GOLD}
        (root / "textmode" / "aeb" / f"a{i}.txt").write_text(PAGE, encoding="utf-8")
        record = {"url": f"https://site-w{i}.example/story", "ground_truth": {"main_content": GOLD}}
        (root / "wcxb-dev" / "dev" / "ground-truth" / f"w{i}.json").write_text(json.dumps(record))
        (root / "textmode" / "wcxb-dev" / f"w{i}.txt").write_text(PAGE, encoding="utf-8")
    (root / "aeb" / "ground-truth.json").write_text(json.dumps(truth))


@pytest.mark.slow
def test_train_text_cleaner_writes_a_seeded_model_that_loads(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    _tiny_data(tmp_path)
    outputs = []
    for run in ("one", "two"):
        out = tmp_path / run / "text_blocks.npz"
        command = [sys.executable, "-m", "newsdistill.cli", "train", "text-cleaner"]
        done = subprocess.run(
            [*command, "--data", str(tmp_path), "--out", str(out), "--seed", "3"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["pages"] == 12 and report["folds"] == 5 and "learned_out_of_fold" in report
        outputs.append(load_text_model(out))
    np.testing.assert_array_equal(outputs[0].threshold, outputs[1].threshold)
    np.testing.assert_array_equal(outputs[0].value, outputs[1].value)
    article = newsdistill.Article(input_kind="text")
    clean_text(article, PAGE, MODES["balanced"], model=tmp_path / "one" / "text_blocks.npz")
    # The learned path runs end to end (a 12-page model is near constant: the prose is what to check).
    assert all(p in article.text for p in PROSE)
