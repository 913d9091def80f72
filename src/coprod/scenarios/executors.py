"""Where samples run: in this process (serial, the default) or on a Dask cluster.

One tiny interface: `map(fn, shared, items, progress)` returns fn(shared, item) for every
item, in the items' order, calling `progress()` as each finishes. `shared` (the programme)
is sent to each worker once, not with every task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

__all__ = ["DaskExecutor", "Executor", "SerialExecutor"]

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    def map(
        self, fn: Callable[[Any, T], R], shared: Any, items: Sequence[T], progress: Callable[[], None]
    ) -> list[R]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Everything in this process: no set-up, and the reference the others must match."""

    workers = 1

    def map(
        self, fn: Callable[[Any, T], R], shared: Any, items: Sequence[T], progress: Callable[[], None]
    ) -> list[R]:
        out = []
        for item in items:
            out.append(fn(shared, item))
            progress()
        return out

    def close(self) -> None:
        return None


class DaskExecutor:
    """dask.distributed: a LocalCluster of `workers` processes, or a scheduler `address`."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self._cluster)
        else:
            self.client = Client(address, timeout="10s")
        self.workers = len(self.client.scheduler_info()["workers"])

    def map(
        self, fn: Callable[[Any, T], R], shared: Any, items: Sequence[T], progress: Callable[[], None]
    ) -> list[R]:
        from dask.distributed import as_completed

        # hash=False: a fresh key per sweep, so a second sweep never reuses a key being released
        [handle] = self.client.scatter([shared], broadcast=True, hash=False)
        futures = self.client.map(fn, [handle] * len(items), list(items), pure=False)
        for _ in as_completed(futures):
            progress()
        results: list[R] = self.client.gather(futures)
        return results

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
