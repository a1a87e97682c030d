"""The typed catalogue of events, and the log that records them to events.jsonl."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

log = logging.getLogger(__name__)


EVENT_TYPES: dict[str, type[Event]] = {}  # the catalog: every event class, by its kind

Tone = Literal["good", "bad", "neutral"]
RETRAIN_TONES: dict[str, Tone] = {"promoted": "good", "rejected": "bad", "failed": "bad"}


@dataclass(frozen=True)
class Badge:
    """A pill beside an event: its outcome in a word or two, good, bad or neutral."""

    text: str
    tone: Tone


@dataclass(frozen=True)
class Marker:
    """How an event about the models shows on the report's model chart, at the event's time."""

    label: str  # its legend entry
    shape: str  # a matplotlib marker
    color: str  # unless the event brings in a model version, drawn in that version's colour


RETRAIN_MARKERS: dict[str, Marker] = {  # a skipped retrain is not marked
    "promoted": Marker("retrain promoted", "^", "#1e7b45"),
    "rejected": Marker("retrain rejected", "X", "#b42318"),
    "failed": Marker("retrain failed", "X", "#66717d"),
}


def from_record(record: Mapping[str, Any]) -> Event | None:
    """The event a record (events.jsonl, results.json) was made from; None if no class fits."""
    cls = EVENT_TYPES.get(str(record.get("type")))
    if cls is None:
        return None
    try:
        return cls(record["t"], **record.get("data", {}))
    except (KeyError, TypeError):  # a kind whose fields have changed since the record was made
        return None


@dataclass(frozen=True)
class Event:
    """Something that happened at `t` seconds since run start.

    A subclass is an event kind: its name is its `kind` (the `type` of its record) and it joins
    EVENT_TYPES. Its fields have no defaults unless a default means something, so an event
    cannot be built half empty.
    """

    t: float
    kind: ClassVar[str] = "Event"  # set for each subclass: its class name
    template: ClassVar[str] = "{kind}"  # str.format over the event's fields
    color: ClassVar[str | None] = None  # its line and dot in the report (None: one by its name)
    on_timeline: ClassVar[bool] = True  # the report draws it as a line on the timeline

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.__name__
        EVENT_TYPES[cls.kind] = cls

    def message(self) -> str:
        """One line for people."""
        return self.template.format(kind=self.kind, **self.data())

    def badge(self) -> Badge | None:
        """The pill the report shows beside it: an outcome a reader scans for (None: no pill)."""
        return None

    def model_marker(self) -> Marker | None:
        """Its mark on the model chart, for events about the models (None: not marked)."""
        return None

    def data(self) -> dict[str, Any]:
        """The event's fields other than `t`."""
        return {k: v for k, v in asdict(self).items() if k != "t"}

    def to_record(self) -> dict[str, Any]:
        """The events.jsonl / results.json form."""
        return {
            "t": round(self.t, 4),
            "type": self.kind,
            "message": self.message(),
            "data": self.data(),
        }


@dataclass(frozen=True)
class PhaseStarted(Event):
    """Fires when the load enters a phase (baseline, fault, recovery)."""

    phase: str

    template: ClassVar[str] = "phase {phase} started"
    color = "#b0b7bf"
    on_timeline = False  # phases get boundaries and names of their own


@dataclass(frozen=True)
class FaultInjected(Event):
    """Fires when a fault's inject step ends, done or raised (`error` says which).

    `t` is when it started acting. One that raised may have acted on part of its target: it
    is reverted like any other, and scored from `t`.
    """

    fault: str
    fault_kind: str
    target: str
    error: str | None = None

    color = "#c0392b"

    def message(self) -> str:
        what = f"({self.fault_kind} on {self.target})"
        if self.error:
            return f"{self.fault} inject failed {what}: {self.error}"
        return f"{self.fault} injected {what}"

    def badge(self) -> Badge | None:
        return Badge("inject failed", "bad") if self.error else None


