"""The public surface of harness.images is pinned."""

from __future__ import annotations

import inspect

import harness.images
from harness.errors import BackendError


def test_all_is_pinned() -> None:
    assert sorted(harness.images.__all__) == [
        "IMAGE_SPECS",
        "ImageError",
        "ImageSpec",
        "OFFLINE_BASE",
        "build_images_command",
        "connect",
        "ensure_images",
        "image_inputs_hash",
        "image_tag",
    ]


def test_entry_points_keep_their_signatures() -> None:
    assert str(inspect.signature(harness.images.ensure_images)) == (
        "(progress: 'Progress', *, force: 'bool' = False) -> 'dict[str, str]'"
    )
    assert str(inspect.signature(harness.images.build_images_command)) == (
        "(progress: 'Progress', force: 'bool' = False) -> 'dict[str, str]'"
    )


def test_image_errors_are_backend_errors() -> None:
    assert issubclass(harness.images.ImageError, BackendError)
    assert [s.service for s in harness.images.IMAGE_SPECS] == [
        "inference",
        "gateway",
        "netproxy",
        "object-store",
        "pipeline",
    ]
