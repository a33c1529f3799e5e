"""`SandboxServer`: free ports, stop and restart with the same app, and no leaked socket on failure."""

from __future__ import annotations

import socket

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
