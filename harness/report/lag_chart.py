"""The replication lag chart: lag and pending records over time, one line per replicator."""

from __future__ import annotations

from typing import Any

from harness.report import _mpl
from harness.results import Results

CHART_ID = "lag-chart"
LAG_COLORS = ("#1f4e79", "#d35400", "#117a65", "#8e44ad", "#b7950b", "#2c3e50")


def lag_chart_svg(results: Results) -> str:
    """Render lag (s) and pending records per replicator, fault windows shaded ('' without data)."""
    samples = results.replication_lag
    if not samples:
        return ""
    instances = list(dict.fromkeys(s.instance for s in samples))
    end = max(s.t for s in samples)
    if results.timeline:
        end = max(end, results.timeline[-1].t_end)
    with _mpl.figure(CHART_ID, (11, 3.8)) as fig:
        lag, pending = fig.subplots(2, 1, sharex=True, gridspec_kw={"hspace": 0.12})
        for i, name in enumerate(instances):
            mine = sorted((s for s in samples if s.instance == name), key=lambda s: s.t)
            color = LAG_COLORS[i % len(LAG_COLORS)]
            ts = [s.t for s in mine]
            lag.plot(ts, [s.lag_s for s in mine], color=color, lw=1.3, gid=f"lag-series-{i}")
            pending.plot(ts, [s.pending for s in mine], color=color, lw=1.3)
        for ax, key, label in ((lag, "lag", "lag (s)"), (pending, "pending", "pending records")):
            _mpl.shade_faults(ax, results.faults, end, key)
            ax.set_ylabel(label)
            ax.set_ylim(bottom=0)
        _mpl.label_faults(lag, results.faults, end)
        pending.set_xlim(0, end)
        pending.set_xlabel("seconds since run start")
        _mpl.bottom_legend(fig, _handles(instances))
        return _mpl.to_svg(fig, CHART_ID, "replication lag and pending records per replicator")


def _handles(instances: list[str]) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Line2D([], [], color=LAG_COLORS[i % len(LAG_COLORS)], lw=1.3, label=name)
        for i, name in enumerate(instances)
    ]
    handles.append(Patch(color=_mpl.FAULT_COLOR, alpha=_mpl.FAULT_ALPHA, label="fault window"))
    return handles
