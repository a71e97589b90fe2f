"""Hostile requests against a real server on 127.0.0.1, sent as raw bytes where a client library would
have cleaned them up (dot segments, chunked bodies, oversized or unfinished heads, foreign Host)."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from uvicorn.server import ServerState

from newsdistill.web.app import SECURITY_HEADERS, create_app
from newsdistill.web.guard import allowed_hosts
from newsdistill.web.server import HEAD_TIMEOUT, HeadDeadlineProtocol, uvicorn_options

from .conftest import serving


def address(server: str) -> tuple[str, int]:
    parts = urlsplit(server)
    return parts.hostname or "127.0.0.1", parts.port or 80


def raw_request(server: str, data: bytes, timeout: float = 10) -> bytes:
    """Send `data` as it is and read the answer until the server closes the connection."""
    with socket.create_connection(address(server), timeout=timeout) as connection:
        connection.sendall(data)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # the server answered and closed before reading all we sent
            pass
    return b"".join(chunks)


def raw_get(
    server: str, target: str, host: str | None = None, extra: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    host = "{}:{}".format(*address(server)) if host is None else host
    answer = raw_request(
        server, f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n".encode() + extra + b"\r\n"
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]) if answer else 0, headers, body  # 0: closed without an answer


def assert_secured(headers: httpx.Headers | dict[str, str]) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, name


BAD_IDS = [str(2**63), str(2**64 + 5), "9" * 5000, "-1", "0", "abc", "1.5", "1%20OR%201=1", "%00"]


@pytest.mark.parametrize("route", ["/articles/", "/api/articles/", "/stories/", "/api/stories/"])
def test_ids_that_name_nothing_are_a_clean_404(server: str, route: str) -> None:
    for bad_id in BAD_IDS:
        response = httpx.get(f"{server}{route}{bad_id}")
        assert response.status_code == 404, (route, bad_id[:20], response.text[:200])
        assert_secured(response.headers)
        if route.startswith("/api/"):
            assert response.json()["detail"]
        else:
            assert response.headers["content-type"].startswith("text/html") and "<h1>404" in response.text


def test_unknown_paths_and_server_errors_carry_the_security_headers(corpus_db: Path, server: str) -> None:
    assert_secured(httpx.get(f"{server}/no/such/page").headers)
    assert_secured(httpx.delete(f"{server}/api/stories").headers)
    app = create_app(corpus_db)

    @app.get("/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    with serving(app) as base:
        response = httpx.get(f"{base}/fails")
    assert response.status_code == 500
    assert_secured(response.headers)


def test_redirects_do_not_reflect_the_host_header(server: str) -> None:
    status, headers, _ = raw_get(server, "/static")
    assert status in (307, 308) and headers["location"] == "/static/"
    status, headers, _ = raw_get(server, "/static//evil.example/")
    assert not headers.get("location", "/").startswith("//")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "", "[::2]"])
def test_foreign_host_headers_are_refused(server: str, host: str) -> None:
    """A page at evil.example whose name resolves to 127.0.0.1 (DNS rebinding) must not read the API."""
    for target in ("/api/stories", "/static"):
        status, headers, body = raw_get(server, target, host=host)
        assert status == 400 and b"Host" in body and "location" not in headers
        assert_secured(headers)
    assert raw_get(server, "/api/stories", host="localhost")[0] == 200
    assert raw_get(server, "/api/stories", host="LOCALHOST:1")[0] == 200


def test_allowed_hosts_follow_the_bound_address() -> None:
    assert allowed_hosts("127.0.0.1") == {"127.0.0.1", "localhost", "[::1]"}
    assert allowed_hosts("::1") == {"127.0.0.1", "localhost", "[::1]"}
    assert allowed_hosts("192.0.2.7", ["news.example:8000"]) == {"192.0.2.7", "news.example"}
    assert "localhost" in allowed_hosts("0.0.0.0") and "*" in allowed_hosts("192.0.2.7", ["*"])


def chunked(body: bytes, size: int = 4096) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_chunked_bodies_are_held_to_the_size_limit(server: str, method: str) -> None:
    host = "{}:{}".format(*address(server)).encode()
    head = b"%s /api/search?q=bridge HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n\r\n" % (
        method.encode(),
        host,
    )
    answer = raw_request(server, head + chunked(b"x" * 100_000))
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    small = raw_request(
        server, head.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n") + chunked(b"x" * 10)
    )
    assert small.startswith(b"HTTP/1.1 200 " if method == "GET" else b"HTTP/1.1 405 "), small[:200]


def test_request_heads_are_capped(server: str) -> None:
    for size in (20_000, 100_000, 1_000_000):
        status, _, _ = raw_get(server, "/api/stories", extra=b"X-Filler: %s\r\n" % (b"a" * size))
        assert status in (0, 400, 431), size
    status, _, _ = raw_get(server, "/api/search?q=" + "a" * 30_000)
    assert status in (0, 400, 414, 431)


def closed_by_server(connection: socket.socket) -> bool:
    connection.setblocking(False)
    try:
        return connection.recv(65536) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True
    finally:
        connection.setblocking(True)


@pytest.mark.slow
def test_slow_clients_are_disconnected(server: str) -> None:
    """One client sends half a request line and waits; another sends its head two bytes a second."""
    idle, trickle = (socket.create_connection(address(server), timeout=2) for _ in range(2))
    head = b"GET /api/stories HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: %s\r\n\r\n" % (b"a" * 100)
    started, closed_at = time.monotonic(), {}
    try:
        idle.sendall(b"GET /api/sto")
        for byte in head:  # 80 s for the whole head: far longer than any deadline should allow
            for name, connection in (("idle", idle), ("trickle", trickle)):
                if name not in closed_at and closed_by_server(connection):
                    closed_at[name] = time.monotonic() - started
            if len(closed_at) == 2 or time.monotonic() - started > HEAD_TIMEOUT + 5:
                break
            try:
                trickle.send(bytes([byte]))
            except OSError:
                closed_at.setdefault("trickle", time.monotonic() - started)
            time.sleep(0.5)
    finally:
        idle.close()
        trickle.close()
    assert set(closed_at) == {"idle", "trickle"}, closed_at
    assert max(closed_at.values()) < HEAD_TIMEOUT + 3, closed_at


def test_head_is_answered_on_every_get_route(server: str) -> None:
    article = httpx.get(f"{server}/api/search", params={"q": "bridge"}).json()[0]["id"]
    story = httpx.get(f"{server}/api/stories").json()[0]["id"]
    for target in (
        "/",
        "/?q=bridge",
        f"/articles/{article}",
        f"/stories/{story}",
        "/entities?name=Ortiz",
        "/api/search?q=bridge",
        f"/api/articles/{article}",
        "/api/stories",
        f"/api/stories/{story}",
        "/api/who-said?name=Ortiz",
        "/static/style.css",
        "/openapi.json",
        "/docs",
    ):
        get, head = httpx.get(server + target), httpx.head(server + target)
        assert get.status_code == head.status_code == 200, target
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"], target
        assert_secured(head.headers)
    status, _, body = raw_get(server, "/api/stories")
    assert status == 200 and body
    answer = raw_request(
        server, b"HEAD /api/stories HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\n")  # a head, and no body


TRAVERSALS = [
    "/static/" + "../" * 12 + "etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static//etc/passwd",
    "/static/..\\..\\etc\\passwd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
    "/static/../app.py",
    "/static/..%2fapp.py",
    "/static/../templates/base.html",
    "/static/%2e%2e/render.py",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_static_serves_nothing_outside_its_folder(server: str, target: str) -> None:
    """Sent as raw bytes: httpx would resolve the dot segments itself, and the test could not fail."""
    assert raw_get(server, "/static/style.css")[0] == 200
    status, _, body = raw_get(server, target)
    assert status in (400, 404), (target, status)
    assert b"root:" not in body and b"import" not in body and b"{% block" not in body


def test_private_use_characters_in_text_stay_text_in_snippets(server: str) -> None:
    page = httpx.get(f"{server}/", params={"q": "orchestra"}).text
    assert "<mark>orchestra</mark>" in page
    assert "\ue000violinists\ue001" in page and "<mark>violinists" not in page
    assert page.count("<mark>") == page.count("</mark>")


def test_responses_are_sent_without_waiting_on_a_socket_bound_as_uvicorn_binds_for_workers(
    corpus_db: Path,
) -> None:
    """uvicorn binds `socket.socket(family=...)` (protocol number 0) when it runs several workers, and
    asyncio then leaves Nagle's algorithm on: each keep-alive response's body waited 40 ms behind its head.
    A real asyncio server with our protocol on such a socket must turn it off on every connection."""
    accepted: list[HeadDeadlineProtocol] = []

    async def connect_once() -> int:
        config = uvicorn.Config(create_app(corpus_db), **uvicorn_options())
        config.load()

        def protocol() -> HeadDeadlineProtocol:
            accepted.append(HeadDeadlineProtocol(config, ServerState(), {}))
            return accepted[-1]

        listening = socket.socket(family=socket.AF_INET)  # as uvicorn.Config.bind_socket
        listening.bind(("127.0.0.1", 0))
        assert listening.proto == 0
        server = await asyncio.get_running_loop().create_server(protocol, sock=listening)
        _, writer = await asyncio.open_connection(*listening.getsockname())
        while not accepted:
            await asyncio.sleep(0.01)
        sock = accepted[0].transport.get_extra_info("socket")
        delay_off = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        server.close()
        return int(delay_off)

    assert asyncio.run(connect_once()) != 0
