"""With the real engine: every service image is built (or reused) and runs its module."""

from __future__ import annotations

import time
from typing import Any

import pytest

from harness.images import IMAGE_SPECS, ensure_images
from harness.images.hashing import image_repository

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


def test_every_service_has_a_content_tagged_labelled_image(
    docker_client: Any, image_tags: dict[str, str]
) -> None:
    assert set(image_tags) == {spec.service for spec in IMAGE_SPECS}
    for service, tag in image_tags.items():
        repository, digest = tag.split(":")
        assert repository == image_repository(service) and len(digest) == 12
        image = docker_client.images.get(tag)
        assert image.labels["harness.image"] == service
        assert image.labels["harness.inputs"].startswith(digest)
        config = image.attrs["Config"]
        assert not config.get("Entrypoint")
        assert "PYTHONPATH=/app" in config["Env"] and "PYTHONUNBUFFERED=1" in config["Env"]
        assert config["WorkingDir"] == "/app"


def test_second_call_builds_nothing(image_tags: dict[str, str]) -> None:
    lines: list[str] = []
    started = time.monotonic()
    again = ensure_images(lines.append)
    elapsed = time.monotonic() - started
    assert again == image_tags
    assert not [line for line in lines if line.startswith(("building", "downloading"))], lines
    print(f"cached ensure_images: {elapsed:.2f} s")


def test_inference_image_has_its_packages(image_tags: dict[str, str], run_container: Any) -> None:
    code, out = run_container(
        image_tags["inference"],
        [
            "python3",
            "-c",
            "import onnxruntime, numpy, aiohttp, targets.inference.server; print('ok')",
        ],
    )
    assert (code, out.strip()) == (0, "ok")


def test_gateway_image_runs_its_module(image_tags: dict[str, str], run_container: Any) -> None:
    code, out = run_container(
        image_tags["gateway"], ["python3", "-m", "targets.gateway.server", "--help"]
    )
    assert code == 0 and "--config" in out


def test_netproxy_image_runs_its_module(image_tags: dict[str, str], run_container: Any) -> None:
    command = [
        "python3",
        "-m",
        "harness.netproxy",
        "--host",
        "127.0.0.1",
        "--port",
        "8474",
        "--help",
    ]
    code, out = run_container(image_tags["netproxy"], command)
    assert code == 0 and "harness.netproxy" in out


def test_images_use_the_venv_python(image_tags: dict[str, str], run_container: Any) -> None:
    code, out = run_container(
        image_tags["netproxy"], ["python3", "-c", "import sys; print(sys.prefix)"]
    )
    assert (code, out.strip()) == (0, "/opt/venv")


def test_failed_build_names_the_image_with_its_log_tail(
    docker_client: Any, image_tags: dict[str, str], tmp_path: Any
) -> None:
    from harness.images import ImageError
    from harness.images.build import BuildPlan, run_build

    plan = BuildPlan(
        service="broken",
        tag="harness-test-broken:000000000000",
        base_ref=image_tags["gateway"],
        dockerfile_path="tests/broken/Dockerfile",
        dockerfile=b"ARG BASE\nFROM ${BASE}\nRUN echo about to fail && exit 3\n",
        files={},
        wheel_dir=tmp_path,
        wheels=(),
        labels={"harness.test": "1"},
    )
    with pytest.raises(ImageError) as err:
        run_build(docker_client, plan, lambda line: None, nocache=True)
    text = err.value.render()
    assert "image broken (harness-test-broken:000000000000) failed to build" in text
    assert "returned a non-zero code: 3" in text and "| about to fail" in text
    leftovers = docker_client.api.containers(all=True, filters={"ancestor": image_tags["gateway"]})
    assert not [c for c in leftovers if "about to fail" in c.get("Command", "")]
