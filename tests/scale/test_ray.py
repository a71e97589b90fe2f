"""The Ray engine on a real local Ray (2 CPUs, one session for the module): same records as local."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdistill import neardup as dedup
from newsdistill.scale.engine import MANIFEST, run
from newsdistill.scale.writers import read_records

from .synthetic import TOPICS, page, warc_bytes

pytestmark = pytest.mark.ray
ray = pytest.importorskip("ray")
CLEAN = ("decode", "clean")


@pytest.fixture(scope="module", autouse=True)
def ray_session() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def crawl(tmp_path: Path) -> Path:
    records = [(f"https://example.org/{i}", 200, "text/html", page(t).encode()) for i, t in enumerate(TOPICS)]
    records.insert(
        3, ("https://example.org/copy", 200, "text/html", page(TOPICS[1], "<p>See also: more</p>").encode())
    )
    records.insert(5, ("https://example.org/gone", 404, "text/html", b"<p>gone</p>"))
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc_bytes(records))
    return path


def test_ray_and_local_engines_write_identical_shards(
    crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fmt = "parquet"  # JSONL and Parquet shards are compared with each other in test_engine
    from newsdistill.scale import ray_engine

    monkeypatch.setattr(ray_engine, "WINDOW_SHARDS", 2)  # several windows, so several actor pools in turn
    local = run(
        [str(crawl)], tmp_path / "local", fmt=fmt, engine="local", workers=2, stages=CLEAN, shard_size=2
    )
    remote = run([str(crawl)], tmp_path / "ray", fmt=fmt, engine="ray", workers=2, stages=CLEAN, shard_size=2)
    assert (local.processed, local.duplicates, local.skipped) == (
        remote.processed,
        remote.duplicates,
        remote.skipped,
    )
    assert remote.processed == 7 and remote.duplicates == 1
    names = sorted(p.name for p in (tmp_path / "local").glob("part-*"))
    assert names == sorted(p.name for p in (tmp_path / "ray").glob("part-*")) and len(names) == 4
    for name in names:
        assert read_records(tmp_path / "local" / name) == read_records(tmp_path / "ray" / name)
    records = {r["url"]: r for n in names for r in read_records(tmp_path / "ray" / n)}
    assert records["https://example.org/copy"]["duplicate_of"] == records["https://example.org/1"]["id"]
    manifest = [json.loads(line) for line in (tmp_path / "ray" / MANIFEST).read_text().splitlines()]
    assert [s["reason"] for m in manifest for s in m["skipped"]] == ["HTTP status 404"]


def test_ray_shuffle_groups_bands_like_the_local_grouping() -> None:
    from newsdistill.neardup import signature
    from newsdistill.scale.ray_engine import RayEngine

    texts = [page(t) for t in TOPICS] + [page(TOPICS[0]), page(TOPICS[2], "<p>extra</p>"), ""]
    sigs = [signature(t) for t in texts]
    engine = RayEngine(CLEAN, workers=2)  # Ray already running: the engine joins it and leaves it running
    grouped = engine.group_bands(dedup.band_rows(sigs))
    engine.close()
    assert ray.is_initialized()
    expected = dedup.group_bands(dedup.band_rows(sigs))
    assert sorted(map(tuple, grouped)) == sorted(map(tuple, expected)) and expected
