"""Service images: built offline from their inputs, tagged by a hash of them, rebuilt on change."""

from __future__ import annotations

from harness.images.engine import ImageError, connect
from harness.images.ensure import build_images_command, ensure_images
from harness.images.hashing import image_inputs_hash, image_tag
from harness.images.offline import OFFLINE_BASE
from harness.images.specs import IMAGE_SPECS, ImageSpec

__all__ = [
    "IMAGE_SPECS",
    "OFFLINE_BASE",
    "ImageError",
    "ImageSpec",
    "build_images_command",
    "connect",
    "ensure_images",
    "image_inputs_hash",
    "image_tag",
]
