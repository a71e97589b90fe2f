"""Reliability benchmark: hostile inputs by kind, and a bounded loopback load test of the server.

    python benchmarks/reliability.py [--parts hostile,processes,cpu,load] [--articles 100000] [--clients 50]

(a) every kind of hostile input both reliability issues list goes through `newsdistill process`, all
    stages, 2 workers, under `ulimit -v 4000000`, at batch sizes 16 and 4: each must come back processed
    or skipped with one reason, never a traceback, every good page written, in bounded time and memory;
(p) process trouble: kill -9 a worker mid-run, kill -9 the parent, 4 concurrent ingests vs one serial;
(b) a store of N synthetic articles (built once, cached under the temp folder) is served by
    `newsdistill serve` on 127.0.0.1 and hit by C concurrent connections (wrk) for S seconds on
    each route in turn (search, search page, both with filters, the search timeline, story page,
    article page, who-said): requests/s, p50 / p99, errors;
(c) `--parts cpu`: the same store's search routes called in process, one request at a time, with the load
    test's 2,000 paths each: CPU ms per request (mean, p50, p99).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ARTICLES_A_DAY, FIRST_DAY, PEOPLE, SYNTHETIC_OUTLETS, synthetic_article
from newsdistill.corpus.store import Store

GOOD_TEXT = (
    "The council said the bridge would reopen in May after repairs were made to its supports, "
    "according to the city's transport department. "
)


def _jsonl(*records: str) -> bytes:
    return ("\n".join(records) + "\n").encode()


def hostile_inputs(folder: Path) -> dict[str, Path]:
    """Every kind of hostile input of both reliability rounds, one file (or FIFO, or container) each."""
    folder.mkdir(parents=True, exist_ok=True)
    text = GOOD_TEXT * 20
    good = json.dumps({"id": "good", "text": text})
    cases: dict[str, bytes] = {
        "gzip bomb (256 MB of zeros)": gzip.compress(b"\0" * (1 << 28), compresslevel=9),
        "deep nesting (300,000 levels)": (
            "<html><body>" + "<div>" * 300_000 + text + "</div>" * 300_000
        ).encode(),
        "30 MB page": ("<html><body>" + f"<p>{text}</p>" * 17_000 + "</body></html>").encode(),
        "binary (PNG)": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100,
        "empty file": b"",
        "truncated gzip": gzip.compress(text.encode() * 50)[:200],
        "latin-1 declared as UTF-8": f'<meta charset="utf-8"><p>Café {text}</p>'.encode("latin-1"),
        "UTF-16 without BOM": f"<html><body><p>{text}</p></body></html>".encode("utf-16-le"),
        "mojibake": f"<p>The cafÃ© owner said itâ€™s {text}</p>".encode(),
        "regex torture": ("<p>" + "(" * 50_000 + "“" * 20_000 + "a" * 200_000 + "</p>").encode(),
        "JSONL: lone surrogate, then a good page": _jsonl(
            '{"id": "s", "text": "sea \\ud800 wall ' + text + '"}', good
        ),
        "JSONL: 100,000 levels deep, then a good page": _jsonl("[" * 100_000 + "]" * 100_000, good),
        "1.9M-character page": (GOOD_TEXT * 14_000 + "\n\n").encode(),
        "30,000 quotes in 30 KB": (text + '"' * 30_000 + text).encode(),
        '900 KB of "<a "': b"<a " * 300_000,
        'charset "rot13"': f'<html><head><meta charset="rot13"></head><body><p>{text}</p></body>'.encode(),
        "one NUL byte in a good page": f"<html><body><p>{text}\0</p></body></html>".encode(),
        "4,000 quotes in 230 KB of text (a transcript)": _quote_dense(4_000).encode(),
        '"said" 40,000 times (a parse one chain deep)': ("said " * 40_000).encode(),
        "5,000 hard-wrapped lines with no full stop (360 KB)": "\n".join(
            ["and so the meeting went on without any end in sight for the people who"] * 5_000
        ).encode(),
    }
    paths = {}
    for number, (name, data) in enumerate(cases.items()):
        suffix = ".jsonl" if name.startswith("JSONL") else ".bin"
        path = folder / f"case{number:02d}{suffix}"
        path.write_bytes(data)
        paths[name] = path
    return paths | special_inputs(folder, text)


def _quote_dense(quotes: int) -> str:
    """A text made of short quotes, each with its cue: thousands of attributions in one article."""
    words = "tax plan vote border budget deal economy jobs health climate energy trade court".split()
    return " ".join(
        f'"The {words[i % 13]} {words[i * 7 % 13]} will {words[i * 3 % 13]} the {words[i * 5 % 13]} {i}," '
        f"{('Smith', 'Ms. Jones', 'the senator')[i % 3]} said."
        for i in range(quotes)
    )


def special_inputs(folder: Path, text: str) -> dict[str, Path]:
    """Inputs that are not plain files of bytes: a FIFO, a 6 GB sparse file, a name with a newline,
    the same record id in two files."""
    fifo = folder / "fifo.html"
    os.mkfifo(fifo)
    sparse = folder / "six-gigabytes.html"
    with sparse.open("wb") as handle:
        handle.truncate(6 * 1024**3)
    newline = folder / "name\nnewsdistill: skipped forged: line.html"
    newline.write_text(f"<p>{text}</p>")
    first, second = folder / "a.jsonl", folder / "b.jsonl"
    first.write_text(json.dumps({"id": 1, "text": "First article. " + text}) + "\n")
    second.write_text(json.dumps({"id": 1, "text": "Second article, not the first. " + text}) + "\n")
    return {
        "a FIFO given as a path": fifo,
        "6 GB sparse file": sparse,
        "a file name with a newline": newline,
        "same id 1 in a.jsonl ...": first,
        "... and in b.jsonl": second,
    }


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4_000_000 * 1024, 4_000_000 * 1024))  # ulimit -v 4000000


def run_hostile(folder: Path, batch_size: int = 16, workers: int = 2) -> list[str]:
    """The whole hostile set in one `process` run, all stages, under `ulimit -v 4000000`."""
    paths = hostile_inputs(folder)
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdistill.cli",
            "process",
            *map(str, paths.values()),
            "--format",
            "jsonl",
            "--no-progress",
            "--workers",
            str(workers),
            "--batch-size",
            str(batch_size),
        ],
        capture_output=True,
        timeout=1800,
        check=False,
        preexec_fn=limit_memory,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    stderr = result.stderr.decode(errors="replace")
    written = [
        json.loads(line).get("id", "?") for line in result.stdout.decode().splitlines() if line.strip()
    ]
    rows = [f"| {name} | {_outcome(path, stderr, written)} |" for name, path in paths.items()]
    skips = sum(1 for line in stderr.splitlines() if line.startswith("newsdistill: skipped"))
    rows.append(
        f"| **whole batch** (all stages, batch size {batch_size}, {workers} workers, ulimit -v 4000000) | "
        f"exit status {result.returncode}, {seconds:.0f} s, {len(written)} pages written, {skips} skip "
        f"lines, peak RSS of any process so far {peak_mb:,.0f} MB, traceback: "
        f"{'YES' if 'Traceback' in stderr else 'none'} |"
    )
    return rows


def _outcome(path: Path, stderr: str, written: list[str]) -> str:
    mine = [w for w in written if str(w).startswith(str(path))]
    marker = ascii(str(path))[1:-1] if "\n" in str(path) else str(path)

    def said(kind: str) -> list[str]:
        return [
            line.split(marker, 1)[1].split(": ", 1)[-1]
            for line in stderr.splitlines()
            if line.startswith(f"newsdistill: {kind}") and marker in line
        ]

    parts = [f"{len(mine)} written"] if mine else []
    parts += [f"warning: {w}" for w in said("warning")] + [f"skipped: {r}" for r in said("skipped")]
    return "; ".join(parts) or "NOT REPORTED"


def _pages(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for number in range(count):
        page = folder / f"page{number:04d}.txt"
        page.write_text(f"Report {number}. " + GOOD_TEXT * 12)
        pages.append(page)
    return pages


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _start_process_run(pages: list[Path], out: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "newsdistill.cli",
        "process",
        *map(str, pages),
        "--stages",
        "decode,clean",
        "--format",
        "jsonl",
        "--no-progress",
        "--workers",
        "2",
        "--batch-size",
        "4",
        "-o",
        str(out),
    ]
    return subprocess.Popen(command, stderr=subprocess.PIPE)


def _wait_for_workers(run: subprocess.Popen[bytes]) -> list[int]:
    deadline = time.monotonic() + 60
    while len(workers := _children(run.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # mid-run, not at start-up
    return workers


def run_worker_kill(folder: Path, count: int = 2000) -> str:
    pages = _pages(folder / "pages", count)
    run = _start_process_run(pages, folder / "out.jsonl")
    os.kill(_wait_for_workers(run)[0], signal.SIGKILL)
    _, stderr = run.communicate(timeout=600)
    died = stderr.decode().count("worker died")
    written = len((folder / "out.jsonl").read_text().splitlines())
    return (
        f"| kill -9 one worker mid-run ({count} pages, 2 workers) | exit status {run.returncode}, {written} "
        f"of {count} written, {died} 'worker died' line(s), its batch run again page by page |"
    )


def run_parent_kill(folder: Path) -> str:
    pages = _pages(folder / "pages", 2000)
    run = _start_process_run(pages, folder / "out-parent.jsonl")
    workers = _wait_for_workers(run)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    killed = time.monotonic()
    while (
        any(Path(f"/proc/{w}").exists() and _running(w) for w in workers) and time.monotonic() - killed < 30
    ):
        time.sleep(0.05)
    left = [w for w in workers if Path(f"/proc/{w}").exists() and _running(w)]
    return (
        f"| kill -9 the parent (2 workers) | {len(left)} worker(s) left after "
        f"{time.monotonic() - killed:.1f} s |"
    )


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _store_state(db: Path) -> tuple[set[str], dict[str, str | None], list[tuple[str, list[str]]]]:
    """Stored texts, each input's article, and each article's input statuses. Which of two same-bytes inputs
    under different names is `stored` and which `duplicate` follows who came first, so only the counts
    per article are compared."""
    with sqlite3.connect(db) as connection:
        hashes = {row[0] for row in connection.execute("SELECT content_hash FROM articles")}
        rows = connection.execute(
            "SELECT i.input_id, i.status, a.content_hash FROM inputs i "
            "LEFT JOIN articles a ON a.id = i.article_id"
        ).fetchall()
    statuses: dict[str, list[str]] = {}
    for _, status, content in rows:
        statuses.setdefault(content or "", []).append(status)
    return hashes, {i: c for i, _, c in rows}, sorted((k, sorted(v)) for k, v in statuses.items())


def run_concurrent_ingests(folder: Path, runs: int = 4) -> str:
    """4 ingests at once of overlapping inputs (each a different, overlapping slice, some pages twice over)
    against one serial ingest of the same slices."""
    pages = _pages(folder / "ingest-pages", 60)
    copies = folder / "copies"
    copies.mkdir()
    for page in pages[:15]:  # identical text under another name: stored once, recorded as a duplicate
        (copies / page.name).write_bytes(page.read_bytes())
    slices = [[*map(str, pages[k * 10 : k * 10 + 30]), str(copies)] for k in range(runs)]
    serial = folder / "serial.db"
    for paths in slices:
        _ingest(paths, serial).wait()
    concurrent = folder / "concurrent.db"
    started = [_ingest(paths, concurrent) for paths in slices]
    codes = [run.wait() for run in started]
    same = _store_state(serial) == _store_state(concurrent)
    return (
        f"| {runs} concurrent ingests of overlapping inputs (60 pages, 15 copies) | exit statuses {codes}; "
        f"stored set and input statuses {'identical to' if same else 'DIFFERENT from'} one serial ingest |"
    )


def _ingest(paths: list[str], db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsdistill.cli",
            "ingest",
            *paths,
            "--db",
            str(db),
            "--stages",
            "decode,clean",
            "--no-progress",
        ],
        stderr=subprocess.DEVNULL,
    )


def run_processes(folder: Path) -> list[str]:
    return [
        run_worker_kill(folder / "kill"),
        run_parent_kill(folder / "parent"),
        run_concurrent_ingests(folder / "ingest"),
    ]


# Bumped when synthetic_article changes, so that a cached store of older articles is never served.
STORE_VERSION = "topics-by-day"


def build_store(path: Path, articles: int) -> None:
    rng = random.Random(7)
    store = Store(path)
    for start in range(0, articles, 500):
        with store.transaction():
            for number in range(start, min(articles, start + 500)):
                article = synthetic_article(rng, number)
                store.add(f"a{number}", f"a{number}", article)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def cached_store(articles: int) -> Path:
    """The synthetic store of N articles, kept under the temp folder between runs: 100,000 take minutes."""
    folder = Path(tempfile.gettempdir()) / "newsdistill-bench"
    folder.mkdir(exist_ok=True)
    db = folder / f"load-{articles}-{STORE_VERSION}.db"
    if not db.exists():
        partial = folder / f"load-{articles}-{STORE_VERSION}.partial.db"
        for leftover in folder.glob(partial.name + "*"):  # an interrupted build, with its WAL
            leftover.unlink()
        build_store(partial, articles)
        partial.rename(db)
    return db


async def load(base: str, paths: list[str], clients: int, seconds: float) -> tuple[list[float], int]:
    """The fallback load generator where wrk is missing (Python: it takes CPU from the server)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(http: httpx.AsyncClient, offset: int) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            offset += clients
            started = time.perf_counter()
            try:
                response = await http.get(base + paths[offset % len(paths)])
                errors += response.status_code != 200
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        await asyncio.gather(*(client(http, number) for number in range(clients)))
    return latencies, errors


