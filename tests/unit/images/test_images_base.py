"""Choice of the base image: local, pulled, or the offline base; pull gives up when silent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import docker.errors
import pytest

from harness.images import OFFLINE_BASE
from harness.images import base as base_mod
from harness.images.base import pull, python_version, resolve_base


@dataclass
class FakeImage:
    id: str
    attrs: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


class FakeImages:
    def __init__(self, present: dict[str, FakeImage]) -> None:
        self.present = present

    def get(self, ref: str) -> FakeImage:
        if ref not in self.present:
            raise docker.errors.ImageNotFound(ref)
        return self.present[ref]


class FakeApi:
    def __init__(
        self, images: FakeImages, pull_result: str | None, block: threading.Event | None
    ) -> None:
        self.images, self.pull_result, self.block = images, pull_result, block
        self.pulled: list[tuple[str, str]] = []

    def pull(
        self, repository: str, tag: str, stream: bool, decode: bool
    ) -> Iterator[dict[str, Any]]:
        self.pulled.append((repository, tag))
        if self.block is not None:
            self.block.wait(5)
        if self.pull_result is not None:
            raise docker.errors.APIError(self.pull_result)
        self.images.present[f"{repository}:{tag}"] = labelled("pulled")
        yield {"status": "Downloaded newer image"}


class FakeClient:
    def __init__(
        self,
        present: dict[str, FakeImage],
        pull_result: str | None = None,
        block: threading.Event | None = None,
    ) -> None:
        self.images = FakeImages(present)
        self.api = FakeApi(self.images, pull_result, block)


def labelled(image_id: str) -> FakeImage:
    return FakeImage(image_id, {"Config": {"Labels": {"harness.python": "3.11"}}})


@pytest.fixture(autouse=True)
def default_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARNESS_BASE_IMAGE", raising=False)
    monkeypatch.setenv("HARNESS_PULL_TIMEOUT", "0.3")


def test_local_base_is_used_without_pulling() -> None:
    client = FakeClient({"python:3.11-slim": labelled("local")})
    base = resolve_base(client, lambda line: None)
    assert (base.ref, base.id, base.python) == ("python:3.11-slim", "local", "3.11")
    assert client.api.pulled == []


def test_missing_base_is_pulled() -> None:
    client = FakeClient({})
    base = resolve_base(client, lambda line: None)
    assert (base.ref, base.id) == ("python:3.11-slim", "pulled")
    assert client.api.pulled == [("python", "3.11-slim")]


def test_offline_base_built_earlier_is_reused_without_a_pull() -> None:
    client = FakeClient({OFFLINE_BASE: labelled("offline")}, pull_result="no such host")
    lines: list[str] = []
    base = resolve_base(client, lines.append)
    assert (base.ref, base.id) == (OFFLINE_BASE, "offline")
    assert client.api.pulled == []  # a machine without a registry is asked once, not every run
    assert any("not present" in line and OFFLINE_BASE in line for line in lines)


def test_refused_pull_builds_the_offline_base_once(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeClient({}, pull_result="no such host")
    built: list[str] = []

    def fake_build(client: FakeClient, progress: Any) -> FakeImage:
        built.append("yes")
        client.images.present[OFFLINE_BASE] = labelled("fresh")
        return client.images.present[OFFLINE_BASE]

    monkeypatch.setattr(base_mod, "build_offline_base", fake_build)
    lines: list[str] = []
    assert resolve_base(client, lines.append).id == "fresh"
    assert any("building the offline base image" in line for line in lines)
    assert resolve_base(client, lines.append).id == "fresh"
    assert built == ["yes"]
    assert len(client.api.pulled) == 1


def test_silent_pull_is_given_up() -> None:
    release = threading.Event()
    client = FakeClient({}, block=release)
    try:
        assert pull(client, "python:3.11-slim", idle_timeout_s=0.2) == "no progress for 0.2 s"
    finally:
        release.set()


def test_pull_error_is_reported() -> None:
    client = FakeClient({}, pull_result="dial tcp: no such host\nmore")
    assert pull(client, "python:3.11-slim", idle_timeout_s=5) == "dial tcp: no such host"


def test_python_version_from_label_or_official_env() -> None:
    assert python_version(None, labelled("x")) == "3.11"
    official = FakeImage("y", {"Config": {"Env": ["PATH=/usr/bin", "PYTHON_VERSION=3.12.4"]}})
    assert python_version(None, official) == "3.12"


def test_missing_debootstrap_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.images import ImageError, offline

    monkeypatch.setattr(offline.shutil, "which", lambda *a, **k: None)
    with pytest.raises(ImageError) as err:
        offline.build_offline_base(None, lambda line: None)
    text = err.value.render()
    assert "debootstrap is needed to build the offline base image" in text
    assert "apt-get install debootstrap" in text and "HARNESS_BASE_IMAGE" in text


def test_offline_base_needs_root(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.images import ImageError, offline

    monkeypatch.setattr(offline.shutil, "which", lambda *a, **k: "/usr/sbin/debootstrap")
    monkeypatch.setattr(offline.os, "geteuid", lambda: 1000)
    with pytest.raises(ImageError, match="needs root"):
        offline.build_offline_base(None, lambda line: None)
