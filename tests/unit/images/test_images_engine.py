"""Without an engine, image commands fail with an error that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.images import ImageError, build_images_command, connect, ensure_images


@pytest.fixture
def no_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'nothing.sock'}")


@pytest.mark.usefixtures("no_engine")
@pytest.mark.parametrize(
    "call",
    [connect, lambda: ensure_images(print), lambda: build_images_command(print, force=True)],
    ids=["connect", "ensure_images", "build_images_command"],
)
def test_missing_engine_is_a_clear_error(call: object) -> None:
    with pytest.raises(ImageError) as err:
        call()  # type: ignore[operator]
    text = err.value.render()
    assert text.startswith("no Docker engine answers (")
    assert "scripts/ensure-docker.sh" in text and "--backend process" in text
