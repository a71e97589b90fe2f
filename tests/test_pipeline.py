"""The pipeline: batches, per-page isolation of failures and time limits."""

from __future__ import annotations

import time

import pytest

import newsdistill
from newsdistill import Article, Pipeline, RawDocument, SkipInput
from newsdistill.stages import STAGE_FACTORIES


class Upper:
    name = "upper"

    def __call__(self, article: Article) -> Article:
        raw = article.raw
        assert raw is not None
        text = raw.data.decode() if isinstance(raw.data, bytes) else raw.data
        if "boom" in text:
            raise ValueError("exploded")
        if "skip" in text:
            raise SkipInput("asked to skip")
        if "slow" in text:
            time.sleep(5)
        article.text = text.upper()
        return article


def docs(*texts: str) -> list[RawDocument]:
    return [RawDocument(id=str(i), data=text) for i, text in enumerate(texts)]


def test_one_bad_page_does_not_stop_the_batch() -> None:
    results = list(Pipeline([Upper()]).pipe(docs("a", "boom", "skip", "b")))
    assert [r.id for r in results] == ["0", "1", "2", "3"]
    assert [r.article.text if r.article else None for r in results] == ["A", None, None, "B"]
    assert results[1].error == "upper: ValueError: exploded"
    assert results[2].error == "asked to skip"


def test_page_over_the_time_limit_is_skipped() -> None:
    started = time.monotonic()
    results = Pipeline([Upper()], page_timeout=0.5).run_batch(docs("slow", "fine"))
    assert time.monotonic() - started < 3
    assert results[0].error is not None and "0.5 s limit" in results[0].error
    assert results[1].article is not None and results[1].article.text == "FINE"


def test_process_pool_keeps_input_order() -> None:
    texts = [f"page {i}" for i in range(20)]
    results = list(Pipeline([Upper()]).pipe(docs(*texts), batch_size=3, n_process=2))
    assert [r.article.text for r in results if r.article] == [t.upper() for t in texts]


class SlowBatch:
    """A batch-aware stage like spaCy's: the whole batch waits for its slowest page."""

    name = "slow_batch"

    def __call__(self, article: Article) -> Article:
        return self.pipe([article])[0]

    def pipe(self, articles: list[Article]) -> list[Article]:
        texts = [a.raw.data if a.raw else "" for a in articles]
        if any("slow" in str(t) for t in texts):
            time.sleep(30)
        for article, text in zip(articles, texts, strict=True):
            article.text = str(text)
        return articles


def test_time_limit_holds_per_page_whatever_the_batch_size() -> None:
    # One slow page among good ones in one batch costs one page limit, not the limit times the batch size.
    started = time.monotonic()
    results = Pipeline([SlowBatch()], page_timeout=2).run_batch(docs("a", "slow", "b", "c"))
    elapsed = time.monotonic() - started
    assert elapsed < 2 + 1.5, elapsed
    assert [r.article.text if r.article else None for r in results] == ["a", None, "b", "c"]
    assert results[1].error == "slow_batch: took longer than the 2 s limit"


def test_calling_a_pipeline_on_one_page_has_the_time_limit_and_isolation() -> None:
    pipeline = Pipeline([Upper()], page_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(SkipInput, match=r"0\.5 s limit"):
        pipeline(RawDocument(id="x", data="slow"))
    assert time.monotonic() - started < 3
    with pytest.raises(SkipInput, match="upper: ValueError: exploded"):
        pipeline(RawDocument(id="y", data="boom"))


def test_python_api_process_has_a_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(STAGE_FACTORIES, "upper", f"{__name__}:Upper")
    started = time.monotonic()
    with pytest.raises(SkipInput, match=r"0\.5 s limit"):
        newsdistill.process("slow page", stages=["upper"], timeout=0.5)
    assert time.monotonic() - started < 3
    assert newsdistill.process("fine", stages=["upper"]).text == "FINE"


class Enrich(Upper):
    """A stage that only adds to a page, as entities and attribution do."""

    name = "enrich"
    enriches = True


def test_a_stage_that_only_enriches_keeps_the_page_it_fails_on_with_a_warning() -> None:
    results = Pipeline([Enrich()], page_timeout=0.5).run_batch(docs("fine", "slow", "boom", "skip"))
    assert all(r.article is not None and r.error is None for r in results)  # nothing skipped
    assert [r.article.warnings if r.article else None for r in results] == [
        [],
        ["enrich not run: took longer than the 0.5 s limit"],
        ["enrich not run: ValueError: exploded"],
        ["enrich not run: asked to skip"],
    ]
    assert results[0].article is not None and results[0].article.text == "FINE"
    # A stage that makes the page (Upper: decode, clean) still skips it.
    assert Pipeline([Upper()]).run_batch(docs("boom"))[0].error == "upper: ValueError: exploded"
