"""Wheel selection for the image's interpreter and the offline reuse of the wheelhouse."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from harness.images.wheels import MANIFEST, WheelTarget, ensure_wheelhouse, wheelhouse_key

TARGET = WheelTarget("3.11", "x86_64")


def test_pip_args_select_the_image_interpreter_not_the_host() -> None:
    args = TARGET.pip_args()
    assert args[:5] == ["--only-binary=:all:", "--implementation", "cp", "--python-version", "3.11"]
    assert args[5:7] == ["--abi", "cp311"]
    platforms = [args[i + 1] for i, a in enumerate(args) if a == "--platform"]
    assert {"manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"} <= set(
        platforms
    )
    assert "manylinux_2_37_x86_64" not in platforms  # newer than bookworm's glibc
    assert all(p.endswith("_x86_64") for p in platforms)


def test_key_depends_on_requirements_and_target_not_order() -> None:
    reqs = ("aiohttp==3.14.5", "numpy==2.4.6")
    assert wheelhouse_key(reqs, TARGET) == wheelhouse_key(tuple(reversed(reqs)), TARGET)
    assert wheelhouse_key(reqs, TARGET) != wheelhouse_key(reqs[:1], TARGET)
    assert wheelhouse_key(reqs, TARGET) != wheelhouse_key(reqs, WheelTarget("3.12", "x86_64"))
    assert wheelhouse_key(reqs, TARGET) != wheelhouse_key(reqs, WheelTarget("3.11", "aarch64"))


def test_downloaded_wheelhouse_is_reused_without_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    reqs = ("aiohttp==3.14.5",)
    folder = tmp_path / "wheels" / wheelhouse_key(reqs, TARGET)
    folder.mkdir(parents=True)
    names = ["b-1-py3-none-any.whl", "a-1-py3-none-any.whl"]
    (folder / MANIFEST).write_text(json.dumps({"requirements": list(reqs), "wheels": names}))

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip must not run for a cached wheelhouse")

    monkeypatch.setattr(subprocess, "run", no_network)
    messages: list[str] = []
    house = ensure_wheelhouse(reqs, TARGET, messages.append)
    assert house.path == folder and house.names == tuple(names) and messages == []


def test_failed_download_is_a_clear_error_and_leaves_no_wheelhouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.images import ImageError

    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    failed = subprocess.CompletedProcess(
        [], 1, "", "ERROR: No matching distribution found for nope\n"
    )
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: failed)
    with pytest.raises(ImageError, match="No matching distribution found for nope"):
        ensure_wheelhouse(("nope==1",), TARGET, lambda line: None)
    assert list((tmp_path / "wheels").iterdir()) == []
