"""The shipped near-copy rule on the copies issue 14 found it missing: truncated copies with links and
captions inserted, in the batch rule and in a real SQLite store; and distinct reports it must not join."""

from __future__ import annotations

from pathlib import Path

from newsdistill import neardup
from newsdistill.corpus.store import Store
from newsdistill.model import Article

SUBJECTS = ["council", "harbour", "budget", "mayor", "bridge", "storm", "river", "school", "court", "nurse"]
ORIGINAL = "\n".join(
    f"The {SUBJECTS[n]} report number {n} said that {SUBJECTS[(n + 3) % 10]} plans for {1990 + n} were "
    f"changed after {SUBJECTS[(n + 7) % 10]} officials met on day {n * 3} to discuss item {n * 11}."
    for n in range(10)
)
INSERTED = ["See also: Ten best beaches", "Photo: the scene on Monday", "Share this article"]


def truncated_copy_with_inserts() -> str:
    """The first four of ten paragraphs, a short line between every two, and site chrome around."""
    paragraphs = ORIGINAL.split("\n")[:4]
    lines = ["Home | World | Sport"]
    for paragraph, inserted in zip(paragraphs, [*INSERTED, ""], strict=True):
        lines += [paragraph, inserted] if inserted else [paragraph]
    return "\n".join([*lines, "Sign up for our newsletter"])


def test_a_truncated_copy_with_inserted_lines_is_a_copy() -> None:
    original, copy = neardup.signature(ORIGINAL), neardup.signature(truncated_copy_with_inserts())
    assert neardup.similarity(original, copy) < 0.5  # Jaccard alone would miss it
    assert neardup.duplicate_of(["a", "b"], [original, copy]) == {"b": "a"}


def test_a_distinct_report_of_the_same_event_is_not_a_copy() -> None:
    rewritten = "\n".join(
        line.replace("said that", "reported that").replace("were changed", "had been altered")
        for line in ORIGINAL.split("\n")
    )
    assert neardup.duplicate_of(["a", "b"], [neardup.signature(ORIGINAL), neardup.signature(rewritten)]) == {}


def test_a_short_excerpt_of_a_long_article_is_not_a_copy() -> None:
    """One sentence quoted from a ten-paragraph article: contained, but far under the Jaccard floor."""
    excerpt = ORIGINAL.split("\n")[2]
    assert neardup.duplicate_of(["a", "b"], [neardup.signature(ORIGINAL), neardup.signature(excerpt)]) == {}


def test_signatures_without_their_size_fall_back_to_jaccard() -> None:
    """Outputs written before the size was appended still compare (Jaccard only)."""
    original, copy = neardup.signature(ORIGINAL), neardup.signature(truncated_copy_with_inserts())
    assert neardup.containment(original[:-1], copy) is None
    assert not neardup.is_copy(original[: neardup.NUM_PERM], copy[: neardup.NUM_PERM])


def test_the_store_links_the_truncated_copy(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    with store.transaction():
        first = store.add("in1", "h1", Article(title="Report", text=ORIGINAL))
        copy = store.add("in2", "h2", Article(title="Report", text=truncated_copy_with_inserts()))
    assert copy.status == "stored" and copy.copy_of == first.article_id
    store.close()
