"""Scripting the sandbox's LTI services from the same process: faults, slowness, other LMSs' answers.

For tests and demos that run the sandbox in their own process and hold its `Platform`: they script it
through `platform.script`. None of it is reachable over HTTP — no route reads or changes a script — so
a tool, a browser or another process only ever sees the effects.

Services are named as the views declare them: "token"; "ags", or one AGS endpoint ("lineitems",
"scores", "results"); and "nrps". `SERVICES` is all of them (an LMS that is down).

- `fail(status, count=..., seconds=...)` answers `status` (with `Retry-After`) instead of serving;
- `slow(seconds)` makes score posts (or other services) wait before they are served — and still served,
  as a slow LMS applies a request whose sender has given up;
- `revoke_tokens()` refuses every access token issued so far (401), as an LMS restored from a backup;
- `duplicate_answer = "edx"` answers a score that is not newer than the stored one as Open edX does,
  `400 {"timestamp": [...]}`, instead of Moodle's 409;
- `members = [...]` serves these NRPS member entries as given (LMSs send odd ones) instead of the
  course's people;
- `count(service)` is how many requests a service received, counted before any delay or fault.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SERVICES = ("token", "ags", "nrps")

# Open edX's LTI consumer (lti_consumer's LtiAgsScoreSerializer) on a score that is not newer.
EDX_SAME_TIMESTAMP = "Score already exists for the provided timestamp"
EDX_OLDER_TIMESTAMP = "Score timestamp can only be updated to a later point in time"


@dataclass
class Fault:
    """Services answer `status` until `until` passes or `remaining` runs out (None: until `clear()`)."""

    services: frozenset[str]
    status: int
    until: float | None
    remaining: int | None
    retry_after: int


class Script:
    """How the sandbox's services answer besides following the specs; empty, they just follow them."""

    def __init__(self) -> None:
        self.duplicate_answer = "moodle"  # or "edx"
        self.members: list[dict[str, Any]] | None = None
        self._faults: list[Fault] = []
        self._delays: dict[str, float] = {}
        self._counts: Counter[str] = Counter()
        self._token_generation = 0
        self._lock = threading.Lock()

    # ----- what a test or demo calls -----------------------------------------------------------

    def fail(
        self,
        status: int = 503,
        *,
        services: Iterable[str] = ("ags",),
        count: int | None = None,
        seconds: float | None = None,
        retry_after: int = 1,
    ) -> None:
        """Make `services` answer `status` for `count` requests or `seconds`; with neither, until `clear()`."""
        fault = Fault(
            services=frozenset(services),
            status=status,
            until=time.time() + seconds if seconds is not None else None,
            remaining=count,
            retry_after=retry_after,
        )
        with self._lock:
            self._faults.append(fault)

    def slow(self, seconds: float, *, services: Iterable[str] = ("scores",)) -> None:
        """Make each request to `services` take `seconds` before it is served (0: no delay)."""
        with self._lock:
            for service in services:
                self._delays[service] = seconds

    def clear(self) -> None:
        """Remove every fault and delay."""
        with self._lock:
            self._faults.clear()
            self._delays.clear()

    def revoke_tokens(self) -> None:
        """Refuse every access token issued so far; the tool must ask for a new one."""
        with self._lock:
            self._token_generation += 1

    def count(self, service: str | None = None) -> int:
        """Requests `service` received (every service's requests with None), faulted ones included."""
        with self._lock:
            return self._counts[service or "*"]

    # ----- what the platform and its views call ------------------------------------------------

    @property
    def token_generation(self) -> int:
        """Stamped on each access token issued; a token from an older generation is revoked."""
        with self._lock:
            return self._token_generation

    def before(self, names: tuple[str, ...]) -> Fault | None:
        """Count a request to the service `names`, wait out its delay, and return the fault it meets, if any."""
        with self._lock:
            self._counts.update(("*", *names))
            delay = max((self._delays.get(name, 0.0) for name in names), default=0.0)
        if delay > 0:
            time.sleep(delay)  # outside the lock: other requests go on meanwhile
        now = time.time()
        with self._lock:
            self._faults = [f for f in self._faults if (f.until is None or f.until > now) and f.remaining != 0]
            for fault in self._faults:
                if fault.services & set(names):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
        return None

    def conflict_answer(self, same_timestamp: bool) -> tuple[int, dict[str, Any]] | None:
        """Another LMS's answer to a score that is not newer than the stored one; None for Moodle's 409."""
        if self.duplicate_answer != "edx":
            return None
        return 400, {"timestamp": [EDX_SAME_TIMESTAMP if same_timestamp else EDX_OLDER_TIMESTAMP]}