UNREPEATED = "search page, no query asked twice"


def route_paths(articles: int, stories: list[int], entities: list[int] | None = None) -> dict[str, list[str]]:
    """Per route, 2,000 requests that differ (cycled through), or for UNREPEATED each word of the store
    once: the words, ids and names exist in the store;
    the filtered searches pick an outlet and/or a date range and a sort
    (synthetic_place's outlets and days)."""
    rng = random.Random(3)
    filtered = [_filters(rng, articles) for _ in range(2000)]
    return {
        "search (JSON)": [f"/api/search?q=w{rng.randrange(50, 20000)}" for _ in range(2000)],
        "search page": [f"/?q=w{rng.randrange(50, 20000)}" for _ in range(2000)],
        # every word once (19,950), shuffled: no request is one the server has answered before (the warm-up
        # runs the list backwards, and a run ends before the two meet)
        UNREPEATED: [f"/?q=w{word}" for word in random.Random(4).sample(range(50, 20000), 19950)],
        "search, filtered (JSON)": [f"/api/search?q=w{rng.randrange(50, 20000)}&{f}" for f in filtered],
        "search page, filtered": [f"/?q=w{rng.randrange(50, 20000)}&{f}" for f in filtered],
        "search timeline (JSON)": [
            f"/api/search/timeline?q=w{rng.randrange(50, 20000)}" for _ in range(2000)
        ],
        "article page": [f"/articles/{rng.randrange(1, articles + 1)}" for _ in range(2000)],
        "who-said (JSON)": [f"/api/who-said?name=Person%20{rng.randrange(PEOPLE)}" for _ in range(2000)],
        "start page (stories, chart)": ["/"],
        "entity page (chart, co-speakers)": [f"/entities/{rng.choice(entities or [1])}" for _ in range(2000)],
        # last: a slow story page (a store of one large story) leaves work queued behind it
        "story page": [f"/stories/{rng.choice(stories)}" for _ in range(2000)],
    }


