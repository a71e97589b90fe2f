"""Scale benchmark: the pipeline over generated WARC files, local engine on 1 and 2 workers and
Ray Data (2 actors) on the same input.

    python benchmarks/scale.py [--pages 1000,10000] [--stages decode,clean] [--no-ray]

WARC.gz files of N pages are generated from the shared AEB and WCXB HTML (every record gets its
own outlet host and URL; pages repeat when N exceeds the 1,678 pages of the set, which also
exercises duplicate_of) into a temporary folder that is deleted afterwards. Reported per run:
wall time and pages/s (reading, the map, writing Parquet shards and the duplicate_of reduce
included), scaling of 2 workers over 1, Ray's time against the local engine with the same
workers, CPU time per page (driver and workers, from /proc: unlike wall time it does not depend
on what else the machine runs), the peak resident memory of one worker process, and the load
average when the run ended (other work on the machine lowers pages/s).
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdistill.scale.engine import run

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OUTLETS = [
    "daily-courier",
    "evening-post",
    "city-times",
    "the-ledger",
    "metro-news",
    "coast-herald",
    "valley-voice",
]


def make_warc(path: Path, pages: int) -> None:
    sources = sorted((DATA / "aeb" / "html").glob("*.html.gz")) + sorted(
        (DATA / "wcxb-dev" / "dev" / "html").glob("*.html.gz")
    )
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for number in range(pages):
            source = sources[number % len(sources)]
            body = gzip.decompress(source.read_bytes())
            outlet, year, slug = OUTLETS[number % len(OUTLETS)], 2024 - number % 5, source.name.split(".")[0]
            url = f"https://www.{outlet}.example/{year}/{slug}-{number}"
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )


class WorkerMemory:
    """Peak RSS of worker processes, sampled from /proc: pool children of this process, or Ray actors."""

    def __init__(self, include_self: bool = False, ray: bool = False) -> None:
        self.include_self = include_self
        self.ray = ray  # Ray's actors are not this process's children: only then is all of /proc read
        self.peak: dict[int, int] = {}
        self.cpu: dict[int, float] = {}  # seconds of CPU each worker had used when last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def worker_cpu(self) -> float:
        return sum(cpu for pid, cpu in self.cpu.items() if pid != os.getpid())

    @property
    def max_mb(self) -> float:
        return max(self.peak.values(), default=0) / 1024

    def _sample(self) -> None:
        # Reading every process's files five times a second showed in a tenth of a profile's samples; the
        # local engine's workers are this process and its children, so only those are read.
        me = os.getpid()
        while not self._stop.wait(0.2):
            for pid in self._candidates(me):
                self._record(pid, me)

    def _candidates(self, me: int) -> list[int]:
        if self.ray:
            return [int(pid) for pid in os.listdir("/proc") if pid.isdigit()]
        children = [me]
        for task in os.listdir(f"/proc/{me}/task"):
            try:
                children += [int(pid) for pid in Path(f"/proc/{me}/task/{task}/children").read_text().split()]
            except OSError:  # a thread that ended, or a kernel without the children file
                continue
        return children

    def _record(self, pid: int, me: int) -> None:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        is_pool_worker = int(fields.get("PPid", "0")) == me
        is_ray_actor = cmdline.startswith(b"ray::") and (
            b"PipelineActor" in cmdline or b"MapWorker" in cmdline
        )
        in_process = self.include_self and pid == me  # one local worker runs in this process
        if (is_pool_worker or is_ray_actor or in_process) and "VmRSS" in fields:
            rss = int(fields["VmRSS"].split()[0])
            self.peak[pid] = max(self.peak.get(pid, 0), rss)
            self.cpu[pid] = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def measure(warc: Path, out: Path, engine: str, workers: int, stages: list[str]) -> dict[str, float]:
    with WorkerMemory(include_self=engine == "local" and workers == 1, ray=engine == "ray") as memory:
        started, before = time.perf_counter(), os.times()
        summary = run(
            [str(warc)], out, fmt="parquet", engine=engine, workers=workers, stages=stages, shard_size=500
        )
        seconds, after = time.perf_counter() - started, os.times()
    pages = summary.processed + len(summary.skipped)
    driver_cpu = after.user - before.user + after.system - before.system
    return {
        "seconds": seconds,
        "rate": pages / seconds,
        "memory": memory.max_mb,
        "duplicates": summary.duplicates,
        "skipped": len(summary.skipped),
        "cpu_ms": 1000 * (driver_cpu + memory.worker_cpu) / pages,
        "load": os.getloadavg()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", default="1000,10000")
    parser.add_argument("--stages", default="decode,clean")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    if not (DATA / "aeb").exists():
        print(f"benchmark data not found under {DATA}: ../shared/data is needed", file=sys.stderr)
        return 2
    stages = args.stages.split(",")
    print(f"stages: {args.stages}; {os.cpu_count()} cores; Parquet shards of 500 pages")
    print(
        "| pages | engine | workers | seconds | pages/s | pages/s per worker | vs 1 worker "
        "| vs local, same workers | CPU ms per page | peak RSS per worker | near-duplicates | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for pages in (int(p) for p in args.pages.split(",")):
            warc = Path(tmp) / f"bench-{pages}.warc.gz"
            make_warc(warc, pages)
            runs = [("local", 1), ("local", 2)] + ([] if args.no_ray else [("ray", 2)])
            results: dict[tuple[str, int], dict[str, float]] = {}
            for engine, workers in runs:
                result = results[engine, workers] = measure(
                    warc, Path(tmp) / f"{engine}{workers}-{pages}", engine, workers, stages
                )
                scaling = result["rate"] / results["local", 1]["rate"]
                versus = (
                    f"{results['local', workers]['seconds'] / result['seconds']:.2f}x"
                    if engine == "ray"
                    else ""
                )
                print(
                    f"| {pages:,} | {engine} | {workers} | {result['seconds']:.1f} | {result['rate']:.1f} "
                    f"| {result['rate'] / workers:.1f} | {scaling:.2f}x | {versus} | {result['cpu_ms']:.1f} "
                    f"| {result['memory']:.0f} MB | {result['duplicates']:.0f} | {result['load']:.1f} |",
                    flush=True,
                )
    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the driver (this process): {driver:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
