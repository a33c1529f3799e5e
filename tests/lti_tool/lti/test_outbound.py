"""The outbound guard: public https addresses only in production, the address checked is the address
connected to, time and size limits, no redirects, and messages that never describe the network.

Every server here listens on 127.0.0.1; "private" targets are only ever classified, never contacted
(production refuses loopback exactly as it refuses 10.0.0.0/8, so loopback stands in for both).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from lti_tool.lti import outbound
from lti_tool.lti.outbound import GuardedSession, OutboundPolicy, OutboundRefused
from tests.lti_tool.lti.http_support import serve


class Listener:
    """A TCP listener that counts connections and answers nothing: proof that no connection was made."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    value = Listener()
    yield value
    value.close()


def _app(routes: dict[str, Any]) -> Any:
    from werkzeug.wrappers import Request, Response

    seen: list[dict[str, str]] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        seen.append({"path": request.path, "host": request.host})
        handler = routes.get(request.path)
        response = handler(request) if handler else Response("{}", status=404, mimetype="application/json")
        return response(environ, start_response)

    app.seen = seen  # type: ignore[attr-defined]
    return app


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # CGNAT
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.10",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.5",
        "64:ff9b::a00:5",
        "2002:a00:5::1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert outbound.is_public_address(ip) is False
    assert outbound.address_allowed(ip, OutboundPolicy.production()) is False


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.69", "2001:4860:4860::8888"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert outbound.address_allowed(ipaddress.ip_address(address), OutboundPolicy.production())


