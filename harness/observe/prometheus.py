"""Read Prometheus text exposition (the subset our targets write): name, labels, value."""

from __future__ import annotations

import math
import re

_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

Series = tuple[str, tuple[tuple[str, str], ...]]


def parse_metrics(text: str) -> dict[Series, float]:
    """Map (name, sorted labels) to value; comments and malformed lines are skipped."""
    out: dict[Series, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            continue
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        labels = tuple(sorted(_LABEL.findall(m.group(2) or "")))
        out[(m.group(1), labels)] = value if not math.isnan(value) else math.nan
    return out


def select(metrics: dict[Series, float], name: str) -> list[tuple[dict[str, str], float]]:
    """Every series of metric `name` as (labels, value)."""
    return [(dict(labels), v) for (n, labels), v in metrics.items() if n == name]
