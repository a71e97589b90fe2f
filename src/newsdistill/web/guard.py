"""The server's outermost layer: every request and response passes through it, errors included.

- Host allowlist: a page on another site whose name resolves to 127.0.0.1 (DNS rebinding) sends
  its own name as Host, and gets 400.
- Bounded requests: head at most MAX_HEADER_BYTES, body at most MAX_REQUEST_BYTES whether it
  comes with a Content-Length or chunked, and read within BODY_TIMEOUT.
- HEAD is answered as GET without the body, on every route.
- Every response carries the security headers, and redirects are relative (never our Host).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
RAW_SECURITY_HEADERS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
# ReDoc (styled-components) writes its styles into <style> elements and searches in a blob: worker: on
# /redoc alone, inline styles, data: images and that worker are allowed. Scripts stay our own files.
REDOC_POLICY = (
    SECURITY_HEADERS["Content-Security-Policy"]
    + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:"
)
RAW_REDOC_HEADERS = [
    (name, REDOC_POLICY.encode() if name == b"content-security-policy" else value)
    for name, value in RAW_SECURITY_HEADERS
]
MAX_REQUEST_BYTES = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024
BODY_TIMEOUT = 10.0
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
ANY_HOST = "*"


def host_name(value: str) -> str:
    """The name in a Host header or a bind address, without port: 'A.org:80' -> 'a.org', '::1' -> '[::1]'."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1]
    if value.count(":") > 1:  # a bare IPv6 address, as given to --host
        return f"[{value}]"
    return value.partition(":")[0].rstrip(".")


def _is_loopback(bind_host: str) -> bool:
    try:
        return ipaddress.ip_address(bind_host.strip("[]")).is_loopback
    except ValueError:
        return bind_host.lower() == "localhost"


def _is_wildcard(bind_host: str) -> bool:
    return bind_host.strip("[]") in {"0.0.0.0", "::", ""}


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names the server answers: the bound address, the loopback names when bound to loopback
    (or to every interface: then the machine's own name too), and the names given with --allowed-host."""
    names = {host_name(bind_host)} | {ANY_HOST if name == ANY_HOST else host_name(name) for name in extra}
    if _is_loopback(bind_host) or _is_wildcard(bind_host):
        names |= LOOPBACK_NAMES
    if _is_wildcard(bind_host):
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(names)


class RequestRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class Guard:
    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self.check_head(scope)
            receive = await self.bounded_body(scope, receive)
        except RequestRefused as refused:
            await refuse(send, refused)
            return
        head_only = scope["method"] == "HEAD"
        if head_only:  # routed as GET: every GET route answers HEAD too
            scope = {**scope, "method": "GET"}
        policy = RAW_REDOC_HEADERS if scope["path"] == "/redoc" else RAW_SECURITY_HEADERS
        await self.app(scope, receive, secured(send, head_only, policy))

    def check_head(self, scope: Scope) -> None:
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        size = len(scope.get("raw_path") or b"") + len(scope["query_string"])
        if size + sum(len(name) + len(value) + 4 for name, value in headers) > MAX_HEADER_BYTES:
            raise RequestRefused(431, "request headers too large")
        hosts = [value.decode("latin-1") for name, value in headers if name == b"host"]
        if ANY_HOST not in self.hosts and (len(hosts) != 1 or host_name(hosts[0]) not in self.hosts):
            raise RequestRefused(
                400, "unknown Host: the server answers only its own names (see --allowed-host)"
            )

    async def bounded_body(self, scope: Scope, receive: Receive) -> Receive:
        """The whole body read up front, so that its size is known whether or not it was announced."""
        headers = dict(scope["headers"])
        announced = headers.get(b"content-length", b"0")
        if not announced.isdigit():
            raise RequestRefused(400, "bad Content-Length")
        if int(announced) > MAX_REQUEST_BYTES:
            raise RequestRefused(413, "request too large")
        if int(announced) == 0 and b"transfer-encoding" not in headers:
            return receive
        try:
            body = await asyncio.wait_for(read_body(receive), BODY_TIMEOUT)
        except TimeoutError:
            raise RequestRefused(408, "request body too slow") from None
        return replay(body, receive)


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise RequestRefused(400, "client went away")
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_REQUEST_BYTES:
            raise RequestRefused(413, "request too large")
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive_again() -> Message:
        return pending.pop() if pending else await receive()

    return receive_again


def secured(send: Send, head_only: bool, security: list[tuple[bytes, bytes]] = RAW_SECURITY_HEADERS) -> Send:
    async def send_secured(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (name, relative(value) if name.lower() == b"location" else value)
                for name, value in message.get("headers", [])
                if name.lower().decode("latin-1") not in _SECURITY_NAMES
            ]
            message = {**message, "headers": headers + security}
        elif message["type"] == "http.response.body" and head_only:
            message = {**message, "body": b""}
        await send(message)

    return send_secured


_SECURITY_NAMES = {name.lower() for name in SECURITY_HEADERS}


def relative(location: bytes) -> bytes:
    """'http://whatever-host-was-sent/static/' -> '/static/': the server only redirects to itself."""
    parts = urlsplit(location.decode("latin-1"))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return ("/" + path.lstrip("/")).encode("latin-1")  # never '//evil.org', which a browser reads as a host


async def refuse(send: Send, refused: RequestRefused) -> None:
    body = json.dumps({"detail": refused.detail}).encode()
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
        (b"connection", b"close"),
        *RAW_SECURITY_HEADERS,
    ]
    start: dict[str, Any] = {"type": "http.response.start", "status": refused.status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
