"""Without an engine the docker backend says so clearly; cleanup still looks at processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends.base import RunInfo
from harness.backends.docker import DockerBackend
from harness.cleanup import cleanup
from harness.errors import BackendError


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the Docker SDK at a socket nobody listens on."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'nothing.sock'}")


@pytest.mark.usefixtures("no_engine")
def test_prepare_without_engine_is_a_clear_error(tmp_path: Path) -> None:
    backend = DockerBackend(RunInfo("r", tmp_path, "s", ("r1",)), images={})
    with pytest.raises(BackendError, match="no Docker engine answers") as err:
        backend.prepare(lambda _msg: None)
    assert err.value.hint is not None and "--backend process" in err.value.hint
    backend.teardown()  # nothing started: nothing to do, no error


@pytest.mark.usefixtures("no_engine")
def test_cleanup_without_engine_checks_processes_only() -> None:
    report = cleanup("no-such-run-id")
    assert not report.engine_checked
    assert report.unchecked == ("docker: no Docker engine answers",)
    assert report.removed == () and report.failed == ()
