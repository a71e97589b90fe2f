"""Running the app under uvicorn: several worker processes, and bounded time for every client.

uvicorn's h11 protocol times out idle keep-alive connections, but not a client that has sent part
of a request head and waits (slowloris): HeadDeadlineProtocol closes it HEAD_TIMEOUT seconds after
its first byte (or after the connection opened, for one that sends nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import gc
import json
import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import anyio.to_thread
import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import SEARCH_SECONDS, create_app
from .guard import MAX_HEADER_BYTES, allowed_hosts

HEAD_TIMEOUT = 10.0  # seconds from a request's first byte to the end of its head
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle connection is kept between requests
DB_VARIABLE = "NEWSDISTILL_SERVE_DB"
THREADS_VARIABLE = "NEWSDISTILL_SERVE_THREADS"
SEARCH_SECONDS_VARIABLE = "NEWSDISTILL_SERVE_SEARCH_SECONDS"
DEFAULT_THREADS = 2  # threads per worker for blocking handlers (served says why)
STARTUP_FAILURE = 3  # a worker's exit status when it cannot listen (uvicorn's own for that)
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)
HOSTS_VARIABLE = "NEWSDISTILL_SERVE_HOSTS"
CLOSE_HEADER = (b"connection", b"close")


class HeadDeadlineProtocol(H11Protocol):
    head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[arg-type]
        send_without_delay(transport)
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            # part of a head is buffered (a whole one would have moved the state on)
            self._arm_head_deadline()
        else:
            self._disarm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def _arm_head_deadline(self) -> None:
        if self.head_deadline is None:
            self.head_deadline = self.loop.call_later(HEAD_TIMEOUT, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_too_slow(self) -> None:
        self.head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def send_without_delay(transport: asyncio.BaseTransport) -> None:
    """Nagle's algorithm off: a response goes out as soon as it is written. asyncio turns it off only on
    sockets whose protocol number says TCP, and the socket uvicorn binds for several workers says 0, so on
    every keep-alive request a response's body waited behind its head for the client's delayed ACK
    (40 ms on Linux: 2 ms pages took 44 ms)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # a socket closed while connecting: nothing to tune
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def uvicorn_options() -> dict[str, Any]:
    """The protocol and limits every server of ours runs with (the tests' included)."""
    return {
        "http": HeadDeadlineProtocol,
        # not "auto": where uvloop is installed (uvicorn[standard]) uvicorn takes it, and under load its
        # slowest answers were 3x asyncio's (search page, 50 connections: p99 540-670 against 170-210 ms)
        "loop": "asyncio",
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "log_level": "warning",
    }


def create_app_from_env() -> FastAPI:
    """The app in each worker process: uvicorn starts workers from an import string, so the store's
    path and the allowed hosts come through the environment."""
    return create_app(
        os.environ[DB_VARIABLE],
        frozenset(json.loads(os.environ[HOSTS_VARIABLE])),
        float(os.environ.get(SEARCH_SECONDS_VARIABLE, SEARCH_SECONDS)),
    )


class PortBusy(OSError):
    """The address cannot be listened on (in use, or not this machine's): said in one line."""