def test_development_allows_loopback_but_not_private() -> None:
    dev = OutboundPolicy.development()
    assert outbound.address_allowed(ipaddress.ip_address("127.0.0.1"), dev)
    assert outbound.address_allowed(ipaddress.ip_address("::1"), dev)
    assert not outbound.address_allowed(ipaddress.ip_address("10.0.0.5"), dev)
    assert not outbound.address_allowed(ipaddress.ip_address("169.254.169.254"), dev)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://moodle.council.example/x", "must use https://"),
        ("https://10.0.0.5:22/", "could not be reached"),
        ("https://[::ffff:10.0.0.5]/", "could not be reached"),
        ("https://user:pw@moodle.council.example/", "user name or password"),
        ("ftp://moodle.council.example/", "not a full web address"),
        ("https://moodle.council.example:99999/", "not a web address"),
    ],
)
def test_production_refuses_bad_urls_before_connecting(url: str, words: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        outbound.check_url(url, OutboundPolicy.production(), "keyset URL")
    assert words in refused.value.message
    assert "10.0.0.5" not in refused.value.message and ":22" not in refused.value.message


@contextmanager
def resolving(name: str, *answers: str) -> Iterator[list[str]]:
    """Make `name` resolve to each of `answers` in turn (the last one repeats); yields the lookups made."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            address = answers[min(len(lookups), len(answers) - 1)]
            lookups.append(address)
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    socket.getaddrinfo = fake
    try:
        yield lookups
    finally:
        socket.getaddrinfo = real


def test_production_never_connects_to_a_name_that_resolves_to_loopback(listener: Listener) -> None:
    """The port-scanner case: a public-looking name pointing inside is refused without a connection."""
    messages = set()
    for answer in ("127.0.0.1", "::ffff:127.0.0.1"):
        with resolving("platform.council.example", answer), pytest.raises(OutboundRefused) as refused:
            outbound.fetch_json(
                "GET",
                f"https://platform.council.example:{listener.port}/jwks",
                OutboundPolicy.production(),
                what="keyset URL",
            )
        messages.add(refused.value.message)
    time.sleep(0.3)
    assert listener.accepted == 0
    # The same sentence as for any unreachable host, with no address or port in it.
    assert messages == {outbound.unreachable("keyset URL")}
    assert str(listener.port) not in next(iter(messages))


def test_unreachable_and_refused_read_the_same() -> None:
    dev = OutboundPolicy.development()
    with pytest.raises(OutboundRefused) as closed_port:
        outbound.fetch_json("GET", "http://127.0.0.1:9/", dev, what="configuration URL")
    with pytest.raises(OutboundRefused) as not_public:
        outbound.fetch_json("GET", "https://10.0.0.5:22/", OutboundPolicy.production(), what="configuration URL")
    assert closed_port.value.message == not_public.value.message == outbound.unreachable("configuration URL")
    assert "refused" not in closed_port.value.message.lower() and ":9" not in closed_port.value.message


def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    """DNS rebinding: the name is resolved once; a second answer (here 127.0.0.2, where nothing listens)
    is never used, and the request still carries the name in its Host header."""
    from werkzeug.wrappers import Response

    app = _app({"/conf": lambda _r: Response('{"ok": true}', mimetype="application/json")})
    with serve(app) as base:
        port = base.rsplit(":", 1)[1]
        with resolving("localhost", "127.0.0.1", "127.0.0.2") as lookups:
            status, data = outbound.fetch_json(
                "GET", f"http://localhost:{port}/conf", OutboundPolicy.development(), what="configuration URL"
            )
    assert (status, data) == (200, {"ok": True})
    assert lookups == ["127.0.0.1"]
    assert app.seen[-1]["host"] == f"localhost:{port}"


def test_redirects_are_not_followed() -> None:
    from werkzeug.utils import redirect
    from werkzeug.wrappers import Response

    app = _app(
        {
            "/start": lambda _r: redirect("/inside", code=302),
            "/inside": lambda _r: Response('{"secret": 1}', mimetype="application/json"),
        }
    )
    with serve(app) as base, pytest.raises(OutboundRefused) as refused:
        outbound.fetch_json("GET", base + "/start", OutboundPolicy.development(), what="keyset URL")
    assert "redirect" in refused.value.message
    assert [s["path"] for s in app.seen] == ["/start"]


def test_answers_over_the_size_cap_are_refused() -> None:
    from werkzeug.wrappers import Response

    big = b'{"keys": ["' + b"x" * 5000 + b'"]}'

    def streamed(_request: Any) -> Response:
        return Response(iter([big[i : i + 100] for i in range(0, len(big), 100)]), mimetype="application/json")

    app = _app({"/declared": lambda _r: Response(big, mimetype="application/json"), "/streamed": streamed})
    policy = OutboundPolicy(allow_loopback=True, max_bytes=1000)
    with serve(app) as base:
        for path in ("/declared", "/streamed"):
            with pytest.raises(OutboundRefused) as refused:
                outbound.fetch_json("GET", base + path, policy, what="keyset URL")
            assert refused.value.message == "the keyset URL answer is larger than we accept"


def test_a_dripping_answer_is_cut_off_by_the_total_time_limit() -> None:
    from werkzeug.wrappers import Response

    def drip(_request: Any) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(30):
                time.sleep(0.1)
                yield b" "

        return Response(body(), mimetype="application/json")

    policy = OutboundPolicy(allow_loopback=True, read_timeout=1.0, total_timeout=0.5)
    with serve(_app({"/drip": drip})) as base:
        started = time.monotonic()
        with pytest.raises(OutboundRefused):
            outbound.fetch_json("GET", base + "/drip", policy, what="keyset URL")
        assert time.monotonic() - started < 2.5


def test_guarded_session_ignores_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from werkzeug.wrappers import Response

    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    with serve(_app({"/ok": lambda _r: Response("{}", mimetype="application/json")})) as base:
        session = GuardedSession(OutboundPolicy.development())
        try:
            assert session.get(base + "/ok").status_code == 200
        finally:
            session.close()


def test_the_registration_route_is_not_a_port_scanner(tmp_path: Any, listener: Listener) -> None:
    """In production, `/lti/register` names no address it could not reach and connects to none inside."""
    from tests.conftest import make_app

    app = make_app(tmp_path, env="production", base_url="https://swott.council.example")
    client = app.test_client()
    try:
        pages = [
            client.get("/lti/register", query_string={"openid_configuration": url})
            for url in (
                f"https://127.0.0.1:{listener.port}/openid",
                f"https://localhost:{listener.port}/openid",
                "https://[::1]:22/openid",
                f"http://127.0.0.1:{listener.port}/openid",
            )
        ]
    finally:
        app.extensions["swott.db"].dispose()
    time.sleep(0.3)
    assert listener.accepted == 0
    for page in pages:
        text = page.get_data(as_text=True)
        assert page.status_code == 400
        assert "Traceback" not in text and str(listener.port) not in text and "refused" not in text.lower()
    assert "could not be reached" in pages[0].get_data(as_text=True)
    assert "must use https://" in pages[3].get_data(as_text=True)
