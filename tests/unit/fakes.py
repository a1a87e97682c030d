"""Fakes of what the orchestration core drives: a backend, the proxy's API, a clock.

They record every call in order, in one `CallLog` they can share (so a test sees the order
across the backend and the proxy), keep the state a real one would (running, paused, enabled,
toxics), and can be told to fail a given call. `fake_run` starts a real `RunningStack` over
them: no model is built and no Docker or process is touched, so a fault's inject and revert
run in milliseconds.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.backends.base import Backend, InstanceHandle, RunInfo, ServiceSpec
from harness.errors import BackendError
from harness.events import Event, EventLog
from harness.faults import FaultContext
from harness.scenario.loader import load_scenario
from harness.scenario.plan import Plan, make_plan
from harness.stack import RunningStack

Call = tuple[str, str]  # (what was called, on which instance or link; "" for the whole run)


class FakeFailure(Exception):
    """The failure a fake was told to raise."""


class CallLog:
    """Calls in the order they were made (threads included), and the calls told to fail."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._fail: dict[Call, Exception] = {}
        self._hooks: dict[Call, Callable[[], None]] = {}
        self._lock = threading.Lock()

    def fail(self, what: str, on: str = "", error: Exception | None = None) -> None:
        """Make every later `what` call on `on` ("" for any) raise `error`."""
        self._fail[(what, on)] = error or FakeFailure(f"{what} failed on {on or 'anything'}")

    def when(self, what: str, on: str, action: Callable[[], None]) -> None:
        """Run `action` inside every later `what` call on `on` (e.g. send a signal mid-revert)."""
        self._hooks[(what, on)] = action

    def heal(self) -> None:
        """Stop failing."""
        self._fail.clear()

    def record(self, what: str, on: str = "") -> None:
        """Record one call, then raise if it was told to fail (the call was attempted)."""
        with self._lock:
            self.calls.append((what, on))
        hook = self._hooks.get((what, on))
        if hook is not None:
            hook()
        error = self._fail.get((what, on)) or self._fail.get((what, ""))
        if error is not None:
            raise error

    def of(self, *whats: str) -> list[Call]:
        """The calls of these kinds, in order."""
        with self._lock:
            return [c for c in self.calls if c[0] in whats]

    def on(self, what: str) -> list[str]:
        """What `what` was called on, in order."""
        return [on for w, on in self.of(what)]

    def mark(self) -> int:
        """A position in the log, for `since`."""
        with self._lock:
            return len(self.calls)

    def since(self, mark: int) -> list[Call]:
        """The calls made after `mark`."""
        with self._lock:
            return self.calls[mark:]


@dataclass(frozen=True)
class InstanceState:
    """What a fake instance is doing."""

    running: bool
    paused: bool


class FakeBackend(Backend):
    """Records start, wait_ready, kill, pause, resume, restart, stop and teardown; starts nothing.

    It holds to the backend contract a real backend relies on: restart only what is not
    running, pause only what runs, resume only what is paused.
    """

    name = "fake"

    def __init__(self, run_dir: Path, log: CallLog | None = None) -> None:
        super().__init__(RunInfo("fake-run", run_dir, "fake", ()))
        self.log = log or CallLog()
        self.handles: dict[str, InstanceHandle] = {}
        self._next_port = 20000

    def state(self) -> dict[str, InstanceState]:
        """Every instance started, by name."""
        return {n: InstanceState(h.running, h.paused) for n, h in self.handles.items()}

    def prepare(self, progress: Callable[[str], None]) -> None:
        self.log.record("prepare")

    def start(self, spec: ServiceSpec) -> InstanceHandle:
        self.log.record("start", spec.name)
        self._next_port += 1
        handle = InstanceHandle(spec, self._next_port, self.run_dir / f"{spec.name}.log")
        self.handles[spec.name] = handle
        return handle

    def wait_ready(self, handle: InstanceHandle, timeout_s: float) -> None:
        self.log.record("wait_ready", handle.spec.name)

    def restart(self, handle: InstanceHandle) -> None:
        self.log.record("restart", handle.spec.name)
        if handle.running:
            raise BackendError(f"{handle.spec.name} is running: restart starts a second copy")
        handle.running = True

    def stop(self, handle: InstanceHandle, grace_s: float = 5.0) -> bool:
        self.log.record("stop", handle.spec.name)
        handle.running = handle.paused = False
        return False

    def kill(self, handle: InstanceHandle, sig: signal.Signals = signal.SIGKILL) -> None:
        self.log.record("kill", handle.spec.name)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            handle.running = handle.paused = False

    def pause(self, handle: InstanceHandle) -> None:
        self.log.record("pause", handle.spec.name)
        if not handle.running or handle.paused:
            raise BackendError(f"{handle.spec.name} is not running unpaused")
        handle.paused = True

    def resume(self, handle: InstanceHandle) -> None:
        self.log.record("resume", handle.spec.name)
        if not handle.paused:
            raise BackendError(f"{handle.spec.name} is not paused")
        handle.paused = False

    def peer_address(self, handle: InstanceHandle) -> str:
        return f"{handle.spec.name}:{handle.port}"

    def link_endpoint(self, proxy: InstanceHandle, index: int) -> tuple[str, str]:
        return f"0.0.0.0:{30000 + index}", f"127.0.0.1:{30000 + index}"

    def teardown(self) -> None:
        self.log.record("teardown")
        for handle in self.handles.values():
            handle.running = handle.paused = False


