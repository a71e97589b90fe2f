"""Scale benchmark: the pipeline over generated WARC files, local engine on 1 and 2 workers and
Ray Data on the same input.

    python benchmarks/scale.py [--pages 1000,10000] [--stages decode,clean]

WARC files of N pages are generated from the shared AEB and WCXB HTML (each page gets its
own URL; pages repeat when N exceeds the set), into a temporary folder. Reported: pages/s,
scaling efficiency of 2 workers over 1, the peak memory of one worker, and Ray's overhead
against the local engine with the same number of workers.
"""

from __future__ import annotations

import argparse
import gzip
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdistill.scale.engine import run

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def make_warc(path: Path, pages: int) -> None:
    sources = sorted((DATA / "aeb" / "html").glob("*.html.gz")) + sorted((DATA / "wcxb-dev" / "dev" / "html").glob("*.html.gz"))
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for number in range(pages):
            body = gzip.decompress(sources[number % len(sources)].read_bytes())
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://bench.example/{number}", "response", payload=io.BytesIO(body),
                                               http_headers=headers)
            writer.write_record(record)


def measure(warc: Path, out: Path, engine: str, workers: int, stages: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    summary = run([str(warc)], out, fmt="parquet", engine=engine, workers=workers, stages=stages, shard_size=500)
    seconds = time.perf_counter() - started
    return (summary.processed + len(summary.skipped)) / seconds, summary.processed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="1000,10000")
    parser.add_argument("--stages", default="decode,clean")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    if not (DATA / "aeb").exists():
        print(f"benchmark data not found under {DATA}: ../shared/data is needed", file=sys.stderr)
        return 2
    stages = args.stages.split(",")
    print(f"stages: {args.stages}")
    print("| pages | engine | workers | pages/s | scaling vs 1 worker | vs local engine |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for pages in (int(p) for p in args.pages.split(",")):
            warc = Path(tmp) / f"bench-{pages}.warc.gz"
            make_warc(warc, pages)
            one, _ = measure(warc, Path(tmp) / f"l1-{pages}", "local", 1, stages)
            two, _ = measure(warc, Path(tmp) / f"l2-{pages}", "local", 2, stages)
            print(f"| {pages:,} | local | 1 | {one:.1f} | 1.00 | |", flush=True)
            print(f"| {pages:,} | local | 2 | {two:.1f} | {two / one:.2f} | |", flush=True)
            if not args.no_ray:
                ray_rate, _ = measure(warc, Path(tmp) / f"r2-{pages}", "ray", 2, stages)
                print(f"| {pages:,} | ray | 2 | {ray_rate:.1f} | {ray_rate / one:.2f} | {ray_rate / two:.2f} |", flush=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak memory of one worker process: {children:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
