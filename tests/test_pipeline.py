"""The pipeline: batches, per-page isolation of failures and time limits."""

from __future__ import annotations

import time

from newsdistill import Article, Pipeline, RawDocument, SkipInput


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
