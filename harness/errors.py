"""The one family of user-facing errors, and the exit codes of the CLI."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Exit codes of `harness` commands (the README's table lists them; a test keeps it true)."""

    OK = 0  # every SLO passed
    SLO_FAILED = 1  # the run completed and an SLO failed
    BAD_INPUT = 2  # bad input (scenario, options), or the stack could not start
    INTERRUPTED = 3  # Ctrl-C or SIGTERM: faults reverted, partial results written
    INCOMPLETE = 4  # the run broke off on its own (engine lost, teardown failed): partial results


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line and column (column may be unknown)."""

    file: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


class HarnessError(Exception):
    """An error the user can act on: printed as `location: message` plus a hint, no traceback."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(
        self, message: str, *, location: Location | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def render(self) -> str:
        """Format for a terminal: `file:line:col: message` then `  hint: ...`."""
        head = f"{self.location}: {self.message}" if self.location else self.message
        return f"{head}\n  hint: {self.hint}" if self.hint else head


class ScenarioError(HarnessError):
    """A scenario file is malformed or invalid; may carry several errors at once."""

    def __init__(self, errors: list[HarnessError]) -> None:
        errors = sorted(errors, key=_sort_key)
        first = errors[0]
        super().__init__(first.message, location=first.location, hint=first.hint)
        self.errors = errors

    def render(self) -> str:
        lines = [e.render() for e in self.errors]
        count = len(self.errors)
        lines.append(f"{count} error{'s' if count != 1 else ''} found")
        return "\n".join(lines)


class BackendError(HarnessError):
    """The backend cannot do what was asked (engine missing, port taken, ...)."""


class StackStartError(BackendError):
    """A service of the stack did not start or did not become healthy in time."""


def did_you_mean(value: str, known: Iterable[str]) -> str | None:
    """ "did you mean 'x'?" for the closest of `known`, or None when nothing is close."""
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else None


def suggest(value: str, known: Iterable[str]) -> str:
    """A hint for an unknown name: the closest match, then every known one (in the given order).

    "did you mean 'rate'? (known: rate, timeout)"; "known: rate, timeout" when nothing is close.
    """
    names = list(known)
    listing = f"known: {', '.join(names) or 'none'}"
    close = did_you_mean(value, names)
    return f"{close} ({listing})" if close else listing


def _sort_key(err: HarnessError) -> tuple[str, int, int]:
    loc = err.location
    if loc is None:
        return ("", 0, 0)
    return (loc.file, loc.line or 0, loc.col or 0)
