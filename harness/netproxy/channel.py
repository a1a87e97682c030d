"""Bounded chunk channels between link stages, and the wakers their ends wait on."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


class Pokeable(Protocol):
    """Anything a channel can nudge when its state changes (a waker or a socket end)."""

    def poke(self) -> None:
        """Signal that the state this object waits on may have changed."""


class Waker:
    """A wake-up one task waits on; channels, timers and interrupts poke it.

    Waits can wake spuriously: callers loop and re-check their condition, which keeps every
    state change a plain synchronous update with no lost wake-ups.
    """

    def __init__(self) -> None:
        self._fut: asyncio.Future[None] | None = None

    async def wait(self, deadline: float | None = None) -> None:
        """Wait until poked, or until loop time `deadline` if given."""
        loop = asyncio.get_running_loop()
        fut = self._fut = loop.create_future()
        timer = loop.call_at(deadline, self.poke) if deadline is not None else None
        try:
            await fut
        finally:
            self._fut = None
            if timer is not None:
                timer.cancel()

    def poke(self) -> None:
        """Wake the waiting task, if any."""
        fut = self._fut
        if fut is not None and not fut.done():
            fut.set_result(None)


class Channel(Generic[T]):
    """A FIFO with a capacity; closing it queues an end-of-stream after the buffered items.

    Pushes and pops are synchronous, so a stage rewired between them can never strand an item:
    producers re-read their target channel after every wait.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self.closed = False
        self._items: deque[T] = deque()
        self._data_waiter: Pokeable | None = None
        self._room_waiters: list[Pokeable] = []

    def __len__(self) -> int:
        return len(self._items)

    def full(self) -> bool:
        """Whether a push now would exceed the capacity."""
        return len(self._items) >= self.capacity

    def ready(self) -> bool:
        """Whether a pop now returns something (an item or the end of the stream)."""
        return bool(self._items) or self.closed

    def push(self, item: T) -> None:
        """Append `item` (the caller has checked `full`; items after close are dropped)."""
        if self.closed:
            return
        self._items.append(item)
        self._wake_reader()

    def pop(self) -> T | None:
        """Take the oldest item; None means the stream ended (call only when `ready`)."""
        if not self._items:
            return None
        item = self._items.popleft()
        waiters, self._room_waiters = self._room_waiters, []
        for waiter in waiters:
            waiter.poke()
        return item

    def close(self) -> None:
        """End the stream: the reader sees None once the buffered items are taken."""
        if not self.closed:
            self.closed = True
            self._wake_reader()

    def on_data(self, waiter: Pokeable) -> None:
        """Poke `waiter` at the next push or close (one reader per channel)."""
        self._data_waiter = waiter

    def on_room(self, waiter: Pokeable) -> None:
        """Poke `waiter` at the next pop."""
        if waiter not in self._room_waiters:
            self._room_waiters.append(waiter)

    def _wake_reader(self) -> None:
        waiter, self._data_waiter = self._data_waiter, None
        if waiter is not None:
            waiter.poke()