def _filters(rng: random.Random, articles: int) -> str:
    """Query parameters: an outlet, a date range of 1 to 90 days, or both; and a sort."""
    last_day = max(0, (articles - 1) // ARTICLES_A_DAY)
    start = rng.randint(0, last_day)
    since = FIRST_DAY + timedelta(days=start)
    until = since + timedelta(days=rng.randint(0, 89))
    dates = f"since={since.isoformat()}&until={until.isoformat()}"
    outlet = f"outlet=Outlet%20{rng.randrange(SYNTHETIC_OUTLETS)}"
    chosen = rng.choice([outlet, dates, f"{outlet}&{dates}"])
    return f"{chosen}&sort={rng.choice(['relevance', 'newest', 'oldest'])}"


def entity_ids(db: Path) -> list[int]:
    return _first_ids(db, "entities")


def story_ids(db: Path) -> list[int]:
    return _first_ids(db, "stories")


def _first_ids(db: Path, table: str) -> list[int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return [int(row[0]) for row in connection.execute(f"SELECT id FROM {table} ORDER BY id LIMIT 10000")]


WRK_SCRIPT = """
paths = {PATHS}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1])
end
"""


def wrk_load(base: str, paths: list[str], clients: int, seconds: float, folder: Path) -> dict[str, str]:
    """wrk (C, one thread) as the load generator: it leaves the server most of the machine."""
    script = folder / "paths.lua"
    script.write_text(WRK_SCRIPT.replace("PATHS", ",".join(f'"{p}"' for p in paths)))
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{int(seconds)}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    out = result.stdout
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr.strip()}")

    def find(pattern: str) -> str:
        found = re.search(pattern, out)
        return found.group(1) if found else "?"

    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    bad += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {
        "rate": find(r"Requests/sec:\s+([\d.]+)"),
        "p50": find(r"50%\s+([\d.]+\w+)"),
        "p99": find(r"99%\s+([\d.]+\w+)"),
        "errors": f"{bad} of " + find(r"(\d+) requests in"),
    }


def python_load(base: str, paths: list[str], clients: int, seconds: float, _: Path) -> dict[str, str]:
    latencies, errors = asyncio.run(load(base, paths, clients, seconds))
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return {
        "rate": f"{len(latencies) / seconds:.0f}",
        "p50": f"{1000 * statistics.median(latencies or [0]):.0f}ms",
        "p99": f"{1000 * p99:.0f}ms",
        "errors": f"{errors} of {len(latencies)}",
    }


def start_server(db: Path, workers: int | None) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "newsdistill.cli", "serve", "--db", str(db), "--port", str(port)]
    server = subprocess.Popen(command + (["--workers", str(workers)] if workers else []))
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/api/articles/1", timeout=1)  # cheap: a story list may be slow
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    return server, base


