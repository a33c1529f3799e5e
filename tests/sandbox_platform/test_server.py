"""`SandboxServer`: free ports, stop and restart with the same app, and no leaked socket on failure."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from sandbox_platform import SandboxServer


def test_an_app_factory_that_fails_leaves_the_port_free() -> None:
    def broken(url: str) -> object:
        raise RuntimeError("no app today")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RuntimeError):
        SandboxServer(port=port, app_factory=broken)

    with socket.socket() as again:
        again.bind(("127.0.0.1", port))  # would raise "address in use" if the socket leaked


def test_the_platform_is_told_its_real_address() -> None:
    with SandboxServer(config={"id_token_lifetime": 30}) as server:
        assert server.port != 0
        assert server.platform.issuer == server.url
        configuration = requests.get(server.url + "/.well-known/jwks.json", timeout=5)
        assert configuration.status_code == 200
    assert not server.running


class _Body:
    """A response body that counts its closes, as a served file (or a Flask response's callbacks) would."""

    def __init__(self, size: int) -> None:
        self.chunks = [b"x" * 65536] * (size // 65536)
        self.closes = 0

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closes += 1


def _serving(body: _Body) -> SandboxServer:
    def app(environ: dict[str, object], start_response: Callable[..., object]) -> _Body:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return body

    return SandboxServer(app=app).start()


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.02)
    return condition()


def test_a_response_is_closed_once_when_served_to_the_end() -> None:
    body = _Body(4 * 65536)
    server = _serving(body)
    try:
        assert len(requests.get(server.url + "/", timeout=5).content) == 4 * 65536
        assert _wait_for(lambda: body.closes >= 1)
        time.sleep(0.1)
        assert body.closes == 1  # Werkzeug closed it; the handler's own close passed nothing on
    finally:
        server.stop()


def test_a_response_the_client_hung_up_on_is_still_closed_once() -> None:
    """Closed exactly once. A browser dropping a script half-way (a 206 for frame.js in a whole-suite run)
    once left the served file open, and the ResourceWarning failed whichever test was running when it was
    collected; the earlier hang-up hook closed this case twice, which runs a Flask response's callbacks
    twice."""
    body = _Body(256 * 65536)  # far more than the socket buffers hold, so the server is mid-write
    server = _serving(body)
    try:
        client = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        client.recv(1024)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # hang up: RST
        client.close()
        assert _wait_for(lambda: body.closes >= 1)
        time.sleep(0.1)
        assert body.closes == 1
    finally:
        server.stop()
