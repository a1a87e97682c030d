"""Write one accepted batch before it is acknowledged: own store, plus every replica when sync."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from targets.pipeline.store import Store

__all__ = ["BatchWriter", "WriteResult"]

T = TypeVar("T")
NDJSON = "application/x-ndjson"


@dataclass(frozen=True)
class WriteResult:
    """Which regions took the object and which failed (region → error)."""

    written: tuple[str, ...]
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every store took the object."""
        return not self.failed


class BatchWriter:
    """Put objects on a thread pool so that a slow or dead store never stalls the event loop."""

    def __init__(self, own: Store, replicas: list[Store], workers: int = 16) -> None:
        self.own = own
        self.replicas = replicas
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="store")

    async def call(self, fn: Callable[[], T]) -> T:
        """Run one blocking call on the pool."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn)

    async def write(self, bucket: str, key: str, body: bytes, everywhere: bool) -> WriteResult:
        """Put the object in the own store (and every replica when `everywhere`), concurrently.

        All or nothing for the caller: when one store fails, the copies that were written are
        deleted again (best effort), so that an unacknowledged batch resent elsewhere is not
        stored twice."""
        stores = [self.own, *self.replicas] if everywhere else [self.own]
        outcomes = await asyncio.gather(
            *(self.call(partial(s.put, bucket, key, body, NDJSON)) for s in stores),
            return_exceptions=True,
        )
        written = tuple(s.region for s, o in zip(stores, outcomes, strict=True) if o is None)
        failed = {
            s.region: repr(o)
            for s, o in zip(stores, outcomes, strict=True)
            if isinstance(o, BaseException)
        }
        if failed and written:
            await self._undo([s for s in stores if s.region in written], bucket, key)
        return WriteResult(written, failed)

    async def _undo(self, stores: list[Store], bucket: str, key: str) -> None:
        await asyncio.gather(
            *(self.call(partial(s.delete, bucket, key)) for s in stores),
            return_exceptions=True,  # an orphan copy is possible; an ack for it is not
        )

    def close(self) -> None:
        """Stop the pool without waiting for calls stuck on a dead store."""
        self.pool.shutdown(wait=False, cancel_futures=True)
