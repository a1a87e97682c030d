"""Fault kinds a test registers are forgotten after it, so the known kinds stay the shipped ones."""

from __future__ import annotations

import pytest

from harness.faults import FAULTS


@pytest.fixture
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the test register kinds; the registry is back to the shipped kinds afterwards."""
    monkeypatch.setattr(FAULTS, "_items", dict(FAULTS._items))