@dataclass(frozen=True)
class FaultReverted(Event):
    """Fires after a fault's revert step, successful or not (`error` says which)."""

    fault: str
    error: str | None = None

    color = "#27ae60"

    def message(self) -> str:
        suffix = f" with error: {self.error}" if self.error else ""
        return f"{self.fault} reverted{suffix}"


@dataclass(frozen=True)
class InstanceKilled(Event):
    """Fires when the harness kills or stops an instance on purpose."""

    instance: str
    signal: str

    template: ClassVar[str] = "{instance} killed ({signal})"
    color = "#d35400"


@dataclass(frozen=True)
class InstanceStarted(Event):
    """Fires when an instance (re)started by a fault's revert is ready again."""

    instance: str

    template: ClassVar[str] = "{instance} started"
    color = "#2980b9"


@dataclass(frozen=True)
class InstancePaused(Event):
    """Fires when the harness freezes an instance (SIGSTOP or container pause)."""

    instance: str

    template: ClassVar[str] = "{instance} paused"
    color = "#85c1e9"


@dataclass(frozen=True)
class InstanceResumed(Event):
    """Fires when a frozen instance is let go again."""

    instance: str

    template: ClassVar[str] = "{instance} resumed"
    color = "#16a085"


@dataclass(frozen=True)
class LinkChanged(Event):
    """Fires when a link is taken down, brought up, or gets or loses a toxic."""

    link: str
    change: str

    template: ClassVar[str] = "link {link}: {change}"
    color = "#7f8c8d"


@dataclass(frozen=True)
class FailoverSeen(Event):
    """Fires when the gateway's active region changes (seen by polling its /state)."""

    from_region: str | None
    to_region: str | None

    template: ClassVar[str] = "gateway failover {from_region} → {to_region}"
    color = "#8e44ad"


@dataclass(frozen=True)
class InstanceHealthChanged(Event):
    """Fires when the gateway stops or starts routing to an instance (seen by polling /state)."""

    instance: str
    healthy: bool

    color = "#00acc1"

    def message(self) -> str:
        return f"gateway marks {self.instance} {'healthy' if self.healthy else 'unhealthy'}"


@dataclass(frozen=True)
class DataCorrupted(Event):
    """Fires when a corrupt_data fault changes data (requests, records, or objects at rest)."""

    fault: str
    where: str
    detail: str

    template: ClassVar[str] = "{fault}: {where} corrupted ({detail})"
    color = "#a93226"


@dataclass(frozen=True)
class QualityAlert(Event):
    """Fires when a service's own check (drift, quarantine rate...) starts or stops firing."""

    instance: str
    check: str
    firing: bool

    color = "#b9770e"

    def message(self) -> str:
        state = "firing" if self.firing else "cleared"
        return f"{self.instance}: quality alert {self.check} {state}"

    def badge(self) -> Badge:
        return Badge("firing", "bad") if self.firing else Badge("cleared", "good")


@dataclass(frozen=True)
class ModelRetrained(Event):
    """Fires when the retrain job finishes a run: promoted, rejected, failed or skipped."""

    instance: str
    outcome: str
    trigger: str
    candidate_version: str | None = None
    candidate_accuracy: float | None = None
    serving_accuracy: float | None = None
    reason: str | None = None

    color = "#117a65"

    def message(self) -> str:
        acc = self.candidate_accuracy
        score = f", golden accuracy {acc:.3f}" if acc is not None else ""
        why = f": {self.reason}" if self.reason else ""
        return f"retrain ({self.trigger}) {self.outcome} {self.candidate_version or ''}{score}{why}"

    def badge(self) -> Badge:
        tone = RETRAIN_TONES.get(self.outcome, "neutral")
        return Badge(self.outcome, tone)

    def model_marker(self) -> Marker | None:
        return RETRAIN_MARKERS.get(self.outcome)


@dataclass(frozen=True)
class ModelSwapped(Event):
    """Fires when an inference instance starts serving another model version."""

    instance: str
    model_version: str

    template: ClassVar[str] = "{instance} now serves {model_version}"
    color = "#1a5276"

    def model_marker(self) -> Marker:
        return Marker("model swapped", "v", "#1a5276")


