"""duplicate_of over a whole run gives what the corpus store gives, article by article."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdistill.corpus.store import Store
from newsdistill.model import Article
from newsdistill.neardup import NUM_PERM, band_rows, duplicate_of, group_bands, signature

PARAGRAPHS = [
    " ".join(
        f"{word}{n}"
        for word in (
            "council",
            "harbour",
            "budget",
            "vote",
            "mayor",
            "bridge",
            "storm",
            "river",
            "school",
            "market",
            "court",
            "police",
            "festival",
            "nurse",
            "driver",
            "rent",
            "museum",
            "park",
            "tax",
            "farmer",
        )[n % 7 :]
    )
    for n in range(8)
]


def test_an_article_like_two_originals_does_not_merge_them() -> None:
    rng = np.random.default_rng(1)
    a, b = (
        rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64),
        rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64),
    )
    c = np.concatenate([a[: NUM_PERM // 2], b[NUM_PERM // 2 :]])  # half like a, half like b; a and b unlike
    assert duplicate_of(["a", "b", "c"], [a, b, c]) == {
        "c": "a"
    }  # connected components would make b a copy too


def test_a_copy_of_a_copy_points_at_the_original() -> None:
    original = signature(" ".join(PARAGRAPHS[:4]))
    copy = signature(" ".join(PARAGRAPHS[:4]) + " see also other news")
    copy_of_copy = signature(" ".join(PARAGRAPHS[:4]) + " see also other news today")
    assert duplicate_of(["x", "y", "z"], [original, copy, copy_of_copy]) == {"y": "x", "z": "x"}


def test_many_empty_pages_cost_one_comparison_each() -> None:
    empty = signature("")
    copies = duplicate_of([str(i) for i in range(3000)], [empty] * 3000)
    assert len(copies) == 2999 and set(copies.values()) == {"0"}


def test_bands_group_only_shared_keys() -> None:
    sigs = [signature(PARAGRAPHS[0]), signature(PARAGRAPHS[0]), signature(PARAGRAPHS[5])]
    groups = group_bands(band_rows(sigs))
    assert groups and all(g == [0, 1] for g in groups)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.integers(0, len(PARAGRAPHS) - 1), min_size=1, max_size=5), min_size=2, max_size=14)
)
def test_batch_duplicate_of_equals_the_store_on_the_same_articles(picks: list[list[int]]) -> None:
    texts = [" ".join(PARAGRAPHS[i] for i in pick) for pick in picks]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "corpus.db")
        stored: dict[int, int] = {}  # store article id -> input position
        with store.transaction():
            for position, text in enumerate(texts):
                result = store.add(f"in{position}", f"hash{position}", Article(text=text))
                if result.status == "stored":
                    stored[result.article_id] = position
        rows = store.db.execute("SELECT id, duplicate_of FROM articles").fetchall()
        store.db.close()
    from_store = {stored[r["id"]]: stored[r["duplicate_of"]] for r in rows if r["duplicate_of"] is not None}
    batch = duplicate_of([str(i) for i in range(len(texts))], [signature(t) for t in texts])
    # Exact repeats are not stored again by the store; every stored article must agree.
    assert {int(k): int(v) for k, v in batch.items() if int(k) in stored.values()} == from_store