@dataclass(frozen=True)
class LinkState:
    """What a fake link at the proxy is doing."""

    enabled: bool
    toxics: tuple[str, ...]


class FakeProxy:
    """One link at the fake proxy: toxiproxy-python's Proxy, minus the HTTP."""

    def __init__(self, name: str, upstream: str, listen: str | None, log: CallLog) -> None:
        self.name = name
        self.upstream = upstream
        self.listen = listen
        self.enabled = True
        self.destroyed = False
        self.toxics: dict[str, dict[str, Any]] = {}
        self._log = log

    def disable(self) -> None:
        self._log.record("disable", self.name)
        self.enabled = False

    def enable(self) -> None:
        self._log.record("enable", self.name)
        self.enabled = True

    def add_toxic(self, **kwargs: Any) -> None:
        self._log.record("add_toxic", self.name)
        name = kwargs.get("name") or f"{kwargs['type']}_{kwargs.get('stream', 'downstream')}"
        if name in self.toxics:  # toxiproxy answers 409
            raise FakeFailure(f"toxic {name!r} already exists on {self.name}")
        self.toxics[name] = kwargs

    def destroy_toxic(self, toxic_name: str) -> bool:
        self._log.record("destroy_toxic", self.name)
        if toxic_name not in self.toxics:  # toxiproxy answers 404
            raise FakeFailure(f"no toxic {toxic_name!r} on {self.name}")
        del self.toxics[toxic_name]
        return True

    def destroy(self) -> bool:
        self._log.record("destroy", self.name)
        self.destroyed = True
        return True

    def state(self) -> LinkState:
        """Enabled, and the names of its toxics."""
        return LinkState(self.enabled, tuple(sorted(self.toxics)))


class FakeProxyClient:
    """Stands in for toxiproxy-python's Toxiproxy: creates FakeProxy links and remembers them."""

    def __init__(self, log: CallLog | None = None) -> None:
        self.log = log or CallLog()
        self.api: tuple[str, int] | None = None
        self.proxies: dict[str, FakeProxy] = {}

    def update_api_consumer(self, host: str, port: int) -> None:
        self.api = (host, port)

    def create(self, upstream: str, name: str, listen: str | None = None) -> FakeProxy:
        self.log.record("create", name)
        self.proxies[name] = FakeProxy(name, upstream, listen, self.log)
        return self.proxies[name]

    def state(self) -> dict[str, LinkState]:
        """Every link, by name."""
        return {n: p.state() for n, p in self.proxies.items()}


class FakeClock:
    """A run clock that moves only when something sleeps on it."""

    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        """Advance the clock instead of waiting."""
        self.t = round(self.t + max(0.0, seconds), 9)  # no drift over many small sleeps


def plan_of(tmp_path: Path, text: str) -> Plan:
    """The plan of a scenario written as YAML text."""
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return make_plan(load_scenario(path)[0])


@dataclass
class FakeRun:
    """A RunningStack started over the fakes, with everything a test looks at."""

    plan: Plan
    stack: RunningStack
    backend: FakeBackend
    proxies: FakeProxyClient
    log: CallLog
    events: EventLog
    clock: FakeClock
    published: list[list[str]] = field(default_factory=list)  # store URLs seeded with the model
    started: list[Call] = field(default_factory=list)  # the start-up calls, cleared from `log`

    def context(self, fault_name: str) -> FaultContext:
        """The context the executor gives a fault."""
        return FaultContext(self.stack, self.events, self.plan.rng(fault_name), self.clock)

    def emitted(self, *kinds: type[Event]) -> list[Event]:
        """Events of these kinds (all when none given), in order."""
        return [e for e in self.events.events if not kinds or isinstance(e, kinds)]

    def links(self) -> dict[str, LinkState]:
        """Every link's state at the proxy."""
        return self.proxies.state()

    def instances(self) -> dict[str, InstanceState]:
        """Every instance's state at the backend."""
        return self.backend.state()


def two_regions(name: str = "s") -> str:
    """The scenario the core tests share, up to its faults: regions a (2 inference) and b (1)."""
    return f"""\
name: {name}
stack:
  architecture: active-passive
  regions:
    - {{name: a, inference: {{replicas: 2}}}}
    - {{name: b, inference: {{replicas: 1}}}}
load:
  rate: 10
  phases: {{baseline: 10s, fault: 10s, recovery: 10s}}
"""


def fake_run(tmp_path: Path, scenario: str, clock: FakeClock | None = None) -> FakeRun:
    """Plan `scenario`, start its stack over the fakes, and clear the start-up from the log."""
    plan = plan_of(tmp_path, scenario)
    log = CallLog()
    backend = FakeBackend(tmp_path / "run", log)
    backend.run_dir.mkdir()
    proxies = FakeProxyClient(log)
    events, clock = EventLog(), clock or FakeClock()
    published: list[list[str]] = []

    def seed(urls: list[str], _model_dir: Path) -> None:
        log.record("publish")
        published.append(urls)

    stack = RunningStack(
        plan,
        backend,
        events,
        clock,
        tmp_path / "model",  # only named in the services' arguments; nothing reads it
        start_timeout_s=5.0,
        proxy_client=proxies,
        publish_model=seed,
    )
    stack.start(lambda _line: None)
    started = list(log.calls)
    log.calls.clear()
    return FakeRun(plan, stack, backend, proxies, log, events, clock, published, started)