def check_port(host: str, port: int) -> None:
    """Bind and let go, as uvicorn will bind (SO_REUSEADDR): a busy port is one clear line, not a traceback
    from inside uvicorn and its exit status 3."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        reason = "in use" if error.errno == errno.EADDRINUSE else (error.strerror or str(error))
        raise PortBusy(f"cannot listen on {host}:{port}: {reason} (choose another with --port)") from None


def serve(
    db: str | Path,
    host: str,
    port: int,
    workers: int,
    extra_hosts: Sequence[str] = (),
    threads: int = DEFAULT_THREADS,
    search_seconds: float = SEARCH_SECONDS,
) -> None:
    hosts = allowed_hosts(host, extra_hosts)
    # here too with several workers: a missing store is reported once, before any start
    app = served(create_app(db, hosts, search_seconds), threads)
    check_port(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    print(
        f"newsdistill: serving {db} at http://{shown_host}:{port}/ (API pages at /docs) with "
        f"{workers} worker{'s' if workers != 1 else ''}; Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, **uvicorn_options())
        return
    os.environ[DB_VARIABLE] = str(Path(db).resolve())
    os.environ[HOSTS_VARIABLE] = json.dumps(sorted(hosts))
    os.environ[THREADS_VARIABLE] = str(threads)
    os.environ[SEARCH_SECONDS_VARIABLE] = repr(search_seconds)
    run_workers(host, port, workers)


def served(app: FastAPI, threads: int) -> FastAPI:
    """The app as a server runs it: at most `threads` threads for its blocking handlers (anyio's default
    is 40), and what its start-up made kept out of the garbage collector's full passes.

    Threads: the handlers are CPU-bound and every SQLite call gives up the GIL and waits to take it back:
    with 5 requests in a worker's threads, a search page's p99 was 266 ms; with 2 threads, 168 ms; with 1,
    136-143 ms (10 connections, 2 workers on 2 cores). Two, so that one slow page does not hold up the rest.

    The collector: a worker holds some 100,000 objects from its imports and start-up, and a full pass over
    them took 63 ms, every 100 requests or so, and stopped every request in the worker. gc.freeze() leaves
    them out; a full pass then takes ~1 ms. (Alone, it did not move the load test's p99 beyond its noise.)"""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(started: Any) -> AsyncIterator[Any]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        async with inner(started) as state:
            gc.collect()  # garbage of the start-up is freed, not frozen
            gc.freeze()
            yield state

    app.router.lifespan_context = lifespan
    return app


def run_workers(host: str, port: int, workers: int) -> None:
    """Worker processes that each listen on a socket of their own (SO_REUSEPORT), so the kernel spreads
    connections over them. On uvicorn's one shared socket, the first worker to wake accepts every
    connection waiting, and keep-alive clients stay with it: 10 connections opened together went 10 to 0
    in most runs, and one core idled. The kernel's spread is by chance, and it cannot see connections
    that stay: ConnectionShare evens them out. A worker that dies is replaced; one that cannot start stops
    all."""
    context = multiprocessing.get_context("spawn")
    counts = context.Array("i", workers, lock=False)  # each worker writes its own slot only
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    processes = [_start_worker(context, host, port, counts, slot) for slot in range(workers)]
    try:
        while not stop.wait(0.5):
            if any(p.exitcode == STARTUP_FAILURE for p in processes):
                raise PortBusy(f"cannot listen on {host}:{port}: a worker could not start")
            processes = [
                p if p.is_alive() else _start_worker(context, host, port, counts, slot)
                for slot, p in enumerate(processes)
            ]
    finally:
        _stop_workers(processes)


def _start_worker(context: Any, host: str, port: int, counts: Any, slot: int) -> Any:
    counts[slot] = 0  # a new worker holds no connection yet (a dead one's count would stay)
    arguments = (host, port, os.getpid(), counts, slot)
    process = context.Process(target=_worker, args=arguments, name="newsdistill-serve-worker")
    process.start()
    return process


def _stop_workers(processes: list[Any]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=20)
        if process.is_alive():
            process.kill()
            process.join()


def _worker(host: str, port: int, parent: int, counts: Any, slot: int) -> None:
    """One worker: the app, a socket of its own in the port's group, uvicorn on it."""
    _die_with_parent(parent)
    try:
        listening = reuse_port_socket(host, port)
    except OSError:
        sys.exit(STARTUP_FAILURE)
    share = ConnectionShare(counts, slot)
    app = served(create_app_from_env(), int(os.environ[THREADS_VARIABLE]))
    config = uvicorn.Config(share.balanced(app), host=host, port=port, **uvicorn_options())
    SharingServer(config, share).run(sockets=[listening])


class ConnectionShare:
    """Keeps each worker's share of the open connections even. Keep-alive clients stay with the worker
    that accepted them, and the kernel picks that worker by a hash of the client's address: 50 connections
    went 34 to 22 (p99 219 ms against 166 ms when even), and those opened while a worker was starting
    all went to the others (53 to 3: half the throughput). A worker that holds more than one connection
    above the least loaded asks the client to reconnect (`Connection: close` on a response, which is
    still answered in full); the new connection is placed by the kernel again, so shares even out."""

    def __init__(self, counts: Any, slot: int) -> None:
        self.counts, self.slot, self.fresh = counts, slot, False

    def update(self, open_connections: int) -> None:
        self.counts[self.slot], self.fresh = open_connections, True

    def over_share(self) -> bool:
        """At most one connection asked to go between updates: the counts are a tick old, and shedding on
        each answer till they caught up sent connections back and forth (137 in 15 s, p99 worse)."""
        if not self.fresh or self.counts[self.slot] - min(self.counts) <= 1:
            return False
        self.fresh = False
        return True

    def balanced(self, app: Any) -> Any:
        """`app`, with `Connection: close` on an answer while this worker holds more than its share."""

        async def app_balanced(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)

            async def send_closing(message: Any) -> None:
                if message["type"] == "http.response.start" and self.over_share():
                    message = {**message, "headers": [*message.get("headers", ()), CLOSE_HEADER]}
                await send(message)

            return await app(scope, receive, send_closing)

        return app_balanced


class SharingServer(uvicorn.Server):
    """uvicorn's server, writing its number of open connections to its ConnectionShare on every tick."""

    def __init__(self, config: uvicorn.Config, share: ConnectionShare) -> None:
        super().__init__(config)
        self.share = share

    async def on_tick(self, counter: int) -> bool:
        self.share.update(len(self.server_state.connections))
        return await super().on_tick(counter)


def reuse_port_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listening.bind(address)
    return listening


def _die_with_parent(parent: int) -> None:
    """Linux: SIGTERM this worker when the server process dies, even by SIGKILL (no orphan keeps the port);
    and stop now if it died while this worker was starting, before the signal was asked for."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        sys.exit(0)
