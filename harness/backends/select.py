"""Pick the backend for `--backend auto`: the best-ranked one that is available here."""

from __future__ import annotations

from harness.backends.base import BACKENDS
from harness.errors import HarnessError

AUTO = "auto"


def choose_backend(name: str) -> tuple[str, str]:
    """(backend name, why it was chosen); an unknown name is a HarnessError with suggestions."""
    if name == AUTO:
        return _auto()
    if name not in BACKENDS:
        kinds = ", ".join([AUTO, *BACKENDS.kinds()])
        raise HarnessError(BACKENDS.unknown_message(name), hint=f"use --backend {kinds}")
    return name, "asked for"


def _auto() -> tuple[str, str]:
    """The first available backend by rank; the reasons of those passed over say why."""
    passed: list[str] = []
    ranked = sorted(BACKENDS.items(), key=lambda item: -item[1].auto_rank)
    for kind, cls in ranked:
        ok, why = cls.available()
        if ok:
            return kind, "; ".join(passed) or why
        passed.append(why)
    raise HarnessError(
        f"no backend can run here ({'; '.join(passed)})", hint="see README, 'Backends'"
    )
