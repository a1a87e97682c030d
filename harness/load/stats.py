"""Counters of one load run and the summary built from them (pure, no gevent)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.load.spec import LoadSpec, LoadSummary

LATE_SEND_S = 0.010
CPU_BOUND_PERCENT = 90.0


@dataclass
class RunStats:
    """Counters of one run, turned into the summary line at exit."""

    sent: int = 0
    completed: int = 0
    ok: int = 0
    max_lag_s: float = 0.0
    late_sends: int = 0
    max_in_flight: int = 0
    send_window_s: float = 0.0
    stopped_by: str = "duration"
    crashed: bool = False


def summarize(spec: LoadSpec, st: RunStats, cpu_percent: float, cpu_warning: bool) -> LoadSummary:
    """Build the summary: offered vs achieved rate and whether the generator was CPU-bound."""
    window = st.send_window_s
    return LoadSummary(
        offered_rate=spec.rate,
        achieved_rate=round(st.sent / window, 2) if window > 0 else 0.0,
        planned=spec.planned_requests,
        sent=st.sent,
        completed=st.completed,
        ok=st.ok,
        failed=st.completed - st.ok,
        send_window_s=round(window, 3),
        max_lag_ms=round(st.max_lag_s * 1000.0, 2),
        late_sends=st.late_sends,
        max_in_flight=st.max_in_flight,
        cpu_percent=round(cpu_percent, 1),
        cpu_warning=cpu_warning,
        cpu_bound=cpu_warning or cpu_percent > CPU_BOUND_PERCENT,
        stopped_by="crash" if st.crashed else st.stopped_by,
    )
