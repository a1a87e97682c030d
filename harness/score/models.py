"""Accuracy by serving model version: which model answered when, and how well."""

from __future__ import annotations

from collections.abc import Sequence

from harness.load.samples import Sample
from harness.results import ModelUse


def model_uses(samples: Sequence[Sample]) -> list[ModelUse]:
    """One entry per model version seen in replies, in order of first use."""
    by_version: dict[str, list[Sample]] = {}
    for s in sorted(samples, key=lambda s: s.t_start):
        if s.model_version:
            by_version.setdefault(s.model_version, []).append(s)
    uses = []
    for version, group in by_version.items():
        labelled = [s.correct for s in group if s.correct is not None]
        uses.append(
            ModelUse(
                version=version,
                first_s=round(group[0].t_start, 3),
                last_s=round(group[-1].t_start, 3),
                requests=len(group),
                accuracy=sum(labelled) / len(labelled) if labelled else None,
            )
        )
    return uses
