"""The gateway with real inference subprocesses: failover, spreading, retries, single region."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests

from targets.model import ModelArtifacts

HEALTH = {"interval_s": 0.1, "timeout_s": 0.5, "unhealthy_threshold": 3, "healthy_threshold": 2}
RETRY = {"attempts": 2, "per_request_timeout_s": 1.0}
EAST, WEST = "us-east-1", "us-west-2"


@dataclass
class Stack:
    """A gateway and the inference processes behind it, by instance id."""

    gateway: Any
    instances: dict[str, Any]
    rows: list[list[float]]
    session: requests.Session = field(default_factory=requests.Session)

    def predict(self, rows: Any = None) -> requests.Response:
        """POST one request through the gateway."""
        body = {"rows": self.rows if rows is None else rows}
        return self.session.post(f"{self.gateway.url}/predict", json=body, timeout=10)

    def state(self) -> dict[str, Any]:
        """GET /state of the gateway."""
        return dict(requests.get(f"{self.gateway.url}/state", timeout=5).json())

    def instance_state(self, instance_id: str) -> dict[str, Any]:
        """Return one instance's entry in /state."""
        for region in self.state()["regions"]:
            for inst in region["instances"]:
                if inst["id"] == instance_id:
                    return dict(inst)
        raise KeyError(instance_id)

    def kill(self, *instance_ids: str) -> float:
        """SIGKILL instances, reap them, and return the monotonic time of the kill."""
        t = time.monotonic()
        for iid in instance_ids:
            self.instances[iid].kill()
        return t


