"""Link stages without sockets: chunks in at the head, out of the sink, toxics changed live."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from harness.netproxy.channel import Waker
from harness.netproxy.link import Link
from harness.netproxy.specs import new_toxic, updated_toxic
from harness.netproxy.toxic_set import Direction, ToxicSet, ToxicSpec
from harness.netproxy.toxics import Chunk
from harness.netproxy.wire import ToxicBody

pytestmark = pytest.mark.timeout(60)


def spec(toxics: ToxicSet, **body: Any) -> ToxicSpec:
    return new_toxic(ToxicBody(**body), toxics)


def make_link(toxics: ToxicSet, seed: int = 0) -> Link:
    link = Link(Direction.DOWNSTREAM, toxics.chain(Direction.DOWNSTREAM), random.Random(seed), list)
    toxics.attach(link)
    link.start()
    return link


async def feed(link: Link, chunks: list[bytes], pause: float = 0.0, every: int = 1) -> None:
    waker = Waker()
    loop = asyncio.get_running_loop()
    for i, data in enumerate(chunks):
        while link.head_input.full():
            link.head_input.on_room(waker)
            await waker.wait()
        link.head_input.push(Chunk(data, loop.time()))
        if pause and i % every == 0:
            await asyncio.sleep(pause)
    link.head_input.close()


async def until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.001)


async def drain(link: Link) -> bytes:
    waker = Waker()
    out = bytearray()
    while True:
        if link.sink.ready():
            chunk = link.sink.pop()
            if chunk is None:
                return bytes(out)
            out += chunk.data
        else:
            link.sink.on_data(waker)
            await waker.wait()


def test_passes_bytes_through_noop_head() -> None:
    async def main() -> bytes:
        link = make_link(ToxicSet())
        feeder = asyncio.create_task(feed(link, [b"a", b"bc", b"def"]))
        out = await drain(link)
        await feeder
        return out

    assert asyncio.run(main()) == b"abcdef"


def test_latency_delays_from_receipt() -> None:
    async def main() -> float:
        toxics = ToxicSet()
        toxics.add(spec(toxics, type="latency", attributes={"latency": 50}))
        link = make_link(toxics)
        loop = asyncio.get_running_loop()
        start = loop.time()
        await feed(link, [b"x"])
        assert await drain(link) == b"x"
        return loop.time() - start

    assert asyncio.run(main()) >= 0.050


def test_removing_latency_flushes_held_chunks_at_once() -> None:
    async def main() -> bytes:
        toxics = ToxicSet()
        toxics.add(spec(toxics, name="slow", type="latency", attributes={"latency": 60_000}))
        link = make_link(toxics)
        await feed(link, [bytes([i]) * 100 for i in range(50)])
        await asyncio.sleep(0.05)
        toxics.remove("slow")
        return await asyncio.wait_for(drain(link), timeout=10)

    assert asyncio.run(main()) == b"".join(bytes([i]) * 100 for i in range(50))


def test_removal_before_the_stage_first_runs_still_removes() -> None:
    async def main() -> bytes:
        toxics = ToxicSet()
        toxics.add(spec(toxics, name="slow", type="latency", attributes={"latency": 60_000}))
        link = make_link(toxics)
        toxics.remove("slow")  # same loop iteration as the stage task's creation
        link.head_input.push(Chunk(b"fast", asyncio.get_running_loop().time()))
        await asyncio.wait_for(until(link.sink.ready), timeout=10)
        assert len(link.stages) == 1  # spliced out, not left running as a ghost
        await feed(link, [])
        return await asyncio.wait_for(drain(link), timeout=10)

    assert asyncio.run(main()) == b"fast"


def test_update_applies_to_held_chunk_and_keeps_order() -> None:
    async def main() -> bytes:
        toxics = ToxicSet()
        toxics.add(spec(toxics, name="slow", type="latency", attributes={"latency": 60_000}))
        link = make_link(toxics)
        await feed(link, [b"1", b"2", b"3"])
        await asyncio.sleep(0.02)
        old = toxics.get("slow")
        toxics.replace(updated_toxic(old, ToxicBody(attributes={"latency": 0})))
        return await asyncio.wait_for(drain(link), timeout=10)

    assert asyncio.run(main()) == b"123"


def test_timeout_closes_link_when_idle() -> None:
    async def main() -> bytes:
        toxics = ToxicSet()
        toxics.add(spec(toxics, type="timeout", attributes={"timeout": 30}))
        link = make_link(toxics)
        link.head_input.push(Chunk(b"dropped", asyncio.get_running_loop().time()))
        return await asyncio.wait_for(drain(link), timeout=10)

    assert asyncio.run(main()) == b""


def test_toxic_added_after_stream_end_ends_too() -> None:
    async def main() -> bytes:
        toxics = ToxicSet()
        link = make_link(toxics)
        await feed(link, [b"done"])
        out = await drain(link)
        toxics.add(spec(toxics, type="latency", attributes={"latency": 5}))
        await asyncio.sleep(0.01)
        assert all(s.task is not None and s.task.done() for s in link.stages)
        return out

    assert asyncio.run(main()) == b"done"


@pytest.mark.parametrize("seed", range(6))
def test_no_bytes_lost_or_reordered_while_toxics_churn(seed: int) -> None:
    rng = random.Random(seed)
    chunks = [bytes([i % 256]) * rng.randint(1, 3000) for i in range(1500)]

    async def main() -> bytes:
        toxics = ToxicSet()
        link = make_link(toxics, seed)
        feeder = asyncio.create_task(feed(link, chunks, pause=0.001, every=4))
        churner = asyncio.create_task(churn(toxics, rng))
        out = await asyncio.wait_for(drain(link), timeout=40)
        churner.cancel()
        await feeder
        return out

    assert asyncio.run(main()) == b"".join(chunks)


async def churn(toxics: ToxicSet, rng: random.Random) -> None:
    counter = 0
    while True:
        names = [s.name for s in toxics.all()]
        action = rng.choice(["add", "add", "update", "remove", "remove_all"])
        if action == "add" or not names:
            counter += 1
            kind = rng.choice(["latency", "noop"])
            attrs = {"latency": rng.randint(0, 3), "jitter": rng.randint(0, 2)}
            toxics.add(
                spec(
                    toxics,
                    name=f"t{counter}",
                    type=kind,
                    toxicity=rng.random() * 1.5,
                    attributes=attrs if kind == "latency" else None,
                )
            )
        elif action == "update":
            old = toxics.get(rng.choice(names))
            toxics.replace(updated_toxic(old, ToxicBody(toxicity=rng.random())))
        elif action == "remove":
            toxics.remove(rng.choice(names))
        else:
            toxics.clear()
        await asyncio.sleep(rng.choice([0, 0, 0.001, 0.003]))