def run_load(
    folder: Path,
    articles: int,
    clients: int,
    seconds: float,
    workers: int | None,
    warmup: float = 5,
    routes: Sequence[str] = (),
) -> list[str]:
    """One run per route, each on its own: p50 / p99 are that route's. Each route is first run for
    `warmup` seconds, not counted: the first requests read the store from disk into the page cache."""
    db = cached_store(articles)
    server, base = start_server(db, workers)
    rows = []
    try:
        for route, paths in route_paths(articles, story_ids(db), entity_ids(db)).items():
            if routes and route not in routes:
                continue
            measure = wrk_load if shutil.which("wrk") else python_load
            if warmup:
                measure(base, paths[::-1] if route == UNREPEATED else paths, clients, warmup, folder)
            result = measure(base, paths, clients, seconds, folder)
            rows.append(
                f"| {route} | {articles:,} articles, {clients} connections, {seconds:.0f} s "
                f"({'wrk' if shutil.which('wrk') else 'httpx'}) | {result['rate']} requests/s | "
                f"p50 {result['p50']} | p99 {result['p99']} | errors {result['errors']} |"
            )
            print(rows[-1], flush=True)
    finally:
        stop_server(server)
    return rows


CPU_ROUTES = ("search (JSON)", "search page", "search, filtered (JSON)", "search page, filtered")


