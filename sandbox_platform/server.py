"""Serve a WSGI app with Werkzeug in a background thread, stoppable and restartable on the same port.

Tests use it to run the sandbox platform (and the tool) over real HTTP, and to take the platform
"down" (connection refused) and bring it back with the same state: the app object survives `stop()`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

log = logging.getLogger(__name__)
_BODY = "sandbox.response_body"


class QuietRequestHandler(WSGIRequestHandler):
    """Log method, path and status only: query strings carry tokens and hints (no personal data in logs)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        log.debug("%s %s %s", self.command, path, code)

    def run_wsgi(self) -> None:
        """Serve one request, then close its response whichever way serving ended.

        Werkzeug closes the response at the end of its clean-up, which first reads what is left of the
        request; when a browser hung up (a script it stopped loading, a range request it dropped), that
        read or an earlier write fails and the close is skipped, so a served file stays open and Python
        reports it later, in whichever test is running (werkzeug/serving.py, `run_wsgi.execute`).
        `_CloseOnce` makes the second close harmless when Werkzeug did close it.
        """
        try:
            super().run_wsgi()
        finally:
            body = getattr(self, "environ", {}).pop(_BODY, None)
            if body is not None:
                body.close()


class _CloseOnce:
    """A WSGI response that passes `close()` on once: Werkzeug and `QuietRequestHandler` may both close
    it, and a Flask response runs its `call_on_close` callbacks on every close."""

    def __init__(self, body: Any) -> None:
        self._body = body
        self._closed = False

    def __iter__(self) -> Any:
        return iter(self._body)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if hasattr(self._body, "close"):
            self._body.close()


class SandboxServer:
    """One WSGI app on `host:port` (port 0 picks a free port on first start).

    Without `app`, binds the port first and builds the app for the bound address: with
    `app_factory(url)` if given, else a sandbox platform from `config` whose issuer is that URL
    (`SandboxServer(config={"nrps_page_size": 2})`).
    """

    def __init__(
        self,
        app: Any = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        config: dict[str, Any] | None = None,
        app_factory: Callable[[str], Any] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.app = app
        if app is None:
            # Bind first, so the app can be told its real address (issuer, base URL) even on port 0.
            self._bind()
            if app_factory is None:
                from sandbox_platform import create_app

                def app_factory(url: str) -> Any:
                    return create_app({**(config or {}), "base_url": url})

            try:
                self.app = app_factory(self.url)
            except BaseException:
                self.stop()  # free the port: the caller never gets this object to stop it
                raise

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def platform(self) -> Any:
        from sandbox_platform import get_platform

        return get_platform(self.app)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _bind(self) -> None:
        server = make_server(self.host, self.port, self._dispatch, threaded=True, request_handler=QuietRequestHandler)
        self.port = server.server_port
        self._server = server

    def _dispatch(self, environ: Any, start_response: Any) -> Any:
        body = _CloseOnce(self.app(environ, start_response))
        environ[_BODY] = body  # for QuietRequestHandler.run_wsgi
        return body

    def start(self) -> SandboxServer:
        """Serve (again) on the same port; the app and its state are kept."""
        if self.running:
            return self
        if self._server is None:
            self._bind()
        assert self._server is not None
        # A short poll interval makes stop() quick (serve_forever checks for shutdown between polls).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; connections are refused until `start()`."""
        if self._server is not None:
            if self.running:
                self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
