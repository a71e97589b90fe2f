"""`serve --workers N` spreads keep-alive connections over its workers (each listens on a socket of its
own), and its workers do not outlive it, even when it is killed with SIGKILL."""

from __future__ import annotations

import contextlib
import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest
from fastapi.testclient import TestClient

from newsdistill.cli import main
from newsdistill.web.app import create_app
from newsdistill.web.server import ConnectionShare, served

from .conftest import free_port
from .test_api import worker_processes

pytestmark = pytest.mark.slow


def start_serve(db: Path, port: int, workers: int, *options: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "newsdistill.cli", "serve", "--db", str(db), "--port", str(port)]
    process = subprocess.Popen([*command, "--workers", str(workers), *options], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/stories", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("serve never answered")


def tcp_sockets() -> list[tuple[int, int, str, str]]:
    """(local port, remote port, state, inode) of every TCP socket, from /proc (states: 01 established,
    0A listening)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
            found.append((local, remote, fields[3], f"socket:[{fields[9]}]"))
    return found


def sockets_on(port: int, state: str) -> set[str]:
    """The socket inodes on local `port` in a TCP `state`."""
    return {inode for local, _, now, inode in tcp_sockets() if local == port and now == state}


def socket_owners(pids: list[int]) -> dict[str, int]:
    """Each socket inode that one of `pids` holds open, with that pid (no tools needed)."""
    owners = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):  # closed meanwhile
                owners[os.readlink(fd)] = pid
    return owners


def established_by_process(port: int, pids: list[int]) -> Counter[int]:
    """How many established connections to `port` each of `pids` holds."""
    owners = socket_owners(pids)
    return Counter(owners[inode] for inode in sockets_on(port, "01") if inode in owners)


def open_together(port: int, count: int) -> list[socket.socket]:
    """`count` connections started at once (non-blocking connects), as a load tool or a pool opens them."""
    clients = [socket.socket() for _ in range(count)]
    for client in clients:
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
    for client in clients:
        select.select([], [client], [], 10)
        client.setblocking(True)
    return clients


def kept_alive(port: int, sock: socket.socket) -> http.client.HTTPConnection:
    """A client on `sock` after one answered request. A worker over its share answers with `Connection:
    close`; http.client then opens another connection on the next request, as a pool does."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    client.sock = sock
    for _ in range(10):
        client.request("GET", "/api/articles/1")
        answer = client.getresponse()
        answer.read()
        if answer.getheader("connection", "") != "close":
            return client
    raise AssertionError("the server closed the connection after every one of 10 requests")


def test_keep_alive_connections_are_spread_over_the_workers(corpus_db: Path) -> None:
    port = free_port()
    process = start_serve(corpus_db, port, workers=2)
    clients: list[http.client.HTTPConnection] = []
    try:
        workers = worker_processes(process.pid)
        assert len(workers) == 2
        deadline = time.monotonic() + 60
        while len(sockets_on(port, "0A")) < 2 and time.monotonic() < deadline:  # both workers listening
            time.sleep(0.1)
        # kept open, as a client's connection pool does
        clients = [kept_alive(port, sock) for sock in open_together(port, 20)]
        held = established_by_process(port, workers)
        assert sum(held.values()) == 20
        assert all(held[pid] >= 1 for pid in workers), held  # one shared socket: mostly 20 to 0
    finally:
        for client in clients:
            client.close()
        process.terminate()
        process.wait(timeout=20)


def test_a_worker_over_its_share_asks_one_client_a_tick_to_reconnect() -> None:
    counts = [30, 20]
    loaded, light = ConnectionShare(counts, 0), ConnectionShare(counts, 1)
    assert not loaded.over_share()  # no count of its own read yet
    loaded.update(30)
    light.update(20)
    assert loaded.over_share() and not loaded.over_share()  # once, till the next tick's count
    assert not light.over_share()
    loaded.update(21)
    assert not loaded.over_share()  # one above the least loaded is its share


def held_by(port: int, client: http.client.HTTPConnection, workers: list[int]) -> int | None:
    """The worker holding the server's end of `client`'s connection (None till one has accepted it)."""
    assert client.sock is not None
    client_port = client.sock.getsockname()[1]
    owners = socket_owners(workers)
    ends = [inode for local, remote, _, inode in tcp_sockets() if (local, remote) == (port, client_port)]
    return next((owners[inode] for inode in ends if inode in owners), None)


def lopsided_clients(port: int, workers: list[int], first: int, others: int) -> list[Any]:
    """Connected clients, `first` of them held by the first worker and `others` by the rest (each dropped
    when it landed where no more were wanted). No request yet: a worker over its share would answer it
    with `Connection: close`."""
    wanted = {True: first, False: others}
    kept: list[Any] = []
    while any(wanted.values()):
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        client.connect()
        holder = None
        for _ in range(100):  # till its worker has accepted it
            holder = held_by(port, client, workers)
            if holder is not None:
                break
            time.sleep(0.01)
        on_first = holder == workers[0]
        if wanted[on_first]:
            wanted[on_first] -= 1
            kept.append(client)
        else:
            client.close()
    return kept


def test_kept_connections_even_out_over_the_workers(corpus_db: Path) -> None:
    """Keep-alive clients that reconnect when told to (as browsers and pools do) end up spread evenly,
    however they were first placed (here 16 to 4, as when one worker was still starting)."""
    port = free_port()
    process = start_serve(corpus_db, port, workers=2)
    clients: list[Any] = []
    try:
        workers = worker_processes(process.pid)
        clients = lopsided_clients(port, workers, 16, 4)
        closes = 0
        for _ in range(40):  # rounds of one request per client, a tick or so apart
            for client in clients:
                client.request("GET", "/api/articles/1")  # reopened here when told to close
                answer = client.getresponse()
                answer.read()
                closes += answer.getheader("connection", "") == "close"
            time.sleep(0.1)
        held = established_by_process(port, workers)
        assert sum(held.values()) == 20 and max(held.values()) - min(held.values()) <= 2, (held, closes)
    finally:
        for client in clients:
            client.close()
        process.terminate()
        process.wait(timeout=20)


def test_workers_die_with_a_killed_server(corpus_db: Path) -> None:
    process = start_serve(corpus_db, free_port(), workers=2)
    workers = worker_processes(process.pid)
    assert len(workers) == 2
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    for pid in alive:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not alive, "workers outlived the killed server"


def test_blocking_pages_run_on_the_threads_asked_for(corpus_db: Path) -> None:
    async def tokens() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    with TestClient(served(create_app(corpus_db), 3), base_url="http://127.0.0.1") as client:
        assert client.portal is not None and client.portal.call(tokens) == 3
        assert client.get("/api/articles/1/appearances").status_code == 200


def test_every_worker_stops_searches_at_the_budget_asked_for(search_db: Path) -> None:
    port = free_port()
    process = start_serve(search_db, port, 2, "--search-seconds", "1e-9")
    try:
        for _ in range(4):  # new connections: the kernel spreads them over both workers
            answer = httpx.get(
                f"http://127.0.0.1:{port}/api/search", params={"q": "r* OR h* OR v*"}, timeout=10
            )
            assert answer.status_code == 400 and "took more than 1e-09 s" in answer.text
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize("budget", ["0", "-1", "nan", "inf", "soon"])
def test_a_search_budget_that_is_not_a_positive_number_is_refused(budget: str, capsys: Any) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--search-seconds", budget])
    assert stopped.value.code == 2
    assert "--search-seconds" in capsys.readouterr().err