def wait_until(check: Callable[[], bool], timeout: float = 15.0, step: float = 0.02) -> float:
    """Poll until check() is true; return the monotonic time it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(step)
    raise AssertionError("condition not met in time")


@pytest.fixture
def rows(model: ModelArtifacts) -> list[list[float]]:
    """Four held-out rows to send."""
    return list(np.load(model.holdout_path)["X"][:4].tolist())


@pytest.fixture
def make_stack(
    procs: Any, model: ModelArtifacts, tmp_path: Path, rows: list[list[float]]
) -> Iterator[Callable[..., Stack]]:
    """Start inference instances per region plus a gateway configured for them."""

    def make(
        architecture: str,
        layout: dict[str, int],
        extra: dict[str, list[dict[str, str]]] | None = None,
        **overrides: Any,
    ) -> Stack:
        started = {
            f"inf-{region}-{k}": procs.inference(model.model_path, f"inf-{region}-{k}", region)
            for region, n in layout.items()
            for k in range(n)
        }
        for proc in started.values():
            proc.ready()
        regions = [
            {
                "name": region,
                "instances": [
                    {"id": iid, "url": p.url}
                    for iid, p in started.items()
                    if iid.startswith(f"inf-{region}-")
                ]
                + (extra or {}).get(region, []),
            }
            for region in layout
        ]
        config = {
            "architecture": architecture,
            "regions": regions,
            "health_check": overrides.get("health_check", HEALTH),
            "retry": overrides.get("retry", RETRY),
        }
        path = tmp_path / f"gateway-{architecture}.json"
        path.write_text(json.dumps(config))
        gateway = procs.gateway(path)
        gateway.ready()
        return Stack(gateway, started, rows)

    yield make


def test_active_passive_fails_over_and_back(
    make_stack: Callable[..., Stack], procs: Any, model: ModelArtifacts
) -> None:
    stack = make_stack("active-passive", {EAST: 2, WEST: 1})
    replies = [stack.predict().json() for _ in range(6)]
    assert {r["region"] for r in replies} == {EAST}
    assert {r["instance"] for r in replies} == {f"inf-{EAST}-0", f"inf-{EAST}-1"}
    assert all(r["attempts"] == 1 for r in replies)
    assert stack.state()["active_region"] == EAST

    t_kill = stack.kill(f"inf-{EAST}-0", f"inf-{EAST}-1")
    t_moved = wait_until(lambda: stack.state()["active_region"] == WEST)
    # At least unhealthy_threshold failed checks, one interval apart, had to happen first.
    assert t_moved - t_kill >= (HEALTH["unhealthy_threshold"] - 1) * HEALTH["interval_s"]
    reply = stack.predict()
    assert reply.status_code == 200 and reply.json()["region"] == WEST
    state = stack.state()
    east = next(r for r in state["regions"] if r["name"] == EAST)
    assert all(not i["healthy"] and i["consecutive_failures"] >= 3 for i in east["instances"])
    assert state["failovers"][-1]["from"] == EAST and state["failovers"][-1]["to"] == WEST
    assert stack.gateway.wait_event("failover", timeout=5)["to"] == WEST

    port = stack.instances[f"inf-{EAST}-0"].port
    revived = procs.inference(model.model_path, f"inf-{EAST}-0", EAST, port=port)
    revived.ready()
    wait_until(lambda: stack.state()["active_region"] == EAST)
    reply = stack.predict()
    assert reply.status_code == 200 and reply.json()["instance"] == f"inf-{EAST}-0"
    stack.gateway.wait_event("failover", timeout=5, where=lambda e: e["to"] == EAST)


def test_active_active_spreads_and_retries_past_a_dead_instance(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack("active-active", {EAST: 1, WEST: 1})
    replies = [stack.predict().json() for _ in range(10)]
    assert {r["region"] for r in replies} == {EAST, WEST}

    stack.kill(f"inf-{EAST}-0")
    after = [stack.predict() for _ in range(20)]
    assert all(r.status_code == 200 for r in after)
    bodies = [r.json() for r in after]
    assert {b["instance"] for b in bodies} == {f"inf-{WEST}-0"}
    assert max(b["attempts"] for b in bodies) == 2  # the request that met the dead instance
    assert not stack.instance_state(f"inf-{EAST}-0")["healthy"]

    bad = stack.predict(rows=[[1.0, 2.0]])
    assert bad.status_code == 400 and "error" in bad.json()


def test_single_region_fails_when_its_region_is_down(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack("single-region", {EAST: 1, WEST: 1})
    assert {stack.predict().json()["region"] for _ in range(4)} == {EAST}

    stack.kill(f"inf-{EAST}-0")
    first = stack.predict()
    assert first.status_code == 503 and "error" in first.json()
    wait_until(lambda: not stack.instance_state(f"inf-{EAST}-0")["healthy"])
    later = stack.predict()
    assert later.status_code == 503 and later.json()["attempts"] == 1
    assert requests.get(f"{stack.gateway.url}/readyz", timeout=5).status_code == 503
    assert stack.state()["active_region"] == EAST


def test_a_link_that_never_answers_times_out_and_is_retried(
    make_stack: Callable[..., Stack],
) -> None:
    with socket.socket() as hole:
        # Accepts connections in the kernel backlog and never answers: a black-holed link.
        hole.bind(("127.0.0.1", 0))
        hole.listen(64)
        url = f"http://127.0.0.1:{hole.getsockname()[1]}"
        slow_health = {
            "interval_s": 0.5,
            "timeout_s": 0.5,
            "unhealthy_threshold": 3,
            "healthy_threshold": 2,
        }
        stack = make_stack(
            "active-active",
            {EAST: 0, WEST: 1},
            extra={EAST: [{"id": "blackhole", "url": url}]},
            health_check=slow_health,
            retry={"attempts": 2, "per_request_timeout_s": 0.3},
        )
        timed = []
        for _ in range(2):
            t0 = time.monotonic()
            reply = stack.predict()
            timed.append((time.monotonic() - t0, reply))
        assert all(r.status_code == 200 for _, r in timed)
        via_hole = [(dt, r.json()) for dt, r in timed if r.json()["attempts"] == 2]
        assert via_hole and via_hole[0][0] >= 0.3
        assert via_hole[0][1]["instance"] == f"inf-{WEST}-0"
        assert stack.instance_state("blackhole")["last_error"] == "timeout"


def test_gateway_exits_0_on_sigterm_and_2_on_bad_config(
    make_stack: Callable[..., Stack], procs: Any, tmp_path: Path
) -> None:
    stack = make_stack("active-active", {EAST: 1})
    stack.gateway.signal(signal.SIGTERM)
    assert stack.gateway.proc.wait(timeout=20) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"architecture": "multi-master", "regions": []}))
    proc = procs.gateway(bad)
    assert proc.proc.wait(timeout=30) == 2
    assert "architecture" in proc.wait_event("error")["error"]