@dataclass(frozen=True)
class ModelRejected(Event):
    """Fires when an inference instance refuses a registry model (checksum, load, shape)."""

    instance: str
    reason: str

    template: ClassVar[str] = "{instance} rejected a registry model ({reason})"
    color = "#6c3483"

    def badge(self) -> Badge:
        return Badge("refused", "bad")

    def model_marker(self) -> Marker:
        return Marker("model refused by an instance", "x", "#6c3483")


@dataclass(frozen=True)
class SpotRebalance(Event):
    """Fires when a spot instance's metadata starts showing a rebalance recommendation."""

    instance: str
    fault: str

    template: ClassVar[str] = "{instance}: rebalance recommendation ({fault})"
    color = "#a8a05a"


@dataclass(frozen=True)
class SpotNotice(Event):
    """Fires when a spot instance's metadata starts showing its interruption notice."""

    instance: str
    fault: str
    provider: str
    wave: int
    terminate_at: float  # run time of the SIGTERM

    template: ClassVar[str] = (
        "{instance}: {provider} interruption notice, termination at t={terminate_at:.1f}s ({fault})"
    )
    color = "#f39c12"


@dataclass(frozen=True)
class InstancePreempted(Event):
    """Fires at the termination of a preempted spot instance (`t` is the SIGTERM)."""

    instance: str
    fault: str
    gone_at: float | None  # when it had exited
    forced: bool  # it outlived the grace and was killed

    color = "#78281f"

    def message(self) -> str:
        how = "killed after the grace" if self.forced else "exited within the grace"
        return f"{self.instance} preempted by {self.fault} ({how})"

    def badge(self) -> Badge:
        return Badge("killed", "bad") if self.forced else Badge("exited", "neutral")


@dataclass(frozen=True)
class ReplacementStarted(Event):
    """Fires when replacement capacity for a preempted instance is launched (billing starts)."""

    instance: str
    pricing: str
    instance_type: str | None = None

    template: ClassVar[str] = "replacement for {instance} launched on {pricing}"
    color = "#5dade2"

    def badge(self) -> Badge:
        return Badge(self.pricing.replace("_", "-"), "neutral")  # on-demand, spot


@dataclass(frozen=True)
class NoCapacity(Event):
    """Fires when a preempted instance gets no replacement (`capacity: none`, or it failed)."""

    instance: str
    reason: str = "capacity: none"

    template: ClassVar[str] = "no replacement for {instance} ({reason})"
    color = "#e91e63"

    def badge(self) -> Badge:
        return Badge("no replacement", "bad")


@dataclass(frozen=True)
class RunAborted(Event):
    """Fires when the run stops early (signal, error); the results are marked incomplete."""

    reason: str

    template: ClassVar[str] = "run aborted: {reason}"
    color = "#111111"


@dataclass(frozen=True)
class CleanupFailed(Event):
    """Fires when stopping a part of the run (load, an observer) failed during cleanup."""

    what: str
    error: str

    template: ClassVar[str] = "cleanup: stopping the {what} failed: {error}"

    def badge(self) -> Badge:
        return Badge("cleanup failed", "bad")


Subscriber = Callable[[Event], None]


@dataclass
class EventLog:
    """Records events in memory and to events.jsonl; subscriber errors never stop the run."""

    path: Path | None = None
    events: list[Event] = field(default_factory=list)
    subscribers: list[Subscriber] = field(default_factory=list)
    subscriber_errors: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def emit(self, event: Event) -> None:
        """Record `event` and tell every subscriber."""
        with self._lock:
            self.events.append(event)
            if self.path is not None:
                with self.path.open("a") as fh:
                    fh.write(json.dumps(event.to_record(), default=str) + "\n")
        for subscriber in list(self.subscribers):
            try:
                subscriber(event)
            except Exception:  # a broken observer must never stop a revert
                self.subscriber_errors += 1
                log.warning("event subscriber failed on %s", event.kind, exc_info=True)

    def records(self) -> list[dict[str, Any]]:
        """Every event in its record form, in order of time."""
        with self._lock:
            return [e.to_record() for e in sorted(self.events, key=lambda e: e.t)]