def cpu_paths(articles: int) -> dict[str, list[str]]:
    """The load test's own search paths, and its timeline paths as JSON and as CSV."""
    paths = route_paths(articles, [1])
    found = {route: paths[route] for route in CPU_ROUTES}
    found["search timeline (JSON)"] = paths["search timeline (JSON)"]
    found["search timeline (CSV)"] = [p + "&format=csv" for p in paths["search timeline (JSON)"]]
    return found


def run_cpu(articles: int) -> list[str]:
    """CPU per request in process (time.process_time around each TestClient call, one at a time): what a
    route's code costs, apart from the machine's load and the HTTP server."""
    from fastapi.testclient import TestClient

    from newsdistill.web.app import create_app

    rows = []
    with TestClient(create_app(cached_store(articles)), base_url="http://127.0.0.1") as client:
        for route, paths in cpu_paths(articles).items():
            spent = []
            for path in paths:
                started = time.process_time()
                response = client.get(path)
                spent.append((time.process_time() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code}")
            spent.sort()
            rows.append(
                f"| {route} | {statistics.fmean(spent):.1f} ms | {spent[len(spent) // 2]:.1f} ms | "
                f"{spent[int(len(spent) * 0.99)]:.1f} ms | {spent[-1]:.1f} ms |"
            )
            print(rows[-1], flush=True)
    return rows


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Terminate, or kill with its workers when requests still queued (a slow route) keep it past 30 s."""
    workers = _children(server.pid)
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        for pid in [*workers, server.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load per route before measuring")
    parser.add_argument("--routes", default="", help="load test: only these routes (names, ';'-separated)")
    parser.add_argument(
        "--workers", type=int, help="server workers (default: serve's own default, the core count)"
    )
    parser.add_argument(
        "--parts", default="hostile,processes,load", help="which measurements to run, comma-separated"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        if "hostile" in parts:
            print("| hostile input | outcome |\n|---|---|")
            for batch_size in (16, 4):
                for row in run_hostile(Path(tmp) / f"batch{batch_size}", batch_size):
                    print(row, flush=True)
        if "processes" in parts:
            print("\n| process trouble | outcome |\n|---|---|")
            for row in run_processes(Path(tmp)):
                print(row, flush=True)
        if "cpu" in parts:
            print("\n| route, in process | mean | p50 | p99 | max |\n|---|---|---|---|---|", flush=True)
            run_cpu(args.articles)
        if "load" in parts:
            print(
                "\n| route | load | throughput | median | p99 | errors |\n|---|---|---|---|---|---|",
                flush=True,
            )
            routes = [r for r in args.routes.split(";") if r]
            run_load(Path(tmp), args.articles, args.clients, args.seconds, args.workers, args.warmup, routes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
