"""Reliability benchmark: hostile inputs by kind, and a bounded loopback load test of the server.

    python benchmarks/reliability.py [--articles 10000] [--clients 50] [--seconds 30]

(a) every kind of hostile input the reliability issue lists goes through `newsdistill process`
    in one batch: each must come back processed or skipped with a reason, never a traceback;
(b) a store of N synthetic articles is served by `newsdistill serve` on 127.0.0.1 and hit by
    C concurrent clients for S seconds on search, article and who-said pages: requests/s,
    p50 / p99 latency and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import synthetic_article
from newsdistill.corpus.store import Store


def hostile_inputs(folder: Path) -> dict[str, Path]:
    text = "The council said the bridge would reopen in May after repairs were made to its supports. " * 20
    cases = {
        "gzip bomb (256 MB of zeros)": gzip.compress(b"\0" * (1 << 28), compresslevel=9),
        "deep nesting (300,000 levels)": ("<html><body>" + "<div>" * 300_000 + text + "</div>" * 300_000).encode(),
        "30 MB page": ("<html><body>" + f"<p>{text}</p>" * 17_000 + "</body></html>").encode(),
        "binary (PNG)": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100,
        "empty file": b"",
        "truncated gzip": gzip.compress(text.encode() * 50)[:200],
        "latin-1 declared as UTF-8": f'<meta charset="utf-8"><p>Café {text}</p>'.encode("latin-1"),
        "UTF-16 without BOM": f"<html><body><p>{text}</p></body></html>".encode("utf-16-le"),
        "mojibake": f"<p>The cafÃ© owner said itâ€™s {text}</p>".encode(),
        "regex torture": ("<p>" + "(" * 50_000 + "“" * 20_000 + "a" * 200_000 + "</p>").encode(),
    }
    paths = {}
    for number, (name, data) in enumerate(cases.items()):
        path = folder / f"case{number:02d}.bin"
        path.write_bytes(data)
        paths[name] = path
    return paths


def run_hostile(folder: Path) -> list[str]:
    paths = hostile_inputs(folder)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "newsdistill.cli", "process", *map(str, paths.values()),
                             "--format", "jsonl", "--stages", "decode,clean", "--no-progress"],
                            capture_output=True, timeout=900, check=False)
    seconds = time.perf_counter() - started
    stderr = result.stderr.decode(errors="replace")
    rows = []
    for name, path in paths.items():
        reason = next((line.split(f"{path}: ", 1)[1] for line in stderr.splitlines() if f"{path}: " in line), None)
        rows.append(f"| {name} | {'skipped: ' + reason if reason else 'processed'} |")
    rows.append(f"| **whole batch** | exit status {result.returncode}, {seconds:.1f} s, "
                f"traceback: {'YES' if 'Traceback' in stderr else 'none'} |")
    return rows


def build_store(path: Path, articles: int) -> None:
    rng = random.Random(7)
    store = Store(path)
    for start in range(0, articles, 500):
        with store.transaction():
            for number in range(start, min(articles, start + 500)):
                store.add(f"a{number}", f"a{number}", synthetic_article(rng, number))
    store.close()


async def load(base: str, clients: int, seconds: float, articles: int) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    rng = random.Random(3)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            path = rng.choice([f"/?q=w{rng.randrange(20000)}", f"/articles/{rng.randrange(1, articles)}",
                               f"/api/search?q=w{rng.randrange(20000)}", f"/api/who-said?name=Person%20{rng.randrange(2000)}"])
            started = time.perf_counter()
            try:
                response = await http.get(base + path)
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, errors, len(latencies)


WRK_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  local kind = counter % 4
  if kind == 0 then return wrk.format("GET", "/?q=w" .. (counter * 7919 % 20000)) end
  if kind == 1 then return wrk.format("GET", "/articles/" .. (counter * 104729 % ARTICLES + 1)) end
  if kind == 2 then return wrk.format("GET", "/api/search?q=w" .. (counter * 31 % 20000)) end
  return wrk.format("GET", "/api/who-said?name=Person%20" .. (counter % 2000))
end
"""


def wrk_load(base: str, clients: int, seconds: float, articles: int, folder: Path) -> str:
    """wrk (C, one thread) as the load generator: it leaves the server most of the machine."""
    script = folder / "paths.lua"
    script.write_text(WRK_SCRIPT.replace("ARTICLES", str(articles - 1)))
    result = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--latency", "-s", str(script), base],
                            capture_output=True, text=True, timeout=seconds + 60, check=False)
    out = result.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    bad += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return (f"| {articles:,} articles, {clients} connections, {seconds:.0f} s (wrk) | "
            f"{rate.group(1) if rate else '?'} requests/s | p50 {p50.group(1) if p50 else '?'} | "
            f"p99 {p99.group(1) if p99 else '?'} | errors {bad} of {total.group(1) if total else '?'} |")


def run_load(folder: Path, articles: int, clients: int, seconds: float) -> list[str]:
    db = folder / "load.db"
    build_store(db, articles)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "newsdistill.cli", "serve", "--db", str(db), "--port", str(port)])
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/api/stories?limit=1", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        if shutil.which("wrk"):
            return [wrk_load(base, clients, seconds, articles, folder)]
        latencies, errors, total = asyncio.run(load(base, clients, seconds, articles))
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return [f"| {articles:,} articles, {clients} clients, {seconds:.0f} s | {total / seconds:.0f} requests/s | "
            f"p50 {1000 * statistics.median(latencies):.0f} ms | p99 {1000 * p99:.0f} ms | errors {errors} of {total} |"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("| hostile input | outcome |\n|---|---|")
        for row in run_hostile(Path(tmp)):
            print(row, flush=True)
        print("\n| load test | throughput | median | p99 | errors |\n|---|---|---|---|---|")
        for row in run_load(Path(tmp), args.articles, args.clients, args.seconds):
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
