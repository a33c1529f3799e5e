"""A tiny scriptable browser for tests: follow redirects and auto-submitting forms with `requests`.

LTI launches are a chain of redirects and form posts (Security §5.1.1). Real browsers run the
auto-submit script; this follows any form marked `data-autosubmit`, or any page whose script calls
`.submit()` on its only form, so a test can go from a platform's launch URL to the tool's page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    autosubmit: bool = False


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.scripts: list[str] = []
        self._in_script = False
        self._select = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(
                    action=values.get("action", ""),
                    method=values.get("method", "get").lower(),
                    autosubmit="data-autosubmit" in values,
                )
            )
        elif tag in ("input", "textarea", "button") and self.forms and values.get("name"):
            if tag == "input" and values.get("type") in ("checkbox", "radio") and "checked" not in values:
                return
            if tag == "button":
                return
            self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif tag == "select" and self.forms and values.get("name"):
            self._select = values["name"]
        elif tag == "option" and self.forms and self._select:
            # The selected option, else the first one, as a browser submits it.
            fields = self.forms[-1].fields
            if "selected" in values or self._select not in fields:
                fields[self._select] = values.get("value", "")
        elif tag == "script":
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        elif tag == "select":
            self._select = ""

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def forms(html: str) -> list[Form]:
    """The forms of a page with their fields (hidden and text inputs, checked boxes)."""
    parser = _FormParser()
    parser.feed(html)
    if len(parser.forms) == 1 and any(".submit()" in script for script in parser.scripts):
        parser.forms[0].autosubmit = True
    return parser.forms


def submit(session: requests.Session, response: requests.Response, form: Form) -> requests.Response:
    url = urljoin(response.url, form.action or response.url)
    if form.method == "post":
        return session.post(url, data=form.fields, timeout=10)
    return session.get(url, params=form.fields, timeout=10)


def follow(session: requests.Session, url: str, max_steps: int = 10) -> requests.Response:
    """GET `url`, then keep submitting auto-submitting forms; the last response."""
    return settle(session, session.get(url, timeout=10), max_steps)


def settle(session: requests.Session, response: requests.Response, max_steps: int = 10) -> requests.Response:
    """Submit auto-submitting forms from `response` on, as a browser with scripts would; the last response."""
    for _ in range(max_steps):
        if "html" not in response.headers.get("Content-Type", ""):
            return response
        auto = [form for form in forms(response.text) if form.autosubmit]
        if not auto:
            return response
        response = submit(session, response, auto[0])
    raise RuntimeError(f"more than {max_steps} automatic form posts from {response.url}")
