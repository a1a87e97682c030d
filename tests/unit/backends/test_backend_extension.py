"""A new backend is its own class: `--backend auto` and `harness cleanup` find it with no edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends import BACKENDS
from harness.backends.base import Backend, RemoveOwner, Sweep
from harness.backends.select import choose_backend
from harness.cleanup import cleanup
from harness.cli import main


class Elsewhere(Backend):
    """Only its class methods run here: what auto and cleanup ask of a backend."""

    name = "elsewhere"
    auto_rank = 100
    up = True

    @classmethod
    def available(cls) -> tuple[bool, str]:
        return (True, "elsewhere answers") if cls.up else (False, "elsewhere is down")

    @classmethod
    def sweep_leftovers(cls, run_id: str | None, remove_owner: RemoveOwner) -> Sweep:
        if not cls.up:
            return Sweep(skipped="elsewhere is down")
        return Sweep(removed=[f"box of run {run_id}"], failed=["box 2: busy"])


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> type[Elsewhere]:
    """Elsewhere registered for one test; no Docker engine answers (DOCKER_HOST on nothing)."""
    monkeypatch.setitem(BACKENDS._items, "elsewhere", Elsewhere)
    monkeypatch.setattr(Elsewhere, "up", True)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'nothing.sock'}")
    return Elsewhere


def test_auto_takes_the_best_ranked_available_backend(elsewhere: type[Elsewhere]) -> None:
    assert choose_backend("auto") == ("elsewhere", "elsewhere answers")


def test_auto_says_why_it_passed_the_better_ones_over(
    elsewhere: type[Elsewhere], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(elsewhere, "up", False)
    assert choose_backend("auto") == ("process", "elsewhere is down; no Docker engine answers")


def test_cleanup_sweeps_every_backend(elsewhere: type[Elsewhere]) -> None:
    report = cleanup("r1")
    assert report.removed == ("box of run r1",)
    assert report.failed == ("box 2: busy",)
    assert report.unchecked == ("docker: no Docker engine answers",)


def test_the_cleanup_command_shows_what_it_could_not_remove(
    elsewhere: type[Elsewhere], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cleanup", "--run", "r1"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["removed box of run r1", "1 item(s) removed"]
    assert err.splitlines() == [
        "could not remove box 2: busy",
        "not checked: docker: no Docker engine answers",
    ]
