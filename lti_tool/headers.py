"""Security headers on every response (issue 9 defect 12), beside the CSP frame-ancestors of `framing.py`.

- `Strict-Transport-Security` in production only: the tool is served over HTTPS there (settings refuse
  anything else), and a browser told HSTS on a development `http://127.0.0.1` would refuse that host
  over plain HTTP for a year. One year, sub-domains included, no `preload` (RFC 6797 §6.1; preload is
  a decision for the operator's whole domain, not ours).
- `X-Content-Type-Options: nosniff`: a learner's text served back (exports, JSON) is never sniffed into
  HTML or script (Fetch Living Standard, "X-Content-Type-Options").
- `Referrer-Policy: strict-origin-when-cross-origin`: launch pages carry a signed launch token in the
  URL for cookieless launches, and the operator page a signed link; this policy sends other sites only
  our origin, never a path or query, and nothing from HTTPS to HTTP (W3C Referrer Policy, §3). It
  keeps the full referrer for our own same-origin requests, and unlike `no-referrer` it keeps the
  `Origin` of our own form posts real rather than `null` (Fetch Living Standard, "serializing a request
  origin"), which origin-checking CSRF defences rely on. Pages that want less (the operator page) say
  so themselves. Facts and sources: docs/security-headers.md.

Headers a view already set are left as they are (it knows better), and the Content-Security-Policy is
not touched here.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

HSTS = "max-age=31536000; includeSubDomains"
REFERRER_POLICY = "strict-origin-when-cross-origin"


def security_headers(production: bool) -> dict[str, str]:
    headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": REFERRER_POLICY}
    if production:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def init_app(app: Flask, production: bool) -> None:
    """Add the headers to every response the app sends, error pages and static files included."""
    headers = security_headers(production)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
