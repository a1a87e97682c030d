"""Image tags by content: a hash of everything an image is built from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

# Bump when the layout of the build context changes, so every image is rebuilt once.
CONTEXT_FORMAT = b"harness-images/1"
TAG_DIGITS = 12


def image_inputs_hash(
    dockerfile: bytes, files: Mapping[str, bytes], wheels: Iterable[str], base_id: str
) -> str:
    """Hash an image's inputs (Dockerfile, source paths and bytes, wheel names, base image id).

    The order of `files` and `wheels` does not matter. Every field is length-prefixed, so no
    two different input sets share a byte stream.
    """
    digest = hashlib.sha256()

    def put(kind: bytes, data: bytes) -> None:
        digest.update(kind + b"\0" + len(data).to_bytes(8, "big") + data)

    put(b"format", CONTEXT_FORMAT)
    put(b"dockerfile", dockerfile)
    for path in sorted(files):
        put(b"path", path.encode())
        put(b"bytes", files[path])
    for name in sorted(wheels):
        put(b"wheel", name.encode())
    put(b"base", base_id.encode())
    return digest.hexdigest()


def image_tag(service: str, inputs_hash: str) -> str:
    """The tag of a service image: `harness-<service>:<first 12 hex digits of the hash>`."""
    return f"{image_repository(service)}:{inputs_hash[:TAG_DIGITS]}"


def image_repository(service: str) -> str:
    """The repository part of a service image's tag."""
    return f"harness-{service}"
