"""The Jinja environment of the app: Flask's, with cheaper template imports and compiled templates kept
for the whole process (issue 15).

Every `{% from "…/macro.html" import … %}` (the GOV.UK macros import each other inside every call)
asks whether the importing page has globals the imported template lacks: `ctx.globals_keys -
template.globals.keys()`, where the template's globals are a `ChainMap` over the environment's. With
a ChainMap's key view that is one Python-level `ChainMap.__contains__` (a generator over the maps)
for each of the page's globals, for every import: about 8 % of an L1 page's time. Here the keys are
read as one set of the maps' keys, built in C; the mapping itself, and what it holds, is unchanged.

Compiling a template is the dearest thing Jinja does (the GOV.UK macros are long): about 75 ms each,
and a page needs a dozen. Each environment compiles a template once, but every `create_app` builds a new
environment, so the CLI, the worker and above all the tests (one app per test) compiled the same
templates again and again: in `tests/lti_tool/views/test_l1.py` compiling was 60 % of the time. Jinja's
bytecode cache (Jinja docs, "Bytecode Cache") keeps the compiled code; `ProcessBytecodeCache` keeps it in
memory for the process. Jinja checks a stored entry against the template source's checksum, so an edited
template is compiled again; the key also holds what the environment's configuration changes in the
compiled code, so two differently configured environments never share an entry.
"""

from __future__ import annotations

import threading
from collections import ChainMap
from collections.abc import MutableMapping
from typing import Any

from flask.templating import Environment
from jinja2.bccache import Bucket, BytecodeCache


class TemplateGlobals(ChainMap[str, Any]):
    """A template's globals over the environment's (as Jinja makes them), whose `keys()` is a set."""

    def keys(self) -> set[str]:  # type: ignore[override]
        # A fresh set each call: a global added to the environment later is still seen.
        return set().union(*self.maps)


class SwottEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals({} if d is None else d, self.globals)


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates shared by every environment of this process that is configured the same way."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._code: dict[tuple[tuple[Any, ...], str], bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            code = self._code.get((_compile_options(bucket.environment), bucket.key))
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja drops it if the checksum no longer matches

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[(_compile_options(bucket.environment), bucket.key)] = code

    def clear(self) -> None:
        with self._lock:
            self._code.clear()


def _compile_options(env: Any) -> tuple[Any, ...]:
    """What in an environment's configuration changes the code it compiles a template to."""
    autoescape = env.autoescape
    return (
        tuple(sorted(env.extensions)),
        env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.optimized, env.is_async, env.finalize is not None,
        getattr(autoescape, "__qualname__", autoescape),  # Flask's: chosen by the file name alone
        getattr(env, "newstyle_gettext", False),  # the i18n extension compiles `_()` differently
    )  # fmt: skip


PROCESS_BYTECODE = ProcessBytecodeCache()
