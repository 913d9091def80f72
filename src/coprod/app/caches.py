"""Small in-process caches for the read paths of a server under load.

Each cache is bounded (least recently used out) and thread-safe (requests run on a thread
pool). A key must name everything the value depends on: a programme's id, its version and
creation time; a plan version's id and finish time; the principal's role and partner for
anything scoped to them. Then a stale entry is never found (a write bumps the version) and
one partner never gets another's view; entries that are no longer reachable just age out.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Lru"]

# A cached value is long-lived by construction: moving it (and all else alive now) out of the
# collector's generations keeps full collections from walking the cached plans and
# programmes (hundreds of thousands of objects) on later requests; evicted values are still
# freed by reference counting. benchmarks/load.py measures it (docs/performance.md).
FREEZE = os.environ.get("COPROD_GC_FREEZE", "1") != "0"

V = TypeVar("V")


class Lru(Generic[V]):
    """At most `size` values; with `ttl_s`, a value is also forgotten that long after it
    was stored. `get_or_make` makes a missing value once however many threads ask for it at
    the same moment (the others wait for it: sixteen threads validating the same programme
    at once would each take sixteen times as long)."""

    def __init__(self, size: int, ttl_s: float | None = None) -> None:
        self.size, self.ttl_s = size, ttl_s
        self._values: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Lock] = {}
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._values.get(key)
            if found is None:
                self.misses += 1
                return None
            stored_at, value = found
            if self.ttl_s is not None and time.monotonic() - stored_at > self.ttl_s:
                del self._values[key]
                self.misses += 1
                return None
            self._values.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> V:
        with self._lock:
            self._values[key] = (time.monotonic(), value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        found = self.get(key)
        if found is not None:
            return found
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:  # one thread makes it; the others find it when they get the lock
            found = self.get(key)
            if found is None:
                found = self.put(key, make())
                if FREEZE:
                    gc.freeze()
        with self._lock:
            self._making.pop(key, None)
        return found

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._values.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
